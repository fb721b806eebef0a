import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { explain, type Explanation, type ModelFunction } from '../../src/index.js';
import { adaptModel } from '../../src/model.js';
import { resolveReferences } from '../../src/methods/ig2References.js';
import { expectNoLeak, maxAbsDiff, randomTensor, rng, useBackend } from '../helpers.js';
import { convNet } from '../ig2Models.js';

/** Runs `fn`, disposes the Explanation it returns via `use`, and checks that no tensor is left behind. */
async function noLeak(fn: () => PromiseLike<Explanation>, use: (ex: Explanation) => Promise<void>): Promise<void> {
  const before = tf.memory().numTensors;
  const ex = await fn();
  try {
    await use(ex);
  } finally {
    ex.dispose();
  }
  assert.equal(tf.memory().numTensors, before, 'tensors leaked');
}

/** A random smooth model with its hidden layer as the representation: [B, d] → tanh(xW1) → logits. */
function smoothModel(random: () => number, d: number, hidden: number, k: number): { model: ModelFunction; representation: ModelFunction } {
  const W1 = randomTensor(random, [d, hidden], -1, 1);
  const W2 = randomTensor(random, [hidden, k], -1, 1);
  const representation = (batch: tf.Tensor) => tf.tidy(() => tf.tanh(tf.matMul(batch.reshape([batch.shape[0], d]), W1)));
  return { representation, model: (batch) => tf.tidy(() => tf.matMul(representation(batch), W2)) };
}

describe('IG2 on a channels-last conv net', () => {
  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}: completeness ≈ met, GradPath ends near each reference's representation`, async () => {
      await useBackend('cpu');
      const model = convNet([8, 8, 1], 4, 8, 3, seed);
      const random = rng(seed);
      const x = randomTensor(random, [2, 8, 8, 1]);
      const references = randomTensor(random, [3, 8, 8, 1]);
      await noLeak(() => explain(model, x, { target: 0 }).ig2({ references, steps: 100, stepSize: 0.01, clip: [0, 1] }), async (ex) => {
        const c = ex.completeness('ig2');
        c.sum.forEach((sum, b) => assert.ok(Math.abs(sum - c.delta[b]) <= 0.15 * Math.abs(c.delta[b]) + 0.005, `example ${b}: Σ ${sum} vs Δf ${c.delta[b]}`));
        const distance = ex.path('ig2').referenceDistance!;
        for (let b = 0; b < 2; b++) {
          for (let r = 0; r < 3; r++) assert.ok(distance[b][100][r] < 0.1 * distance[b][0][r], `example ${b}, reference ${r}: ${distance[b][0][r]} → ${distance[b][100][r]}`);
        }
        assert.deepEqual(ex.gradCF('ig2').shape, [2, 3, 8, 8, 1]);
        const gradCF = await ex.gradCF('ig2').data();
        assert.ok(gradCF.every((v) => v >= 0 && v <= 1), 'GradCF inside the clip box');
      });
      tf.dispose([x, references]);
      model.dispose();
    });
  }
});

describe('IG2 properties on random smooth models', () => {
  test('a linear model with an identity representation: exact completeness and straight steps', async () => {
    await useBackend('cpu');
    for (let trial = 0; trial < 5; trial++) {
      const random = rng(100 + trial);
      const w = randomTensor(random, [6, 2], -1, 1);
      const model = (batch: tf.Tensor) => tf.matMul(batch, w);
      const x = randomTensor(random, [2, 6]);
      const references = randomTensor(random, [3, 6]);
      const ex = await explain(model, x, { target: 0 }).ig2({ references, representation: (b) => b.clone(), steps: 7, stepSize: 0.1, clip: [-Infinity, Infinity] });
      const c = ex.completeness('ig2');
      c.sum.forEach((s, b) => assert.ok(Math.abs(s - c.delta[b]) < 1e-5, `Σ ${s} vs Δf ${c.delta[b]}`));
      // Every step has length η (no clipping) and the distance to the reference drops by η per step in L2.
      for (const row of ex.path('ig2').stepLength![0]) row.forEach((l) => assert.ok(Math.abs(l - 0.1) < 1e-5, `step length ${l}`));
      ex.dispose();
      tf.dispose([w, x, references]);
    }
  });

  test('batching examples × references and chunking do not change the result', async () => {
    await useBackend('cpu');
    const random = rng(7);
    const { model, representation } = smoothModel(random, 5, 4, 3);
    const x = randomTensor(random, [3, 5]);
    const references = randomTensor(random, [2, 5]);
    const options = { references, representation, steps: 12, stepSize: 0.08, clip: [0, 1] as [number, number] };
    const all = await explain(model, x, { target: [0, 1, 2], internalBatchSize: 64 }).ig2(options);
    const chunked = await explain(model, x, { target: [0, 1, 2], internalBatchSize: 3 }).ig2(options);
    const full = await all.attribution('ig2').data();
    assert.ok(maxAbsDiff(full, await chunked.attribution('ig2').data()) < 1e-6, 'chunking');
    for (let b = 0; b < 3; b++) {
      // One example with one reference at a time; the batched result is the mean over references.
      const single = await Promise.all(
        [0, 1].map(async (r) => {
          const xb = x.slice(b, 1);
          const ref = references.slice(r, 1);
          const ex = await explain(model, xb, { target: b }).ig2({ ...options, references: ref });
          const data = await ex.attribution('ig2').data();
          ex.dispose();
          tf.dispose([xb, ref]);
          return data;
        }),
      );
      const mean = single[0].map((v, i) => (v + single[1][i]) / 2);
      assert.ok(maxAbsDiff(full.slice(b * 5, b * 5 + 5), mean) < 1e-6, `example ${b}`);
    }
    tf.dispose([x, references]);
    all.dispose();
    chunked.dispose();
  });

  test('defaults: η = mean distance to the references / steps, clip = the data range', async () => {
    await useBackend('cpu');
    const random = rng(11);
    const { model, representation } = smoothModel(random, 4, 3, 2);
    const x = randomTensor(random, [2, 4], -2, 3);
    const references = randomTensor(random, [2, 4], -1, 1);
    const [xs, rs] = [await x.array() as number[][], await references.array() as number[][]];
    const distances = xs.flatMap((xi) => rs.map((ri) => Math.hypot(...xi.map((v, i) => v - ri[i]))));
    const stepSize = distances.reduce((s, d) => s + d, 0) / distances.length / 9;
    const values = [...xs.flat(), ...rs.flat()];
    const byDefault = await explain(model, x).ig2({ references, representation, steps: 9 });
    const explicit = await explain(model, x).ig2({ references, representation, steps: 9, stepSize, clip: [Math.min(...values), Math.max(...values)] });
    assert.ok(maxAbsDiff(await byDefault.attribution('ig2').data(), await explicit.attribution('ig2').data()) < 1e-6);
    byDefault.dispose();
    explicit.dispose();
    tf.dispose([x, references]);
  });
});

describe('IG2 edge cases', () => {
  test('a reference equal to the explicand gives a finite result and a warning', async () => {
    await useBackend('cpu');
    const random = rng(3);
    const { model, representation } = smoothModel(random, 4, 3, 2);
    const x = randomTensor(random, [1, 4]);
    const other = randomTensor(random, [1, 4]);
    const references = tf.concat([x, other]);
    const warn = mock.method(console, 'warn', () => {});
    try {
      await noLeak(() => explain(model, x).ig2({ references, representation, steps: 5, stepSize: 0.1 }), async (ex) => {
        assert.ok((await ex.attribution('ig2').data()).every(Number.isFinite));
        // (A completeness notice may follow: this short path's Riemann sum misses Δf by more than 5%.)
        const vanished = warn.mock.calls.filter((c) => /vanished .* at 5 of 10 path points/.test(String(c.arguments[0])));
        assert.equal(vanished.length, 1);
        assert.equal(ex.path('ig2').warnings?.length, 1);
        assert.ok(ex.notices.includes(ex.path('ig2').warnings![0]), 'the warning reaches the Explanation');
        // The path to the equal reference never moves: its GradCF is x itself.
        assert.ok(maxAbsDiff((await ex.gradCF('ig2').data()).slice(0, 4), await x.data()) === 0);
      });
    } finally {
      warn.mock.restore();
    }
    tf.dispose([x, other, references]);
  });

  test('the trace: progress, per-reference outputs, and JSON', async () => {
    await useBackend('cpu');
    const random = rng(5);
    const { model, representation } = smoothModel(random, 4, 3, 2);
    const x = randomTensor(random, [2, 4]);
    const references = randomTensor(random, [3, 4]);
    const ex = await explain(model, x).ig2({ references, representation, steps: 4, stepSize: 0.1, keepPath: true });
    const trace = ex.path('ig2');
    assert.deepEqual(trace.progress[0], [1, 0.75, 0.5, 0.25]);
    assert.equal(trace.referenceOutput![1].length, 5);
    assert.equal(trace.referenceOutput![1][0].length, 3);
    assert.equal(trace.stepLength![0].length, 4);
    assert.deepEqual(trace.points!.shape, [2, 5, 3, 4]);
    const c = ex.completeness('ig2');
    assert.ok(Math.abs(c.fBaseline[1] - trace.referenceOutput![1][4].reduce((s, v) => s + v, 0) / 3) < 1e-6);
    const json = JSON.parse(JSON.stringify(ex.toJSON()));
    assert.deepEqual(json.methods[0].path.gradCF, { shape: [2, 3, 4] });
    assert.deepEqual(json.methods[0].options.references, { tensor: [3, 4] });
    assert.throws(() => ex.gradCF('nope'), /name: expected one of 'ig2'/);
    ex.dispose();
    tf.dispose([x, references]);
  });

  test('{ pool, count }: counterfactuals of the target, spread over the pool, deterministic', async () => {
    await useBackend('cpu');
    // Class = the index of the largest of 3 features.
    const model = adaptModel((batch: tf.Tensor) => batch.clone());
    const random = rng(9);
    const pool = randomTensor(random, [30, 3]);
    const predicted = Array.from(await tf.argMax(pool, 1).data());
    const x = tf.tensor2d([[1, 0, 0], [0, 0, 1]]);
    const picked = await resolveReferences({ pool, count: 4 }, x, [0, 2], model, 7);
    assert.deepEqual(picked.shape, [2, 4, 3]);
    const rows = (await picked.array()) as number[][][];
    const poolRows = (await pool.array()) as number[][];
    rows.forEach((refs, b) => {
      const candidates = poolRows.filter((_, i) => predicted[i] !== [0, 2][b]);
      const expected = [0, 1, 2, 3].map((i) => candidates[Math.floor((i * candidates.length) / 4)]);
      assert.deepEqual(refs, expected);
    });
    await assert.rejects(resolveReferences({ pool, count: 30 }, x, [0, 2], model, 7), /references\.pool: expected at least count = 30/);
    tf.dispose([pool, x, picked]);
  });

  test('a LayersModel with the default representation and references from a pool', async () => {
    await useBackend('cpu');
    const model = convNet([6, 6, 2], 3, 5, 3, 4);
    const random = rng(4);
    const x = randomTensor(random, [1, 6, 6, 2]);
    const pool = randomTensor(random, [20, 6, 6, 2]);
    await noLeak(() => explain(model, x).ig2({ references: { pool, count: 2 }, steps: 10 }), async (ex) => {
      assert.deepEqual(ex.attribution('ig2').shape, [1, 6, 6, 2]);
      assert.deepEqual(ex.gradCF('ig2').shape, [1, 2, 6, 6, 2]);
      assert.ok((await ex.attribution('ig2').data()).every(Number.isFinite));
    });
    tf.dispose([x, pool]);
    model.dispose();
  });
});

test("output: 'logits' explains the input of a final softmax Activation layer", async () => {
  await useBackend('cpu');
  const random = rng(21);
  const build = (softmax: boolean) => {
    const init = (seed: number) => tf.initializers.glorotUniform({ seed });
    const layers = [
      tf.layers.dense({ inputShape: [4], units: 5, activation: 'tanh', kernelInitializer: init(1) }),
      tf.layers.dense({ units: 3, kernelInitializer: init(2) }),
    ];
    return tf.sequential({ layers: softmax ? [...layers, tf.layers.activation({ activation: 'softmax' })] : layers });
  };
  const [logits, withSoftmax] = [build(false), build(true)];
  const x = randomTensor(random, [2, 4]);
  const references = randomTensor(random, [2, 4]);
  const options = { references, steps: 6, stepSize: 0.1, clip: [0, 1] as [number, number] };
  const plain = await explain(logits, x, { target: 1 }).ig2(options);
  const fromSoftmax = await explain(withSoftmax, x, { target: 1 }).ig2({ ...options, output: 'logits' });
  const probabilities = await explain(withSoftmax, x, { target: 1 }).ig2(options);
  const [a, b, c] = await Promise.all([plain, fromSoftmax, probabilities].map((ex) => ex.attribution('ig2').data()));
  assert.ok(maxAbsDiff(a, b) < 1e-6, 'logits');
  assert.ok(maxAbsDiff(a, c) > 1e-3, 'probabilities differ from logits');
  [plain, fromSoftmax, probabilities].forEach((ex) => ex.dispose());
  tf.dispose([x, references]);
  logits.dispose();
  withSoftmax.dispose();
});

describe('IG2 errors name the argument', () => {
  const random = rng(1);
  const { model, representation } = smoothModel(random, 4, 3, 2);
  const run = (options: object, m: unknown = model, shape = [1, 4]) =>
    expectNoLeak(async () => {
      const x = tf.zeros(shape);
      try {
        await explain(m as ModelFunction, x).ig2({ references: tf.zeros([2, 4]), representation, ...options } as never);
      } finally {
        x.dispose();
      }
    });

  test('references of the wrong shape', async () => {
    await useBackend('cpu');
    const references = tf.zeros([2, 5]);
    await assert.rejects(run({ references }), /references: expected a tensor of shape \[R, 4\].*got shape \[2, 5\]/);
    await assert.rejects(run({ references: undefined }), /references: expected IG2 references/);
    const x = tf.zeros([1, 4]);
    await assert.rejects(explain(model, x).ig2(undefined as never).run(), /references: expected IG2 references/);
    x.dispose();
    await assert.rejects(run({ references: { pool: references } }), /references\.pool: expected a tensor of shape \[P, 4\]/);
    references.dispose();
  });

  test('clip with lo ≥ hi, and a bad step size', async () => {
    await useBackend('cpu');
    await assert.rejects(run({ clip: [1, 1] }), /clip: expected \[lo, hi\] with lo < hi, got \[1, 1\]/);
    await assert.rejects(run({ clip: [2, 1] }), /clip: expected \[lo, hi\] with lo < hi/);
    await assert.rejects(run({ clip: 1 }), /clip: expected \[lo, hi\], two numbers/);
    await assert.rejects(run({ stepSize: 0 }), /stepSize: expected a positive finite number/);
  });

  test('a representation that is not 2-D, an unknown layer, a layer name without a LayersModel', async () => {
    await useBackend('cpu');
    await assert.rejects(run({ representation: (b: tf.Tensor) => b.expandDims(1) }), /representation: expected a 2-D representation \[2, D\].*got shape \[2, 1, 4\]/);
    await assert.rejects(run({ representation: 'dense' }), /representation: expected a function .*layer names .* need a tf\.LayersModel/);
    await assert.rejects(run({ representation: undefined }), /representation: expected a function/);
    await assert.rejects(run({ output: 'logits' }), /output: expected 'model' for a function model/);
    const conv = convNet([4, 4, 1], 2, 3, 2, 1);
    const references = tf.zeros([1, 4, 4, 1]);
    await assert.rejects(run({ references, representation: 'nope' }, conv, [1, 4, 4, 1]), /representation: expected .*layer name of the model \(one of .*'features'.*got 'nope'/);
    await assert.rejects(run({ references, representation: conv.layers[0].name }, conv, [1, 4, 4, 1]), /representation: expected a 2-D representation.*of shape \[B, 4, 4, 2\]/);
    tf.dispose(references);
    conv.dispose();
  });
});
