import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { explain, type Progress } from '../../src/index.js';
import { expectNoLeak, maxAbsDiff, randomSmoothModel, randomTensor, rng, smallGraphModel, useBackend } from '../helpers.js';

before(() => useBackend('cpu'));

const random = rng(21);
const f = randomSmoothModel(random, 6, 5, 3);
const x = randomTensor(random, [3, 6], -1, 1);

test('the builder is immutable and thenable; run() reports progress per method', async () => {
  const base = explain(f, x);
  const withIG = base.ig({ steps: 8 });
  const both = withIG.guidedIG({ steps: 12 });
  const events: Progress[] = [];
  const [a, b] = [await withIG, await both.run({ onProgress: (p) => events.push(p) })];
  assert.deepEqual(a.methods, ['ig']);
  assert.deepEqual(b.methods, ['ig', 'guidedIG']);
  await assert.rejects(base.run(), /explain: expected at least one method/);
  const last = (m: string) => events.filter((e) => e.method === m).at(-1)!;
  assert.equal(last('ig').step, 8);
  assert.equal(last('guidedIG').step, 12);
  assert.equal(last('guidedIG').steps, 12);
  assert.ok(events.every((e) => e.examples === 3 && e.elapsedMs >= 0));
  [a, b].forEach((e) => e.dispose());
});

test('every public call leaves tf.memory().numTensors unchanged', async () => {
  await expectNoLeak(async () => {
    const ex = await explain(f, x, { internalBatchSize: 7 })
      .gradient()
      .gradientXInput()
      .ig({ steps: 5, keepPath: true })
      .guidedIG({ steps: 5, keepPath: true })
      .smoothGrad({ samples: 3, of: 'guidedIG', ofOptions: { steps: 4 }, seed: 1 });
    const counts = tf.memory().numTensors;
    for (const m of ex.methods) {
      ex.attribution(m);
      ex.completeness(m);
      ex.path(m);
    }
    JSON.stringify(ex);
    assert.equal(tf.memory().numTensors, counts, 'accessors allocate nothing');
    ex.dispose();
  });
});

test('a function, a LayersModel and a GraphModel with the same weights give the same attributions', async () => {
  const W1 = [[0.5, -0.25], [0.75, 0.5], [-1, 0.25]];
  const b1 = [0.1, -0.2];
  const W2 = [[1, -0.5, 0.25], [-0.75, 0.5, 1]];
  const graph = await smallGraphModel(W1, b1, W2);
  const layers = tf.sequential({
    layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'tanh' }), tf.layers.dense({ units: 3, activation: 'softmax' })],
  });
  layers.layers[0].setWeights([tf.tensor2d(W1), tf.tensor1d(b1)]);
  layers.layers[1].setWeights([tf.tensor2d(W2), tf.zeros([3])]);
  const fn = (batch: tf.Tensor) => tf.softmax(tf.matMul(tf.tanh(tf.add(tf.matMul(batch, tf.tensor2d(W1)), b1)), tf.tensor2d(W2)));
  const input = tf.tensor2d([[0.3, -0.6, 0.9], [1, 0.5, -0.5]]);
  const results: number[][] = [];
  for (const model of [fn, layers, graph]) {
    await expectNoLeak(async () => {
      const ex = await explain(model, input, { target: [0, 2] }).ig({ steps: 16 }).guidedIG({ steps: 16 });
      results.push([...(await ex.attribution('ig').data()), ...(await ex.attribution('guidedIG').data())]);
      assert.ok(Math.max(...ex.completeness('ig').gap.map(Math.abs)) < 1e-4);
      ex.dispose();
    });
  }
  assert.ok(maxAbsDiff(results[0], results[1]) < 1e-6);
  assert.ok(maxAbsDiff(results[0], results[2]) < 1e-6);
  input.dispose();
});

test('targets: predicted (argmax), one class, one per example', async () => {
  const scores = (await (f(x) as tf.Tensor).argMax(1).data()) as Int32Array;
  const predicted = await explain(f, x).gradient();
  assert.deepEqual(predicted.targets, Array.from(scores));
  const one = await explain(f, x, { target: 2 }).gradient();
  assert.deepEqual(one.targets, [2, 2, 2]);
  const each = await explain(f, x, { target: [2, 0, 1] }).gradient();
  assert.deepEqual(each.targets, [2, 0, 1]);
  // The gradient of class t is what is explained: one-hot selection, row by row.
  const byHand = tf.grad((q: tf.Tensor) => tf.sum(tf.mul(f(q), tf.oneHot([2, 0, 1], 3))))(x);
  assert.ok(maxAbsDiff(await each.attribution('gradient').data(), await byHand.data()) < 1e-7);
  [predicted, one, each].forEach((e) => e.dispose());
  byHand.dispose();
});

test('labels let one method run twice; duplicates without labels are refused', async () => {
  const ex = await explain(f, x).ig({ steps: 4, label: 'ig4' }).ig({ steps: 32, label: 'ig32' });
  assert.deepEqual(ex.methods, ['ig4', 'ig32']);
  assert.equal(ex.record('ig32').method, 'ig');
  assert.throws(() => ex.attribution('ig'), /name: expected one of 'ig4', 'ig32', got 'ig'/);
  ex.dispose();
  await assert.rejects(explain(f, x).ig().ig().run(), /label: expected a distinct label/);
});

test('internalBatchSize bounds every model call', async () => {
  let largest = 0;
  const spy = (batch: tf.Tensor) => {
    largest = Math.max(largest, batch.shape[0]);
    return f(batch);
  };
  const wide = randomTensor(random, [5, 6], -1, 1);
  const ex = await explain(spy, wide, { internalBatchSize: 4 })
    .ig({ steps: 9 })
    .guidedIG({ steps: 3 })
    .smoothGrad({ samples: 6, of: 'ig', ofOptions: { steps: 5 } })
    .gradient();
  assert.equal(largest, 4);
  assert.equal(ex.record('ig').gradientRows, 45);
  assert.equal(ex.record('smoothGrad').gradientRows, 6 * 5 * 5);
  ex.dispose();
  wide.dispose();
});

test('SmoothGrad: zero noise without magnitude is the wrapped method; seeded noise repeats', async () => {
  const ex = await explain(f, x)
    .smoothGrad({ samples: 3, stdevSpread: 0, magnitude: false, of: 'ig', ofOptions: { steps: 10 } })
    .ig({ steps: 10 })
    .smoothGrad({ samples: 4, seed: 3, label: 's1' })
    .smoothGrad({ samples: 4, seed: 3, label: 's2' });
  assert.ok(maxAbsDiff(await ex.attribution('smoothGrad').data(), await ex.attribution('ig').data()) < 1e-6);
  assert.deepEqual(await ex.attribution('s1').data(), await ex.attribution('s2').data());
  assert.ok((await ex.attribution('s1').data()).every((v) => v >= 0), 'magnitude squares');
  ex.dispose();
});

test('toJSON carries attributions, completeness and paths', async () => {
  const ex = await explain(f, x).ig({ steps: 4, baseline: 0.5 });
  const json = JSON.parse(JSON.stringify(ex));
  assert.equal(json.methods[0].label, 'ig');
  assert.deepEqual(json.methods[0].attribution.shape, [3, 6]);
  assert.equal(json.methods[0].attribution.values.length, 18);
  assert.equal(json.methods[0].options.baseline, 0.5);
  assert.equal(json.methods[0].path.output.length, 3);
  assert.equal(json.methods[0].path.output[0].length, 4);
  ex.dispose();
  assert.throws(() => ex.attribution('ig'), /explanation: already disposed/);
});

test('bad input gets an error that names the argument, and leaks nothing', async () => {
  const nan = tf.tensor2d([[0, 1, 2, 3, 4, NaN]]);
  const cases: Array<[() => PromiseLike<unknown>, RegExp]> = [
    [() => explain(f, x).ig({ baseline: tf.zeros([5]) }), /baseline: expected a tensor of shape \[6\] \(one example\) or \[3, 6\] \(like x\), got shape \[5\]/],
    [() => explain(f, x).ig({ baseline: tf.fill([6], NaN) }), /baseline: expected finite values/],
    [() => explain(f, nan).ig(), /x: expected finite values, got NaN or Infinity in example 0/],
    [() => explain(f, tf.zeros([6])).ig(), /x: expected a batch axis/],
    [() => explain(f, x, { target: 3 }).ig(), /target: expected a class index in \[0, 3\)/],
    [() => explain(f, x, { target: [0, 1] }).ig(), /target: expected one class per example \(3\)/],
    [() => explain(f, x, { target: [0, 1, -1] }).ig(), /target: .* got -1 for example 2/],
    [() => explain((b) => tf.sum(b, 1), x).ig(), /model: expected an output of shape \[3, K\] \(rank 2\)/],
    [() => explain((b) => tf.ones([b.shape[0], 2]), x).ig(), /model: its output does not depend differentiably on its input/],
    [() => explain(f, x).ig({ steps: 0 }), /steps: expected a positive integer, got 0/],
    [() => explain(f, x).guidedIG({ steps: 2.5 }), /steps: expected a positive integer/],
    [() => explain(f, x).guidedIG({ fraction: 0 }), /fraction: expected a number in \(0, 1\], got 0/],
    [() => explain(f, x).guidedIG({ fraction: 1.5 }), /fraction: expected a number in \(0, 1\]/],
    [() => explain(f, x).guidedIG({ maxDist: -0.1 }), /maxDist: expected a number in \[0, 1\]/],
    // @ts-expect-error an unknown rule
    [() => explain(f, x).ig({ rule: 'simpson' }), /rule: expected one of 'riemannLeft'/],
    [() => explain(f, x, { internalBatchSize: 0 }).ig(), /internalBatchSize: expected a positive integer/],
    // @ts-expect-error not a model
    [() => explain({}, x).ig(), /model: expected a tf.LayersModel, a tf.GraphModel or a function/],
  ];
  for (const [call, message] of cases) {
    const count = tf.memory().numTensors;
    await assert.rejects(async () => {
      await call();
    }, message);
    assert.ok(tf.memory().numTensors - count <= 1, `${message}: leaked ${tf.memory().numTensors - count}`); // the argument tensor made in the case itself
  }
  nan.dispose();
});
