// `refine` for every path method, and the completeness notices.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, mock, test } from 'node:test';
import { explain } from '../../src/index.js';
import { completenessTable, explanationBundle, summaryText } from '../../src/display/report.js';
import { parseRefine } from '../../src/methods/refine.js';
import { escapeHtml } from '../../src/render/escape.js';
import { fileModel } from '../../src/index.js';
import { loadDigits } from '../../examples/digits.js';
import { expectNoLeak, fixtureFunction, fixtureNames, loadFixture, maxAbs, maxAbsDiff, rng, useBackend } from '../helpers.js';

/**
 * f(z) = Σ_i a_i sin(w_i z_i) (and its negative as a second class). Separable, so the exact attribution
 * of feature i along any path from p to q made of straight segments is a_i (sin(w_i q_i) − sin(w_i p_i)),
 * whatever the segments: the integrals telescope.
 */
function separableModel(d: number, seed: number) {
  const random = rng(seed);
  const a = Array.from({ length: d }, () => random() * 2 - 1);
  const w = Array.from({ length: d }, () => 1 + 4 * random());
  const [A, W] = [tf.tensor1d(a), tf.tensor1d(w)];
  const g = (z: tf.Tensor) => tf.mul(A, tf.sin(tf.mul(W, z.reshape([z.shape[0], -1]))));
  const model = (z: tf.Tensor) =>
    tf.tidy(() => {
      const s = tf.sum(g(z), 1, true);
      return tf.concat([s, tf.neg(s)], 1);
    });
  /** Exact attribution of the path from `from` to `to` (rows of [B, d]). */
  const exact = (from: ArrayLike<number>, to: ArrayLike<number>) => Float64Array.from(to, (v, i) => a[i % d] * (Math.sin(w[i % d] * v) - Math.sin(w[i % d] * from[i])));
  return { model, representation: (z: tf.Tensor) => tf.tidy(() => g(z)), exact, dispose: () => tf.dispose([A, W]) };
}

const sumRows = (rows: number[][]) => rows.map((r) => r.reduce((s, v) => s + v, 0));

describe('parseRefine', () => {
  test('true, false, options', () => {
    assert.equal(parseRefine(undefined), null);
    assert.equal(parseRefine(false), null);
    assert.deepEqual(parseRefine(true), { tolerance: 0.01, maxGradients: null });
    assert.deepEqual(parseRefine({ tolerance: 0.001, maxGradients: 50 }), { tolerance: 0.001, maxGradients: 50 });
  });
  test('bad values name refine', () => {
    assert.throws(() => parseRefine('yes'), /^Error: refine: expected true, false or \{ tolerance, maxGradients \}, got 'yes'/);
    assert.throws(() => parseRefine({ tolerence: 0.1 }), /refine: expected only the keys 'tolerance' and 'maxGradients', got 'tolerence'/);
    assert.throws(() => parseRefine({ tolerance: 0 }), /refine.tolerance: expected a number in \(0, 1\)/);
    assert.throws(() => parseRefine({ maxGradients: -1 }), /refine.maxGradients: expected a whole number/);
  });
  test('a bad refine fails the method; an example without a path is left alone', async () => {
    await useBackend('cpu');
    const { model, dispose } = separableModel(3, 1);
    const x = tf.ones([1, 3]);
    await assert.rejects(explain(model, x).guidedIG({ refine: 2 as never }).run(), /refine: expected/);
    // An example equal to its baseline has no path: nothing to refine, a zero attribution.
    const withEmpty = tf.concat([x, tf.zeros([1, 3])]);
    await expectNoLeak(async () => {
      const ex = await explain(model, withEmpty, { target: 0 }).guidedIG({ steps: 4, refine: true }).ig({ steps: 2, refine: true });
      for (const m of ex.methods) assert.equal(maxAbs((await ex.attribution(m).data()).slice(3)), 0, m);
      assert.equal(ex.path('guidedIG').refinement!.extraGradients[1], 0);
      ex.dispose();
    });
    tf.dispose([x, withEmpty]);
    dispose();
  });
});

describe('refine converges to the exact path integral, on the same path', () => {
  test('IG, Guided IG and IG2 on a separable model: error shrinks with the tolerance; path points and stepSum consistent; no leak', async () => {
    await useBackend('cpu');
    const d = 12;
    const { model, representation, exact, dispose } = separableModel(d, 3);
    const random = rng(4);
    const x = tf.tensor2d(Array.from({ length: 2 * d }, () => random() * 2 - 1), [2, d]);
    const references = tf.tensor2d(Array.from({ length: 3 * d }, () => random() * 2 - 1), [3, d]);
    const xData = await x.data();
    const zeros = new Float32Array(2 * d);
    const errors: Record<string, number[]> = { ig: [], guidedIG: [], ig2: [] };
    let plainPoints: Record<string, Float32Array> = {};
    for (const tolerance of [undefined, 1e-2, 1e-4, 1e-6]) {
      const refine = tolerance === undefined ? undefined : { tolerance, maxGradients: 4000 };
      await expectNoLeak(async () => {
        const ex = await explain(model, x, { target: 0 })
          .ig({ steps: 4, rule: 'riemannLeft', refine, keepPath: true })
          .guidedIG({ steps: 16, refine, keepPath: true })
          .ig2({ references, representation, steps: 20, refine, keepPath: true });
        const gradCF = await ex.gradCF('ig2').data();
        // IG2: the mean over references of the exact integral from each GradCF baseline to x.
        const ig2Exact = new Float64Array(2 * d);
        for (let b = 0; b < 2; b++) {
          for (let r = 0; r < 3; r++) {
            const e = exact(gradCF.subarray((b * 3 + r) * d, (b * 3 + r + 1) * d), xData.subarray(b * d, (b + 1) * d));
            e.forEach((v, i) => (ig2Exact[b * d + i] += v / 3));
          }
        }
        const expected: Record<string, ArrayLike<number>> = { ig: exact(zeros, xData), guidedIG: exact(zeros, xData), ig2: ig2Exact };
        for (const m of ['ig', 'guidedIG', 'ig2']) {
          errors[m].push(maxAbsDiff(await ex.attribution(m).data(), expected[m]));
          const trace = ex.path(m);
          // The trace's steps still add up to Σ attribution.
          assert.ok(maxAbsDiff(sumRows(trace.stepSum!), ex.completeness(m).sum) < 1e-5, `${m}: stepSum`);
          const points = await trace.points!.data();
          if (tolerance === undefined) plainPoints[m] = points as Float32Array;
          else assert.equal(maxAbsDiff(points, plainPoints[m]), 0, `${m}: refine moved the path`);
          if (tolerance === undefined) {
            assert.equal(trace.refinement, undefined);
            continue;
          }
          const record = trace.refinement!;
          const { gap, delta } = ex.completeness(m);
          record.gapAfter.forEach((g, b) => assert.ok(Math.abs(g - gap[b]) < 1e-5, `${m}: recorded gap ${g} vs ${gap[b]}`));
          record.extraGradients.forEach((n) => assert.ok(n <= 4000));
          record.withinTolerance.forEach((ok, b) => assert.ok(ok && Math.abs(gap[b]) <= tolerance * Math.abs(delta[b]) + 1e-6, `${m} example ${b}: gap ${gap[b]}`));
        }
        assert.equal(ex.record('guidedIG').gradientRows, 2 * 16 + sum(ex.path('guidedIG').refinement?.extraGradients ?? [0]));
        ex.dispose();
      });
    }
    plainPoints = {};
    for (const m of ['ig', 'guidedIG', 'ig2']) {
      const [plain, loose, , tight] = errors[m];
      assert.ok(plain > 10 * tight && loose > tight, `${m}: errors ${errors[m].map((e) => e.toExponential(2)).join(' → ')}`);
      assert.ok(tight < 2e-3, `${m}: refined error ${tight}`);
    }
    console.log(`# refine, max |A − exact| at no refine, tolerance 1e-2, 1e-4, 1e-6: ${Object.entries(errors).map(([m, e]) => `${m} ${e.map((v) => v.toExponential(1)).join(' ')}`).join('; ')}`);
    tf.dispose([x, references]);
    dispose();
  });
});

const sum = (values: number[]) => values.reduce((s, v) => s + v, 0);

describe('refine on the fixtures\' models', () => {
  test('Guided IG and Blur IG fixtures: refine brings every gap within 1% (from up to 12%); the defaults stay the reference\'s', async () => {
    await useBackend('cpu');
    const cases = [...fixtureNames('guided-ig', 'gig_'), ...fixtureNames('guided-ig', 'blurig_')];
    for (const name of cases) {
      const fx = loadFixture('guided-ig', name);
      const shape = fx.input_shape as number[];
      const { f, target } = fixtureFunction(fx.model);
      const x = tf.tensor(fx.input, shape).expandDims(0);
      const warn = mock.method(console, 'warn', () => {});
      try {
        await expectNoLeak(async () => {
        const ex = await (async () => {
          if (name.startsWith('gig')) {
            const { x_steps: steps, fraction, max_dist: maxDist } = fx.params;
            const baseline = tf.tensor(fx.baseline, shape);
            const e = await explain(f, x, { target }).guidedIG({ steps, fraction, maxDist, baseline }).guidedIG({ steps, fraction, maxDist, baseline, refine: true, label: 'refined' });
            baseline.dispose();
            return e;
          }
          const { max_sigma: maxSigma, steps, grad_step: gradStep } = fx.params;
          return explain(f, x, { target }).blurIG({ maxSigma, steps, gradStep }).blurIG({ maxSigma, steps, gradStep, refine: true, label: 'refined' });
        })();
        const [plain, refined] = ex.methods;
        assert.ok(maxAbsDiff(await ex.attribution(plain).data(), fx.expected_attribution_flat) <= 1e-5 + 1e-5 * maxAbs(fx.expected_attribution_flat), `${name}: the default is the reference's`);
        const before = ex.completeness(plain);
        const after = ex.completeness(refined);
        assert.ok(Math.abs(after.gap[0]) <= 0.01 * Math.abs(after.delta[0]), `${name}: refined gap ${after.gap[0]} (Δf ${after.delta[0]}, before ${before.gap[0]})`);
        assert.ok(Math.abs(after.gap[0]) <= Math.abs(before.gap[0]));
        console.log(`# ${name}: gap ${before.gap[0].toFixed(4)} → ${after.gap[0].toFixed(4)} (Δf ${after.delta[0].toFixed(4)}) with ${ex.path(refined).refinement!.extraGradients[0]} extra gradients`);
        ex.dispose();
        });
      } finally {
        warn.mock.restore();
      }
      x.dispose();
    }
  });
});

describe('completeness notices', () => {
  test('a gap above 5% gets one notice naming method, example, gap and remedy; the table marks it; refine: true clears it', async () => {
    await useBackend('cpu');
    const fx = loadFixture('guided-ig', 'gig_scalar_unbounded.json');
    const { f, target } = fixtureFunction(fx.model);
    const x = tf.tensor(fx.input, fx.input_shape).expandDims(0);
    const warn = mock.method(console, 'warn', () => {});
    try {
      // Unbounded Guided IG with 20 steps misses Δf by 6%; IG is complete.
      const ex = await explain(f, x, { target }).guidedIG({ steps: 20, fraction: 0.1, maxDist: 1, label: 'coarse' }).ig();
      const gap = ex.completeness('coarse').gap[0];
      assert.ok(Math.abs(gap) > 0.05 * Math.abs(ex.completeness('coarse').delta[0]));
      assert.equal(ex.notices.length, 1);
      assert.match(ex.notices[0], /'coarse' \(guidedIG\): the attributions do not add up .* example 0: .*gap -?0\.\d+, \d+% of \|Δf\|\).*refine: true.*maxDist/);
      assert.equal(warn.mock.calls.filter((c) => c.arguments[0] === ex.notices[0]).length, 1, 'printed once');
      const table = completenessTable(ex);
      assert.equal(table.split('⚠').length - 1, 1, 'one example marked');
      assert.match(summaryText(ex), /coarse .*⚠ 1 example\(s\) off by > 5%/);
      assert.ok(String(explanationBundle(ex)['text/html']).includes(`<p class="notice">${escapeHtml(ex.notices[0])}</p>`), 'the notebook view shows the notice');
      ex.dispose();
      warn.mock.resetCalls();
      const refined = await explain(f, x, { target }).guidedIG({ steps: 20, fraction: 0.1, maxDist: 1, refine: true });
      assert.deepEqual(refined.notices, []);
      assert.equal(warn.mock.callCount(), 0);
      assert.doesNotMatch(completenessTable(refined), /⚠/);
      assert.match(completenessTable(refined), /\(\+\d+ refine\)/);
      refined.dispose();
      // A budget too small to help: the notice says to raise it.
      const starved = await explain(f, x, { target }).guidedIG({ steps: 20, fraction: 0.1, maxDist: 1, refine: { maxGradients: 0 } });
      assert.match(starved.notices[0], /raise refine\.maxGradients/);
      starved.dispose();
    } finally {
      warn.mock.restore();
    }
    x.dispose();
  });
});

describe('refine on the digits CNN', () => {
  test('Guided IG, IG2 (probabilities and logits) and IG with refine: true are within 1% of |Δf| for every digit', async () => {
    await useBackend('cpu');
    const model = await tf.loadLayersModel(fileModel('examples/models/digits-cnn/model.json'));
    const { images } = loadDigits('test', 1);
    const x = images.slice(0, 3);
    const references = images.slice(3, 4);
    const warn = mock.method(console, 'warn', () => {});
    try {
      const ex = await explain(model, x)
        .guidedIG({ steps: 20, fraction: 0.05, refine: true })
        .ig2({ references, steps: 10, refine: true })
        .ig2({ references, steps: 10, refine: true, output: 'logits', label: 'ig2 logits' })
        .ig({ steps: 8, refine: true });
      for (const m of ex.methods) {
        const { gap, delta } = ex.completeness(m);
        gap.forEach((g, b) => assert.ok(Math.abs(g) <= 0.01 * Math.abs(delta[b]) + 1e-6, `${m} digit ${b}: gap ${g}, Δf ${delta[b]}, ${JSON.stringify(ex.path(m).refinement)}`));
      }
      console.log(`# digits CNN, extra gradients per digit: ${ex.methods.map((m) => `${m} ${ex.path(m).refinement!.extraGradients.join('/')} (gap before ${ex.path(m).refinement!.gapBefore.map((g) => g.toFixed(4)).join('/')})`).join('; ')}`);
      assert.deepEqual(ex.notices, []);
      ex.dispose();
    } finally {
      warn.mock.restore();
    }
    tf.dispose([images, x, references]);
    model.dispose();
  });
});
