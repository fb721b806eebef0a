import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { explain } from '../../src/index.js';
import { maxAbs, maxAbsDiff, randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';

before(() => useBackend('cpu'));

test("Guided IG with maxDist 0 equals ig({ rule: 'riemannLeft' }) with the same steps (random models)", async () => {
  const random = rng(5);
  for (let trial = 0; trial < 6; trial++) {
    const d = 3 + Math.floor(random() * 40);
    const f = randomSmoothModel(random, d, 6, 3);
    const x = randomTensor(random, [2, d], -1, 1);
    const baseline = random() < 0.5 ? 'zeros' : randomTensor(random, [d], -1, 1);
    const steps = 3 + Math.floor(random() * 40);
    const fraction = 0.05 + 0.95 * random();
    const ex = await explain(f, x).guidedIG({ steps, maxDist: 0, fraction, baseline }).ig({ steps, rule: 'riemannLeft', baseline });
    const gig = await ex.attribution('guidedIG').data();
    const ig = await ex.attribution('ig').data();
    assert.ok(maxAbsDiff(gig, ig) <= 1e-5 * Math.max(1, maxAbs(ig)), `trial ${trial}: ${maxAbsDiff(gig, ig)}`);
    ex.dispose();
    tf.dispose([x, ...(baseline instanceof tf.Tensor ? [baseline] : [])]);
  }
});

test('Guided IG with fraction 1 is also the straight line', async () => {
  const random = rng(6);
  const f = randomSmoothModel(random, 12, 6, 2);
  const x = randomTensor(random, [3, 12], -1, 1);
  const ex = await explain(f, x).guidedIG({ steps: 30, fraction: 1, maxDist: 0.3 }).ig({ steps: 30, rule: 'riemannLeft' });
  assert.ok(maxAbsDiff(await ex.attribution('guidedIG').data(), await ex.attribution('ig').data()) < 1e-5);
  ex.dispose();
  x.dispose();
});

test('Guided IG completeness: the gap shrinks as 1/steps on smooth models', async () => {
  const random = rng(8);
  for (let trial = 0; trial < 3; trial++) {
    const f = randomSmoothModel(random, 20, 8, 3);
    const x = randomTensor(random, [2, 20], -1, 1);
    const ex = await explain(f, x).guidedIG({ steps: 50, label: 'coarse' }).guidedIG({ steps: 400, label: 'fine' });
    const coarse = ex.completeness('coarse');
    const fine = ex.completeness('fine');
    fine.gap.forEach((g, b) => {
      assert.ok(Math.abs(g) <= Math.abs(coarse.gap[b]) / 4 + 1e-6, `gap 400 steps ${g} vs 50 steps ${coarse.gap[b]}`);
      assert.ok(Math.abs(g) <= 2e-2 * Math.abs(fine.delta[b]) + 1e-5);
    });
    ex.dispose();
    x.dispose();
  }
});

test('all examples share one gradient call per step; each example matches its own run', async () => {
  const random = rng(9);
  const f = randomSmoothModel(random, 10, 6, 3);
  const x = randomTensor(random, [4, 10], -1, 1);
  let calls = 0;
  const counted = (batch: tf.Tensor) => {
    calls++;
    return f(batch);
  };
  const together = await explain(counted, x, { target: 1 }).guidedIG({ steps: 20 });
  assert.equal(calls, 1 + 1 + 20 + 1, 'scores, f(x), 20 steps, f(baseline)');
  assert.equal(together.record('guidedIG').gradientRows, 80);
  for (let b = 0; b < 4; b++) {
    const one = x.slice(b, 1);
    const alone = await explain(f, one, { target: 1 }).guidedIG({ steps: 20 });
    const expected = await alone.attribution('guidedIG').data();
    const got = (await together.attribution('guidedIG').data()).subarray(b * 10, (b + 1) * 10);
    assert.ok(maxAbsDiff(got, expected) < 1e-6);
    alone.dispose();
    one.dispose();
  }
  together.dispose();
  x.dispose();
});

test('an example equal to its baseline gets zero attribution and no gradient calls', async () => {
  const random = rng(10);
  const f = randomSmoothModel(random, 6, 4, 2);
  const x = tf.tensor2d([[0, 0, 0, 0, 0, 0], [1, 2, 3, 0, 0, 1]]);
  const ex = await explain(f, x).guidedIG({ steps: 10 });
  assert.deepEqual(Array.from((await ex.attribution('guidedIG').data()).subarray(0, 6)), [0, 0, 0, 0, 0, 0]);
  assert.equal(ex.record('guidedIG').gradientRows, 10, 'only the second example is evaluated');
  const lone = await explain(f, x.slice(0, 1)).guidedIG({ steps: 10 });
  assert.equal(lone.record('guidedIG').gradientRows, 0);
  [ex, lone].forEach((e) => e.dispose());
  x.dispose();
});

test('the trace: progress from 0 in equal L1 steps, moved fractions, keepPath points', async () => {
  const random = rng(12);
  const f = randomSmoothModel(random, 8, 4, 2);
  const x = randomTensor(random, [2, 8], 0.1, 1);
  const ex = await explain(f, x).guidedIG({ steps: 16, keepPath: true });
  const path = ex.path('guidedIG');
  for (let b = 0; b < 2; b++) {
    path.progress[b].forEach((p, t) => assert.ok(Math.abs(p - t / 16) < 1e-6));
    assert.ok(path.moved[b].every((m) => m > 0 && m <= 1));
    assert.ok(path.gradNorm[b].every((g) => g > 0));
  }
  assert.deepEqual(path.points!.shape, [2, 16, 8]);
  const first = await path.points!.slice([0, 0, 0], [2, 1, 8]).data();
  assert.ok(maxAbs(first) === 0, 'the path starts at the zero baseline');
  ex.dispose();
  x.dispose();
});
