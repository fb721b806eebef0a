import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { explain } from '../../src/index.js';
import { randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';

before(() => useBackend('cpu'));

// The trajectory view draws completeness along the path from trace.stepSum: each path method's
// per-step sums must add up to its Σ attribution, and they must really vary along the path.
test('path methods record what each step adds to Σ attribution, summing to the total', async () => {
  const random = rng(5);
  const d = 16;
  const f = randomSmoothModel(random, d, 6, 3);
  const x = randomTensor(random, [2, 4, 4, 1], 0, 1);
  const flat = (batch: tf.Tensor) => f(batch.reshape([batch.shape[0], d]));
  const references = randomTensor(random, [2, 4, 4, 1], 0, 1);
  const ex = await explain(flat, x, { internalBatchSize: 5 })
    .ig({ steps: 7 })
    .guidedIG({ steps: 9 })
    .ig2({ references, steps: 6, representation: (b) => b.reshape([b.shape[0], d]) })
    .blurIG({ maxSigma: 2, steps: 6 });
  for (const name of ex.methods) {
    const { stepSum, progress } = ex.path(name);
    assert.ok(stepSum, `${name}: stepSum`);
    const sums = ex.completeness(name).sum;
    stepSum.forEach((row, b) => {
      assert.equal(row.length, progress[b].length, `${name}: one entry per step`);
      const total = row.reduce((s, v) => s + v, 0);
      assert.ok(Math.abs(total - sums[b]) <= 1e-4 * (1 + Math.abs(sums[b])), `${name}[${b}]: Σ steps ${total} vs Σ attribution ${sums[b]}`);
      assert.ok(new Set(row.map((v) => v.toFixed(6))).size > 1, `${name}[${b}]: the steps differ`);
    });
  }
  ex.dispose();
  tf.dispose([x, references]);
});
