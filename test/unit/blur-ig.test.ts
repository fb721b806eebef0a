import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain, type ModelFunction } from '../../src/index.js';
import { applySeparable, blurDifference, blurMatrix, blurOperator, gaussianTaps } from '../../src/methods/gaussianBlur.js';
import { maxAbsDiff, randomTensor, rng, useBackend } from '../helpers.js';

/** A random smooth image model: [B, H, W, C] → tanh MLP → softmax over k classes. */
function imageModel(random: () => number, features: number, k: number): ModelFunction {
  const W1 = randomTensor(random, [features, 6], -0.5, 0.5);
  const W2 = randomTensor(random, [6, k], -1, 1);
  return (batch) => tf.tidy(() => tf.softmax(tf.matMul(tf.tanh(tf.matMul(batch.reshape([batch.shape[0], features]), W1)), W2)));
}

describe('the Gaussian blur operator', () => {
  test('taps: normalised, symmetric; identity below σ = 0.125', () => {
    for (const sigma of [0.3, 0.7, 1.9, 5]) {
      const taps = gaussianTaps(sigma);
      assert.ok(Math.abs(taps.reduce((s, v) => s + v, 0) - 1) < 1e-15);
      taps.forEach((v, i) => assert.equal(v, taps[taps.length - 1 - i]));
    }
    assert.deepEqual(Array.from(gaussianTaps(0.12)), [1]);
    assert.deepEqual(Array.from(blurMatrix(3, 0)), [1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  test('the float64 difference operator equals the difference of two blurs', async () => {
    await useBackend('cpu');
    const random = rng(2);
    const x = randomTensor(random, [2, 5, 7, 3]) as tf.Tensor4D;
    for (const sigma of [0, 0.12, 0.37, 1.2, 4]) {
      const h = 0.01;
      const pair = applySeparable(x, blurDifference(5, 7, sigma, h));
      const direction = tf.add(pair.slice(0, 2), pair.slice(2, 2));
      const [now, next] = [applySeparable(x, [blurOperator(5, 7, sigma)]), applySeparable(x, [blurOperator(5, 7, sigma + h)])];
      const naive = tf.div(tf.sub(next, now), h);
      // The naive float32 difference loses ~1e-7 / h; ours does not.
      assert.ok(maxAbsDiff(await direction.data(), await naive.data()) < 1e-3, `σ = ${sigma}`);
      tf.dispose([pair, direction, now, next, naive]);
    }
    x.dispose();
  });
});

describe('Blur IG', () => {
  test('batching images and chunking do not change the result; no tensor is left behind', async () => {
    await useBackend('cpu');
    const random = rng(3);
    const model = imageModel(random, 5 * 6 * 2, 3);
    const x = randomTensor(random, [3, 5, 6, 2]);
    const options = { maxSigma: 4, steps: 20 };
    const before = tf.memory().numTensors;
    const all = await explain(model, x, { target: [0, 1, 2] }).blurIG(options);
    const chunked = await explain(model, x, { target: [0, 1, 2], internalBatchSize: 4 }).blurIG(options);
    const full = await all.attribution('blurIG').data();
    assert.ok(maxAbsDiff(full, await chunked.attribution('blurIG').data()) < 1e-6);
    for (let b = 0; b < 3; b++) {
      const xb = x.slice(b, 1);
      const one = await explain(model, xb, { target: b }).blurIG(options);
      assert.ok(maxAbsDiff(full.slice(b * 60, (b + 1) * 60), await one.attribution('blurIG').data()) < 1e-6, `image ${b}`);
      one.dispose();
      xb.dispose();
    }
    all.dispose();
    chunked.dispose();
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
  });

  test('completeness: Σ A ≈ f(x) − f(blurred x) on a fine schedule', async () => {
    await useBackend('cpu');
    for (const seed of [1, 2, 3]) {
      const random = rng(seed);
      const model = imageModel(random, 6 * 6 * 3, 2);
      const x = randomTensor(random, [1, 6, 6, 3]);
      const ex = await explain(model, x, { target: 0 }).blurIG({ maxSigma: 3, steps: 300, gradStep: 0.001 });
      const c = ex.completeness('blurIG');
      assert.ok(Math.abs(c.gap[0]) <= 0.02 * Math.abs(c.delta[0]) + 1e-4, `seed ${seed}: Σ ${c.sum[0]} vs Δf ${c.delta[0]}`);
      const trace = ex.path('blurIG');
      assert.equal(trace.progress[0][0], 1);
      assert.equal(trace.moved[0][10], 0, 'σ = 0.1 → 0.11: both blurs are the identity');
      assert.ok(trace.moved[0][100] > 0.9, 'a blur step moves (nearly) every pixel');
      ex.dispose();
      x.dispose();
    }
  });

  test('bad input names the argument', async () => {
    await useBackend('cpu');
    const model = (batch: tf.Tensor) => tf.tidy(() => batch.reshape([batch.shape[0], -1]).sum(1, true));
    const flat = tf.zeros([1, 12]);
    const image = tf.zeros([1, 2, 2, 3]);
    await assert.rejects(explain(model, flat).blurIG().run(), /x: expected images \[B, H, W, C\] for Blur IG.*got shape \[1, 12\]/);
    await assert.rejects(explain(model, image).blurIG({ maxSigma: 0 }).run(), /maxSigma: expected a number in \(0/);
    await assert.rejects(explain(model, image).blurIG({ gradStep: -1 }).run(), /gradStep: expected a number in \(0/);
    await assert.rejects(explain(model, image).blurIG({ steps: 2.5 }).run(), /steps: expected a positive integer/);
    tf.dispose([flat, image]);
  });
});
