import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { explain, RULES } from '../../src/index.js';
import { fixtureFunction, fixtureNames, loadFixture, maxAbs, maxAbsDiff, randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';

before(() => useBackend('cpu'));

test('IG is exact on linear models, for every rule (random models, inputs, baselines)', async () => {
  const random = rng(1);
  for (let trial = 0; trial < 6; trial++) {
    const [d, k, examples] = [3 + Math.floor(random() * 10), 2 + Math.floor(random() * 4), 1 + Math.floor(random() * 3)];
    const W = randomTensor(random, [d, k], -1, 1);
    const f = (batch: tf.Tensor) => tf.matMul(batch.reshape([batch.shape[0], d]), W);
    const x = randomTensor(random, [examples, d], -2, 2);
    const baseline = randomTensor(random, [examples, d], -2, 2);
    const target = Array.from({ length: examples }, () => Math.floor(random() * k));
    const expected = tf.tidy(() => tf.mul(tf.sub(x, baseline), tf.gather(W.transpose(), target))).arraySync() as number[][];
    for (const rule of RULES) {
      const steps = 2 + Math.floor(random() * 20);
      const ex = await explain(f, x, { target, internalBatchSize: 1 + Math.floor(random() * 16) }).ig({ rule, steps, baseline });
      const got = (await ex.attribution('ig').array()) as number[][];
      assert.ok(maxAbsDiff(got.flat(), expected.flat()) < 1e-5, `${rule}, ${steps} steps`);
      assert.ok(Math.max(...ex.completeness('ig').gap.map(Math.abs)) < 1e-4);
      ex.dispose();
    }
    tf.dispose([W, x, baseline]);
  }
});

test('IG completeness within 1e-3 relative on smooth models at default settings', async () => {
  const random = rng(2);
  for (let trial = 0; trial < 8; trial++) {
    const d = 4 + Math.floor(random() * 30);
    const f = randomSmoothModel(random, d, 8, 3);
    const x = randomTensor(random, [2, d], -1, 1);
    const ex = await explain(f, x).ig();
    const { gap, delta } = ex.completeness('ig');
    gap.forEach((g, b) => assert.ok(Math.abs(g) <= 1e-3 * Math.abs(delta[b]) + 1e-6, `gap ${g}, delta ${delta[b]}`));
    ex.dispose();
    x.dispose();
  }
});


test('IG converges on the fixture models: error against a 512-point Gauss–Legendre result shrinks with steps', async () => {
  for (const name of ['ig_scalar_s25_zero.json', 'ig_softmax_s25_zero.json']) {
    const fx = loadFixture('guided-ig', name);
    const { f, target } = fixtureFunction(fx.model);
    const x = tf.tensor(fx.input, fx.input_shape).expandDims(0);
    const exact = await explain(f, x, { target }).ig({ steps: 512 });
    const truth = await exact.attribution('ig').data();
    for (const rule of ['riemannLeft', 'riemannMiddle', 'riemannTrapezoid', 'gaussLegendre'] as const) {
      const errors = [];
      for (const steps of [4, 16, 64]) {
        const ex = await explain(f, x, { target }).ig({ rule, steps });
        errors.push(maxAbsDiff(await ex.attribution('ig').data(), truth));
        ex.dispose();
      }
      assert.ok(errors[1] < errors[0] && errors[2] < errors[1] + 1e-6, `${name} ${rule}: ${errors}`);
      assert.ok(errors[2] < 2e-2 * maxAbs(truth), `${name} ${rule}: ${errors}`);
    }
    exact.dispose();
    x.dispose();
  }
});
