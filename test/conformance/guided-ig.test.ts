// Guided IG against the reference implementation's outputs (test/fixtures/guided-ig, from PAIR saliency).
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain } from '../../src/index.js';
import { fixtureFunction, fixtureLayersModel, fixtureNames, loadFixture, maxAbs, maxAbsDiff, testBackends, useBackend } from '../helpers.js';

const cases = fixtureNames('guided-ig', 'gig_');
const worst: Record<string, number> = {};

for (const backend of testBackends()) {
  for (const kind of ['function', 'layers'] as const) {
    describe(`Guided IG conformance, ${kind} model, ${backend}`, () => {
      for (const name of cases) {
        test(name, async () => {
          await useBackend(backend);
          const fx = loadFixture('guided-ig', name);
          const shape = fx.input_shape as number[];
          const { f, target } = fixtureFunction(fx.model);
          const model = kind === 'function' ? f : fixtureLayersModel(fx.model, shape);
          const x = tf.tensor(fx.input, shape).expandDims(0);
          const baseline = tf.tensor(fx.baseline, shape);
          const { x_steps: steps, fraction, max_dist: maxDist } = fx.params;
          const before = tf.memory().numTensors;
          const ex = await explain(model, x, { target }).guidedIG({ steps, fraction, maxDist, baseline, keepPath: true });
          const got = await ex.attribution('guidedIG').data();
          const expected = fx.expected_attribution_flat as number[];
          const error = maxAbsDiff(got, expected);
          const tolerance = 1e-6 + 1e-5 * maxAbs(expected);
          const key = `${name} (${kind}, ${backend})`;
          worst[key] = error;
          assert.ok(error <= tolerance, `max |Δ| ${error} > ${tolerance}`);
          // The reference makes exactly x_steps gradient calls with one point each.
          assert.equal(ex.record('guidedIG').gradientRows, fx.model_calls.count);
          // Each step's gradient point matches the reference path (float32 points, float64 reference).
          if (fx.trace?.grad_eval_points) {
            const points = (await ex.path('guidedIG').points!.data()) as Float32Array;
            const reference = (fx.trace.grad_eval_points as number[][]).flat();
            assert.ok(maxAbsDiff(points, reference) < 1e-5, `path leaves the reference by ${maxAbsDiff(points, reference)}`);
          }
          const c = ex.completeness('guidedIG');
          assert.ok(Math.abs(c.sum[0] - fx.completeness.attribution_sum) <= tolerance * 48);
          ex.dispose();
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
          tf.dispose([x, baseline]);
          if (kind === 'layers') (model as tf.LayersModel).dispose();
        });
      }
    });
  }
}

test('report the worst conformance error per case', () => {
  const rows = Object.entries(worst).map(([k, v]) => `${k}: ${v.toExponential(2)}`);
  console.log(`# Guided IG worst |Δ| per case\n# ${rows.join('\n# ')}`);
  assert.equal(rows.length, cases.length * 2 * testBackends().length);
});
