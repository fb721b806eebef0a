// IG2 against the authors' implementation's outputs (test/fixtures/ig2, from github.com/JoeZhuo-ZY/IG2 run unchanged).
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain } from '../../src/index.js';
import { fixtureNames, loadFixture, testBackends, useBackend } from '../helpers.js';
import { ig2MlpFunctions, ig2MlpLayers } from '../ig2Models.js';

const cases = fixtureNames('ig2', '');
const worst: Record<string, number> = {};
const KINDS = ['function', 'layers', 'layers-softmax'] as const;

/** The largest |got − expected| − rtol·|expected| excess over atol; ≤ 0 passes. */
function excess(got: ArrayLike<number>, expected: number[], atol: number, rtol: number): { excess: number; maxDiff: number } {
  assert.equal(got.length, expected.length);
  let worstExcess = -Infinity;
  let maxDiff = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - expected[i]);
    maxDiff = Math.max(maxDiff, d);
    worstExcess = Math.max(worstExcess, d - atol - rtol * Math.abs(expected[i]));
  }
  return { excess: worstExcess, maxDiff };
}

for (const backend of testBackends()) {
  for (const kind of KINDS) {
    describe(`IG2 conformance, ${kind} model, ${backend}`, () => {
      for (const name of cases) {
        test(name, async () => {
          await useBackend(backend);
          const fx = loadFixture('ig2', name);
          const { model: f, representation: h } = ig2MlpFunctions(fx);
          const model = kind === 'function' ? f : ig2MlpLayers(fx, kind === 'layers-softmax');
          const x = tf.tensor2d([fx.explicand]);
          const references = tf.tensor(fx.references);
          const { steps, step_size: stepSize, clip_min: lo, clip_max: hi, n_references: R } = fx.params;
          const { attribution_atol: atol, path_and_gradcf_atol: pathAtol, rtol } = fx.cross_checks.suggested_tolerance;
          const before = tf.memory().numTensors;
          const ex = await explain(model, x, { target: fx.target_class, internalBatchSize: 5 }).ig2({
            references,
            representation: kind === 'function' ? h : 'penultimate',
            output: kind === 'layers-softmax' ? 'logits' : 'model',
            steps,
            stepSize,
            clip: [lo, hi],
            keepPath: true,
          });
          const attribution = excess(await ex.attribution('ig2').data(), fx.expected.attribution.flat(), atol, rtol);
          worst[`${name} (${kind}, ${backend})`] = attribution.maxDiff;
          assert.ok(attribution.excess <= 0, `attribution off by ${attribution.maxDiff}`);
          const path = await ex.path('ig2').points!.data();
          const firstStep = path.slice(R * 48, 2 * R * 48);
          assert.ok(excess(firstStep, fx.expected.path_first_step.flat(), pathAtol, rtol).excess <= 0, 'first path step');
          assert.ok(excess(await ex.gradCF('ig2').data(), fx.expected.gradcf.flat(), pathAtol, rtol).excess <= 0, 'GradCF');
          assert.deepEqual(ex.gradCF('ig2').shape, [1, R, 48]);
          if (fx.expected.path) assert.ok(excess(path, fx.expected.path.flat(2), pathAtol, rtol).excess <= 0, 'path');
          const trace = ex.path('ig2');
          const endDistance = trace.referenceDistance![0][steps];
          assert.ok(excess(endDistance, fx.expected.rep_sq_distance_end, 1e-4, 1e-3).excess <= 0, 'distance at GradCF');
          assert.ok(excess(trace.referenceDistance![0][0], fx.expected.rep_sq_distance_start, 1e-5, 1e-5).excess <= 0, 'distance at x');
          const c = ex.completeness('ig2');
          const expected = fx.expected.completeness;
          assert.ok(Math.abs(c.sum[0] - expected.sum_attribution) <= 48 * atol, `Σ attribution ${c.sum[0]}`);
          assert.ok(Math.abs(c.delta[0] - expected.mean_output_difference) <= 1e-4, `f(x) − mean f(GradCF) ${c.delta[0]}`);
          // Both gradients at K points per reference, each point evaluated twice (output and distance).
          assert.equal(ex.record('ig2').gradientRows, 2 * steps * R);
          ex.dispose();
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
          tf.dispose([x, references]);
          if (kind !== 'function') (model as tf.LayersModel).dispose();
        });
      }
    });
  }
}

test('report the worst IG2 conformance error per case', () => {
  const rows = Object.entries(worst).map(([k, v]) => `${k}: ${v.toExponential(2)}`);
  console.log(`# IG2 worst |Δ attribution| per case\n# ${rows.join('\n# ')}`);
  assert.equal(rows.length, cases.length * KINDS.length * testBackends().length);
});
