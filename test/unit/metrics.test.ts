import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { evaluateAttributions, explain, type ModelFunction } from '../../src/index.js';
import { bokehImage, roundHalfEven } from '../../src/metrics/bokeh.js';
import { interpolateStable, quantileLinear, trapezoid } from '../../src/metrics/curves.js';
import { randomPixelMask } from '../../src/metrics/pic.js';
import { averageRanks, spearman } from '../../src/metrics/rankCorrelation.js';
import { meanInterval } from '../../src/metrics/summary.js';
import { expectNoLeak, rng } from '../helpers.js';

before(async () => {
  await tf.setBackend('cpu');
});

// A model that reads only known pixels: p(class 0) = the mean of x over the k pixels in S, p(class 1) = 1 − that.
const [H, W, K] = [8, 8, 8];
const P = H * W;
const S = [3, 9, 14, 22, 35, 41, 50, 60];
const selector = tf.tensor2d(Array.from({ length: P }, (_, i) => (S.includes(i) ? 1 / K : 0)), [P, 1]);
const readsS: ModelFunction = (batch) =>
  tf.tidy(() => {
    const s = tf.matMul(batch.reshape([batch.shape[0], P]), selector);
    return tf.concat([s, tf.sub(1, s)], 1);
  });
/** Ones on S (the model's evidence), random values elsewhere. */
function inputs(examples: number, seed: number): tf.Tensor4D {
  const random = rng(seed);
  const values = Array.from({ length: examples * P }, (_, i) => (S.includes(i % P) ? 1 : random()));
  return tf.tensor4d(values, [examples, H, W, 1]);
}

test('insertion/deletion: the true attribution scores the known optimum, a random one scores at chance', async () => {
  const B = 48;
  const x = inputs(B, 1);
  const random = rng(2);
  const truth = tf.tidy(() => tf.mul(x, selector.reshape([1, H, W, 1])));
  const noise = tf.tensor4d(Array.from({ length: B * P }, () => random()), [B, H, W, 1]);
  const r = await expectNoLeak(() =>
    evaluateAttributions(readsS, x, { truth, noise }, { target: 0, metrics: ['insertion', 'deletion'], baseline: 'black', steps: P }),
  );
  // Truth reveals S first: the curve rises linearly to 1 over the first k/P of the x-axis.
  const best = 1 - K / P / 2;
  r.scores.truth.insertion!.forEach((auc) => assert.ok(Math.abs(auc - best) < 1e-6, `insertion ${auc} vs ${best}`));
  r.scores.truth.deletion!.forEach((auc) => assert.ok(Math.abs(auc - K / P / 2) < 1e-6, `deletion ${auc}`));
  // A random order reveals S at the rate of everything else: E[y] = x, so E[AUC] = 0.5 for both curves.
  for (const metric of ['insertion', 'deletion'] as const) {
    const { mean, low, high } = meanInterval(r.scores.noise[metric]!);
    assert.ok(Math.abs(mean - 0.5) < 0.06 && low < 0.5 + 0.02 && high > 0.5 - 0.02, `random ${metric}: ${mean} [${low}, ${high}]`);
  }
  const curve = r.curves.truth.insertion![0]!;
  assert.equal(curve.x.length, P + 1);
  assert.equal(curve.x[0], 0);
  assert.equal(curve.x[P], 1);
  assert.ok(Math.abs(curve.y[0]) < 1e-6 && Math.abs(curve.y[K] - 1) < 1e-6);
  tf.dispose([x, truth, noise]);
});

test('ex.evaluate(): gradient × input of the selector model is the true ranking; numTensors balanced', async () => {
  const x = inputs(6, 3);
  const before = tf.memory().numTensors;
  const ex = await explain(readsS, x, { target: 0 }).gradientXInput().gradient();
  const r = await expectNoLeak(() => ex.evaluate({ metrics: ['insertion', 'deletion'], baseline: 0, steps: P, internalBatchSize: 50 }));
  assert.deepEqual(r.methods, ['gradientXInput', 'gradient']);
  r.scores.gradientXInput.insertion!.forEach((auc) => assert.ok(Math.abs(auc - (1 - K / P / 2)) < 1e-6));
  assert.equal(r.scores.gradient.insertion!.length, 6);
  const only = await ex.evaluate({ metrics: ['deletion'], methods: ['gradient'], baseline: 'black', steps: 8 });
  assert.deepEqual(Object.keys(only.scores), ['gradient']);
  assert.deepEqual(Object.keys(only.scores.gradient), ['deletion']);
  assert.equal(only.curves.gradient.deletion![0]!.x.length, 9);
  const plot = ex.metricsPlot(r);
  const bundle = (plot as unknown as Record<symbol, () => Record<string, unknown>>)[Symbol.for('Jupyter.display')]();
  const fig = bundle['application/vnd.plotly.v1+json'] as { data: Array<{ name: string; x: number[] }>; layout: Record<string, unknown> };
  assert.equal(fig.data.length, 4);
  assert.match(fig.data[0].name, /^gradientXInput \(AUC ins 0\.9\d\d · del 0\.\d\d\d\)$/, 'one legend entry per method, its AUCs in it');
  assert.deepEqual(fig.data.map((t) => (t as { showlegend?: boolean }).showlegend), [true, true, false, false]);
  assert.ok('xaxis2' in fig.layout);
  assert.match(bundle['text/plain'] as string, /gradientXInput\s+0\.9\d\d/);
  assert.ok(Buffer.from(bundle['image/png'] as string, 'base64').subarray(1, 4).toString() === 'PNG', 'a static image for front ends without a Plotly renderer');
  ex.dispose();
  await assert.rejects(ex.evaluate(), /explanation: already disposed/);
  assert.equal(tf.memory().numTensors, before);
  x.dispose();
});

test('SIC/AIC on images: one curve of 1001 points per example, skipped examples say why', async () => {
  const x = inputs(4, 5);
  const ex = await explain(readsS, x, { target: 0 }).gradientXInput();
  const r = await expectNoLeak(() => ex.evaluate({ metrics: ['sic', 'aic'], minPredValue: 0.5, randomMaskFraction: 0 }));
  for (const metric of ['sic', 'aic'] as const) {
    const scores = r.scores.gradientXInput[metric]!;
    assert.equal(scores.length, 4);
    r.curves.gradientXInput[metric]!.forEach((c, b) => {
      assert.equal(c === null, r.skipped[metric]![b] !== null);
      if (c) {
        assert.equal(c.x.length, 1001);
        assert.equal(c.y.at(-1), 1);
        assert.ok(Math.abs(trapezoid(c.x, c.y) - scores[b]) < 1e-12);
      } else assert.ok(Number.isNaN(scores[b]));
    });
  }
  // The evidence is fully visible at the original only: p(class 0) = 1 > minPredValue, so nothing is skipped for that reason.
  assert.ok(r.skipped.sic!.every((s) => s === null || !/minPredValue/.test(s)));
  ex.dispose();
  x.dispose();
});

test('bad arguments get errors that name them', async () => {
  const x = inputs(2, 7);
  const ex = await explain(readsS, x, { target: 0 }).gradient();
  const bad: Array<[object, RegExp]> = [
    [{ metrics: ['auc'] }, /^Error: metrics: expected one of 'insertion', 'deletion', 'sic', 'aic', got 'auc'/],
    [{ metrics: [] }, /metrics: expected a non-empty array/],
    [{ baseline: 'blurry' }, /baseline: expected 'blur', 'black', a number or a tf.Tensor, got 'blurry'/],
    [{ steps: 0 }, /steps: expected a positive integer, got 0/],
    [{ methods: ['ig'] }, /methods: expected one of 'gradient', got 'ig'/],
    [{ thresholds: [0.1, 2] }, /thresholds: expected a number in \(0, 1\], got 2/],
    [{ pixelRange: [0, 0.5] }, /pixelRange: expected the range of x's values/],
    [{ saliency: 'positive' }, /saliency: expected one of 'signed', 'abs'/],
    [{ minPredValue: 2 }, /minPredValue: expected a number in \[0, 1\]/],
    [{ entropy: 'lzma' }, /entropy: expected 'webp', 'deflate' or a function/],
    [{ baseline: tf.zeros([3]) }, /baseline: expected a tensor of shape \[8, 8, 1\] \(one example\)/],
  ];
  await expectNoLeak(async () => {
    for (const [options, message] of bad) await assert.rejects(ex.evaluate(options), message, JSON.stringify(options));
  });
  const flat = tf.ones([2, 5]);
  const f: ModelFunction = (b) => tf.tidy(() => tf.softmax(tf.concat([b.sum(1, true), tf.zeros([b.shape[0], 1])], 1)));
  await assert.rejects(evaluateAttributions(f, flat, { a: flat }, { metrics: ['sic'] }), /metrics: expected 'sic' and 'aic' only for images/);
  await assert.rejects(evaluateAttributions(f, flat, { a: flat }, { metrics: ['insertion'], baseline: 'blur' }), /baseline: expected 'black', a number or a tensor for inputs that are not images/);
  // Without a baseline, inputs that are not images get zeros (blur is for images only).
  const scored = await expectNoLeak(() => evaluateAttributions(f, flat, { a: flat }, { metrics: ['insertion', 'deletion'], steps: 5 }));
  assert.equal(scored.settings.baseline, 'black');
  assert.ok(scored.scores.a.insertion!.every(Number.isFinite) && scored.scores.a.deletion!.every(Number.isFinite));
  await assert.rejects(evaluateAttributions(f, flat, { a: tf.ones([2, 4]) }, { baseline: 'black', metrics: ['insertion'] }), /attribution 'a': expected a tensor of x's shape \[2, 5\]/);
  assert.throws(() => ex.metricsPlot({} as never), /result: expected the result of ex.evaluate\(\)/);
  ex.dispose();
  tf.dispose([x, flat]);
});

test('property: the blur baseline and the chunking do not change the curves (rows per call 1 vs 64)', async () => {
  const x = inputs(3, 11);
  const a = tf.tidy(() => tf.randomUniform([3, H, W, 1], 0, 1, 'float32', 4));
  const one = await evaluateAttributions(readsS, x, { a }, { metrics: ['insertion', 'deletion'], internalBatchSize: 1, steps: 10 });
  const many = await evaluateAttributions(readsS, x, { a }, { metrics: ['insertion', 'deletion'], internalBatchSize: 64, steps: 10 });
  assert.deepEqual(one.scores, many.scores);
  // Blurred (σ = 5) vs black baselines give different insertion starts.
  const black = await evaluateAttributions(readsS, x, { a }, { metrics: ['insertion'], baseline: 'black', steps: 10 });
  assert.ok(Math.abs(black.curves.a.insertion![0]!.y[0]) < 1e-6);
  assert.ok(one.curves.a.insertion![0]!.y[0] > 0.01, 'the blurred image keeps some evidence');
  tf.dispose([x, a]);
});

test('property: stable interpolation matches a brute-force reading of interp1d on random nodes with duplicates', () => {
  const random = rng(9);
  for (let trial = 0; trial < 200; trial++) {
    const n = 2 + Math.floor(random() * 8);
    const xs = [...Array.from({ length: n }, () => Math.floor(random() * 5) / 4), 0, 1];
    const ys = xs.map(() => random());
    const at = Array.from({ length: 20 }, () => Math.floor(random() * 9) / 8);
    const got = interpolateStable(xs, ys, at);
    const order = xs.map((_, i) => i).sort((i, j) => xs[i] - xs[j] || i - j);
    at.forEach((v, k) => {
      const le = order.filter((i) => xs[i] <= v);
      const last = le.at(-1)!;
      const next = order.find((i) => xs[i] > v);
      const expected = xs[last] === v || next === undefined ? ys[last] : ys[last] + ((ys[next] - ys[last]) * (v - xs[last])) / (xs[next] - xs[last]);
      assert.ok(Math.abs(got[k] - expected) < 1e-12, `trial ${trial}: at ${v} got ${got[k]}, expected ${expected}`);
    });
  }
});

test('property: quantile, ranks, Spearman, rounding and random masks on random inputs', () => {
  const random = rng(13);
  for (let trial = 0; trial < 100; trial++) {
    const values = Array.from({ length: 1 + Math.floor(random() * 50) }, () => Math.round(random() * 10) / 10);
    const sorted = [...values].sort((a, b) => a - b);
    assert.equal(quantileLinear(values, 0), sorted[0]);
    assert.equal(quantileLinear(values, 1), sorted.at(-1));
    const q = random();
    const v = quantileLinear(values, q);
    assert.ok(v >= sorted[0] && v <= sorted.at(-1)!);
    const ranks = averageRanks(values);
    assert.ok(Math.abs(ranks.reduce((a, b) => a + b, 0) - (values.length * (values.length + 1)) / 2) < 1e-9);
    if (new Set(values).size > 1) {
      assert.ok(Math.abs(spearman(values, values) - 1) < 1e-12);
      assert.ok(Math.abs(spearman(values, values.map((x) => -x)) + 1) < 1e-12);
      assert.ok(Math.abs(spearman(values, values.map((x) => x ** 3 + 5)) - 1) < 1e-12, 'monotone maps keep ρ = 1');
    }
    const pixels = 10 + Math.floor(random() * 200);
    const fraction = random() * 0.5;
    const mask = randomPixelMask(pixels, fraction, random);
    assert.equal(mask.reduce((a, b) => a + b, 0), Math.floor(pixels * fraction));
  }
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, 2.4999, 2.5001].map(roundHalfEven), [0, 2, 2, 0, 2, 3]);
});

test('property: bokeh images keep the kept pixels and stay within their range, on random masks', () => {
  const random = rng(17);
  for (let trial = 0; trial < 40; trial++) {
    const [h, w, c] = [2 + Math.floor(random() * 12), 2 + Math.floor(random() * 12), 1 + Math.floor(random() * 3)];
    const img = Uint8Array.from({ length: h * w * c }, () => Math.floor(random() * 256));
    const mask = Uint8Array.from({ length: h * w }, () => (random() < random() ? 1 : 0));
    const out = bokehImage(img, h, w, c, mask);
    const known = Uint8Array.from(mask);
    for (const corner of [0, w - 1, (h - 1) * w, h * w - 1]) known[corner] = 1;
    for (let ch = 0; ch < c; ch++) {
      const kept = [...Array(h * w).keys()].filter((p) => known[p]).map((p) => img[p * c + ch]);
      const [lo, hi] = [Math.min(...kept), Math.max(...kept)];
      for (let p = 0; p < h * w; p++) {
        if (known[p]) assert.equal(out[p * c + ch], img[p * c + ch]);
        else assert.ok(out[p * c + ch] >= lo && out[p * c + ch] <= hi, `trial ${trial}: pixel ${p} = ${out[p * c + ch]} outside [${lo}, ${hi}]`);
      }
    }
    assert.deepEqual(bokehImage(img, h, w, c, new Uint8Array(h * w).fill(1)), img);
  }
});

test('a model with a single output (a sigmoid) can be explained and evaluated', async () => {
  const w = tf.tensor2d(Array.from({ length: P }, (_, i) => (i % 3) - 1), [P, 1]);
  const sigmoid: ModelFunction = (b) => tf.sigmoid(tf.matMul(b.reshape([b.shape[0], P]), w));
  const x = tf.tensor4d(Array.from({ length: 2 * P }, (_, i) => (i * 7) % 5 / 4), [2, H, W, 1]);
  await expectNoLeak(async () => {
    const ex = await explain(sigmoid, x, { target: 0 }).ig({ steps: 8 });
    const r = await ex.evaluate({ metrics: ['insertion', 'deletion'], scores: 'probabilities', steps: 8 });
    for (const metric of ['insertion', 'deletion'] as const) {
      assert.equal(r.scores.ig[metric]!.length, 2);
      assert.ok(r.scores.ig[metric]!.every((v) => v >= 0 && v <= 1), `${metric}: ${r.scores.ig[metric]}`);
    }
    ex.dispose();
  });
  tf.dispose([w, x]);
});
