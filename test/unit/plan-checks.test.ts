import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { explain, type ExplainBuilder, type ModelFunction } from '../../src/index.js';
import { BLUR_IG_OPTIONS } from '../../src/methods/blurIG.js';
import { GUIDED_IG_OPTIONS } from '../../src/methods/guidedIG.js';
import { IG_OPTIONS } from '../../src/methods/ig.js';
import { IG2_OPTIONS } from '../../src/methods/ig2.js';
import { SMOOTH_GRAD_OPTIONS } from '../../src/methods/smoothGrad.js';
import { randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';

before(() => useBackend('cpu'));

const random = rng(41);
const smooth = randomSmoothModel(random, 6, 5, 3);
const x = randomTensor(random, [3, 6], -1, 1);
const images = randomTensor(random, [2, 8, 8, 1]);
const imageWeights = randomTensor(random, [64, 3], -1, 1);

/** A function model that counts its calls (a gradient call is one call: its forward pass runs once). */
function counted(model: ModelFunction): { model: ModelFunction; calls: () => number } {
  let calls = 0;
  return {
    model: (batch) => {
      calls++;
      return model(batch);
    },
    calls: () => calls,
  };
}

const imageModel: ModelFunction = (b) => tf.tidy(() => tf.softmax(tf.matMul(b.reshape([b.shape[0], -1]), imageWeights)));

/** Throws in its backward pass only. */
const throwsInGradient = tf.customGrad((input) => ({
  value: tf.tanh(input as tf.Tensor),
  gradFunc: () => {
    throw new Error('boom in the backward pass');
  },
}));

async function expectFastFailure(name: string, make: (model: ModelFunction) => ExplainBuilder, message: RegExp, model: ModelFunction = smooth, maxCalls = 1): Promise<void> {
  const spy = counted(model);
  const tensors = tf.memory().numTensors;
  const started = performance.now();
  await assert.rejects(make(spy.model).run({ onProgress: () => {} }), message, name);
  const ms = performance.now() - started;
  assert.ok(ms < 1000, `${name}: took ${ms.toFixed(0)} ms`);
  assert.ok(spy.calls() <= maxCalls, `${name}: ${spy.calls()} model calls`);
  assert.equal(tf.memory().numTensors, tensors, `${name}: tensors leaked`);
}

const wrongShape = tf.zeros([3, 5]);
const wrongBaseline = tf.zeros([5]);

test('each bad plan fails in under a second, naming what is wrong, with at most one model call and no tensor leaked', async () => {
  const cases: Array<[string, (m: ModelFunction) => ExplainBuilder, RegExp, ModelFunction?]> = [
    // @ts-expect-error a misspelt option
    ['misspelt method option', (m) => explain(m, x).ig({ stpes: 10 }), /^Error: unknown option 'stpes' for ig\(\); did you mean 'steps'\?$/],
    // @ts-expect-error a misspelt option
    ['misspelt explain option', (m) => explain(m, x, { traget: 1 }).ig(), /^Error: unknown option 'traget' for explain\(\); did you mean 'target'\?$/],
    ['ig steps 1e9', (m) => explain(m, x).ig({ steps: 1e9 }), /^Error: ig\(\): steps 1000000000 needs about [\d.]+ GB of .*; at most about \d+ steps fit/],
    ['blurIG steps 1e9', (m) => explain(m, images).blurIG({ steps: 1e9 }), /^Error: blurIG\(\): steps 1000000000 needs about [\d.]+ GB/, imageModel],
    ['smoothGrad samples 1e9', (m) => explain(m, x).smoothGrad({ samples: 1e9 }), /^Error: smoothGrad\(\): samples 1000000000 needs about [\d.]+ GB/],
    ['bad option on a later method', (m) => explain(m, x).ig().guidedIG().smoothGrad({ samples: 0 }), /^Error: smoothGrad\(\): samples: expected a positive integer, got 0/],
    ['bad inner option on a later method', (m) => explain(m, x).ig().smoothGrad({ of: 'guidedIG', ofOptions: { fraction: 2 } }), /smoothGrad\(\) ofOptions \(of 'guidedIG'\): fraction: expected a number in \(0, 1\]/],
    ['IG2 references of the wrong shape', (m) => explain(m, x).ig().ig2({ references: wrongShape }), /ig2\(\): references: expected a tensor of shape \[R, 6\].*got shape \[3, 5\]/],
    ['IG2 without a representation on a function model', (m) => explain(m, x).ig().ig2({ references: x }), /ig2\(\): representation: expected a function/],
    ['Blur IG on flat inputs', (m) => explain(m, x).ig().blurIG(), /blurIG\(\): x: expected images \[B, H, W, C\]/],
    ['baseline of the wrong shape on a later method', (m) => explain(m, x).ig().guidedIG({ baseline: wrongBaseline }), /guidedIG\(\): baseline: expected a tensor of shape \[6\]/],
    ['options that only fail together', (m) => explain(m, x).ig().smoothGrad({ of: 'ig', ofOptions: { rule: 'riemannTrapezoid', steps: 1 } }), /smoothGrad\(\): ofOptions.steps: expected at least 2 for rule 'riemannTrapezoid', got 1/],
    ['refine of the wrong shape', (m) => explain(m, x).ig({ refine: { tolerance: -1 } } as never), /ig\(\): refine.tolerance: expected a number in \(0, Infinity\]/],
    ['an x the model cannot take', (m) => explain(m, wrongShape).ig(), /^Error: x: the model failed on x of shape \[3, 5\] before any method ran/],
    ['a model whose gradient throws', (m) => explain(m, x).ig().guidedIG(), /^Error: model: its input gradient failed on x before any method ran: boom in the backward pass/, (b) => smooth(throwsInGradient(b) as tf.Tensor)],
    ['a model returning NaN', (m) => explain(m, x).ig().guidedIG(), /^Error: model: its output on x is NaN or Infinity \(example 0\)/, (b) => tf.mul(smooth(b), NaN)],
  ];
  for (const [name, make, message, model] of cases) await expectFastFailure(name, make, message, model);
});

test('every misspelling of every method option (one transposition) is caught with the right suggestion (property)', async () => {
  const schemas: Record<string, object> = { ig: IG_OPTIONS, guidedIG: GUIDED_IG_OPTIONS, smoothGrad: SMOOTH_GRAD_OPTIONS, blurIG: BLUR_IG_OPTIONS, ig2: IG2_OPTIONS };
  const draw = rng(3);
  for (const [method, schema] of Object.entries(schemas)) {
    for (const key of Object.keys(schema)) {
      const i = Math.floor(draw() * (key.length - 1));
      const typo = key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
      if (typo === key) continue;
      const builder = (explain(smooth, x) as unknown as Record<string, (o: object) => ExplainBuilder>)[method]({ [typo]: 1 });
      await assert.rejects(builder.run(), new RegExp(`unknown option '${typo}' for ${method}\\(\\); did you mean '${key}'\\?`));
    }
  }
  // @ts-expect-error nothing close
  await assert.rejects(explain(smooth, x).ig({ zzzzzz: 1 }).run(), /unknown option 'zzzzzz' for ig\(\); the known options are 'steps', 'rule', 'keepPath'/);
});

test('a value of the wrong type for any option fails naming the method and the option (property)', async () => {
  const schemas: Record<string, object> = { ig: IG_OPTIONS, guidedIG: GUIDED_IG_OPTIONS, smoothGrad: SMOOTH_GRAD_OPTIONS, blurIG: BLUR_IG_OPTIONS, ig2: IG2_OPTIONS };
  const spy = counted(smooth);
  for (const [method, schema] of Object.entries(schemas)) {
    for (const key of [...Object.keys(schema), 'label', ...(method === 'smoothGrad' ? [] : ['refine'])]) {
      if (key === 'representation') continue; // any string may name a layer or node
      const value = key === 'label' ? 7 : 'oops';
      const builder = (explain(spy.model, x) as unknown as Record<string, (o: object) => ExplainBuilder>)[method]({ ...(method === 'ig2' ? { references: x } : {}), [key]: value });
      await assert.rejects(builder.run(), new RegExp(`^Error: ${method}\\(\\): ${key}: expected .*, got ${value === 7 ? 7 : "'oops'"}`), `${method}.${key}`);
    }
  }
  assert.equal(spy.calls(), 0);
});

test('x with more rows than one call takes: the first rows are measured, the others evaluated forward, nothing leaked', async () => {
  const predicted = tf.tidy(() => tf.argMax(smooth(x), 1));
  const targets = Array.from(await predicted.data());
  predicted.dispose();
  const tensors = tf.memory().numTensors;
  const ex = await explain(smooth, x, { internalBatchSize: 2 }).gradient().run({ onProgress: () => {} });
  assert.deepEqual(ex.targets, targets);
  ex.dispose();
  assert.equal(tf.memory().numTensors, tensors);
});

test('x against a LayersModel input shape is checked before any model call', async () => {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4, 2], units: 3, activation: 'softmax' }), tf.layers.flatten()] });
  let calls = 0;
  const apply = model.apply.bind(model);
  model.apply = ((...args: Parameters<typeof apply>) => {
    calls++;
    return apply(...args);
  }) as typeof model.apply;
  const bad = tf.zeros([2, 4]);
  await assert.rejects(explain(model, bad).ig().run(), /^Error: x: expected shape \[B, 4, 2\] \(the model's input\), got \[2, 4\]$/);
  assert.equal(calls, 0);
  bad.dispose();
  model.dispose();
});

test('a plan over the time limit fails before it runs, naming the method, the option and what would fit', async () => {
  const spy = counted(smooth);
  const tensors = tf.memory().numTensors;
  await assert.rejects(
    explain(spy.model, x).gradient().guidedIG({ steps: 400 }).run({ maxSeconds: 1e-4 }),
    /^Error: guidedIG\(\): steps 400 would take about .* gradient rows at the measured .* ms each.*over the .* limit\).*, or allow it with \.run\(\{ maxSeconds \}\)/,
  );
  assert.ok(spy.calls() <= 3, `${spy.calls()} calls (a cold measurement and two warm ones)`);
  assert.equal(tf.memory().numTensors, tensors);
});

test('estimate() counts the gradient rows each method will take, with three small model calls (one cold, two warm) and nothing run', async () => {
  const pool = randomTensor(rng(9), [12, 8, 8, 1]);
  const plan = (m: ModelFunction) =>
    explain(m, images, { internalBatchSize: 7 })
      .gradient()
      .ig({ steps: 9 })
      .guidedIG({ steps: 5 })
      .smoothGrad({ samples: 3, of: 'ig', ofOptions: { steps: 4 } })
      .blurIG({ steps: 6 })
      .ig2({ references: { pool, count: 2 }, representation: (b) => b.reshape([b.shape[0], -1]), steps: 5 });
  const spy = counted(imageModel);
  const tensors = tf.memory().numTensors;
  const estimate = await plan(spy.model).estimate();
  assert.equal(spy.calls(), 3);
  assert.ok(estimate.rate.warm);
  assert.equal(tf.memory().numTensors, tensors);
  assert.deepEqual(estimate.problems, []);
  assert.ok(estimate.rate.secondsPerCall + estimate.rate.secondsPerRow > 0 && estimate.rate.bytesPerRow > 0);
  const ex = await plan(imageModel);
  for (const m of estimate.methods) {
    assert.equal(m.gradientRows, ex.record(m.label).gradientRows, `${m.label}: gradient rows`);
    assert.ok(m.modelCalls >= ex.record(m.label).gradientCalls, `${m.label}: ${m.modelCalls} calls estimated, ${ex.record(m.label).gradientCalls} gradient calls made`);
    assert.ok(m.seconds > 0 && m.peakBytes > 0);
  }
  assert.equal(estimate.gradientRows, estimate.methods.reduce((s, m) => s + m.gradientRows, 0));
  ex.dispose();
  pool.dispose();
});

test('NaN along part of the path: IG and Guided IG both finish with a notice; NaN along all of it: both fail alike', async () => {
  // NaN wherever the input's L1 norm is below a threshold: near the zero baseline only, or (almost) everywhere.
  const nanBelow = (threshold: number): ModelFunction => (b) =>
    tf.tidy(() => {
      // 1 above the threshold, sqrt(-1) = NaN below it (tf.step has a zero gradient, tf.greater none).
      const scale = tf.sqrt(tf.sub(tf.mul(tf.step(tf.sub(tf.sum(tf.abs(b), 1, true), threshold)), 2), 1));
      return tf.mul(smooth(b), scale);
    });
  const l1 = Math.min(...(await tf.sum(tf.abs(x), 1).data()));
  const partial = await explain(nanBelow(0.2 * l1), x).ig({ steps: 10, rule: 'riemannLeft' }).guidedIG({ steps: 10 }).run({ onProgress: () => {} });
  for (const method of ['ig', 'guidedIG']) {
    const notice = partial.notices.find((n) => n.startsWith(`${method}: the model's gradient is NaN or Infinity at some points`));
    assert.ok(notice, `${method}: ${JSON.stringify(partial.notices)}`);
    assert.match(notice, /example 0: \d+ of 10 points, first at step 0/);
    assert.ok((await partial.attribution(method).data()).some(Number.isNaN));
  }
  partial.dispose();
  for (const method of ['ig', 'guidedIG'] as const) {
    const tensors = tf.memory().numTensors;
    await assert.rejects(
      explain(nanBelow(0.999 * l1), x)[method]({ steps: 8 }).run({ onProgress: () => {} }),
      new RegExp(`^Error: ${method}: the model's gradient is NaN or Infinity at every point of the path of example \\d`),
    );
    assert.equal(tf.memory().numTensors, tensors, `${method}: tensors leaked`);
  }
});

test('a model that throws in the middle of a method: one error naming the method and step, no tensor leaked', async () => {
  const options = { ig: { steps: 6 }, guidedIG: { steps: 6 }, smoothGrad: { samples: 4, of: 'ig', ofOptions: { steps: 3 } } } as const;
  for (const method of ['ig', 'guidedIG', 'smoothGrad'] as const) {
    let calls = 0;
    const failing: ModelFunction = (b) => {
      if (++calls > 3) return smooth(throwsInGradient(b) as tf.Tensor);
      return smooth(b);
    };
    const tensors = tf.memory().numTensors;
    await assert.rejects(
      explain(failing, x, { internalBatchSize: 3 })[method](options[method] as never).run({ onProgress: () => {} }),
      new RegExp(`^Error: ${method} \\(step \\d( of \\d+)?\\): boom in the backward pass`),
    );
    assert.equal(tf.memory().numTensors, tensors, `${method}: tensors leaked`);
  }
});
