// The ground-truth benchmark's truths and scores (bench/groundTruth/): the contributions add up, IG of
// the generating function itself recovers them (IG is exact for these functions), and the token scores
// find planted keywords.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain } from '../../src/index.js';
import { normalSamples } from '../../src/random.js';
import { keywordHitRate, meanRankCorrelation, randomAttribution, tokenScores } from '../../bench/groundTruth/score.js';
import { FEATURES, sampleTask, TABULAR_TASKS } from '../../bench/groundTruth/tabular.js';
import { LENGTH, sampleSentences, TEXT_TASKS } from '../../bench/groundTruth/text.js';

const row = (data: ArrayLike<number>, r: number) => Array.from({ length: FEATURES }, (_, i) => data[r * FEATURES + i]);

test('each task’s true contributions add up to f(x) − f(b) for random x and b', async () => {
  const n = 16;
  for (const task of TABULAR_TASKS) {
    const [x, b] = [normalSamples(n * FEATURES, 3), normalSamples(n * FEATURES, 4)];
    const f = async (data: Float32Array) => tf.tidy(() => task.f(tf.tensor2d(data, [n, FEATURES]))).data();
    const [fx, fb] = [await f(x), await f(b)];
    for (let r = 0; r < n; r++) {
      const total = task.contributions(row(x, r), row(b, r)).reduce((s, c) => s + c, 0);
      assert.ok(Math.abs(total - (fx[r] - fb[r])) < 1e-4 * (1 + Math.abs(fx[r] - fb[r])), `${task.name} example ${r}: Σ ${total} vs Δf ${fx[r] - fb[r]}`);
    }
  }
});

test('IG of the generating function equals the truth and ranks as it does; a random attribution does not', async () => {
  for (const task of TABULAR_TASKS) {
    const data = await sampleTask(task, 12, 11);
    const truth = Array.from({ length: data.n }, (_, r) => task.contributions(row(data.x, r), new Array(FEATURES).fill(0)));
    const model = (batch: tf.Tensor) => task.f(batch as tf.Tensor2D).reshape([-1, 1]) as tf.Tensor2D;
    const x = tf.tensor2d(data.x, [data.n, FEATURES]);
    const before = tf.memory().numTensors;
    const ex = await explain(model, x, { target: 0 }).ig({ steps: 64 }).run({ onProgress: () => {} });
    const ig = await ex.attribution('ig').data();
    const rho = meanRankCorrelation(ig, truth);
    ex.dispose();
    truth.flat().forEach((t, k) => assert.ok(Math.abs(ig[k] - t) < 1e-3 * (1 + Math.abs(t)), `${task.name}: IG ${ig[k]} vs truth ${t}`));
    assert.equal(tf.memory().numTensors, before);
    x.dispose();
    assert.ok(rho > 0.99, `${task.name}: ρ = ${rho}`); // ties in the truth (x₀x₁ to both) split by float error
    assert.ok(meanRankCorrelation(randomAttribution(data.n * FEATURES, 5), truth) < 0.5, `${task.name}: random scores high`);
  }
});

test('planted keywords: positives hold every keyword, negatives not all; the hit rate finds them', () => {
  for (const task of TEXT_TASKS) {
    const s = sampleSentences(task, 60, 9);
    for (let r = 0; r < s.n; r++) {
      const sentence = Array.from(s.ids.subarray(r * LENGTH, (r + 1) * LENGTH));
      assert.equal(task.keywords.every((k) => sentence.includes(k)), s.labels[r] === 1, `${task.name} sentence ${r}`);
    }
    // An attribution [n, T, 2] with weight only on keyword positions ranks them first in every sentence.
    const attribution = Array.from({ length: s.n * LENGTH * 2 }, (_, k) => (task.keywords.includes(s.ids[Math.floor(k / 2)]) ? 1 : 0.01 * (k % 7)));
    assert.equal(keywordHitRate(tokenScores(attribution, s.n, LENGTH, 2).filter((_, r) => s.labels[r] === 1), s.ids.filter((_, k) => s.labels[Math.floor(k / LENGTH)] === 1), LENGTH, task.keywords), 1);
  }
});
