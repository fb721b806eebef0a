// Blur IG and its Gaussian blur against PAIR saliency's outputs (test/fixtures/guided-ig, blur*).
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { explain } from '../../src/index.js';
import { applySeparable, blurMatrix, blurOperator, kernelRadius } from '../../src/methods/gaussianBlur.js';
import { fixtureFunction, fixtureLayersModel, fixtureNames, loadFixture, maxAbs, maxAbsDiff, testBackends, useBackend } from '../helpers.js';

const cases = fixtureNames('guided-ig', 'blurig_');
const worst: Record<string, number> = {};

/** M_H · X · M_Wᵀ per channel, in float64 on the host. */
function blurOnHost(image: number[][][], sigma: number): number[][][] {
  const [height, width, channels] = [image.length, image[0].length, image[0][0].length];
  const mh = blurMatrix(height, sigma);
  const mw = blurMatrix(width, sigma);
  return Array.from({ length: height }, (_, h) =>
    Array.from({ length: width }, (_, w) =>
      Array.from({ length: channels }, (_, c) => {
        let s = 0;
        for (let i = 0; i < height; i++) for (let j = 0; j < width; j++) s += mh[h * height + i] * mw[w * width + j] * image[i][j][c];
        return s;
      }),
    ),
  );
}

describe('Gaussian blur (blur_gaussian_checks)', () => {
  const fx = loadFixture('guided-ig', 'blur_gaussian_checks.json');
  for (const check of fx.checks as { sigma: number; kernel_radius: number; blurred: number[][][] }[]) {
    test(`σ = ${check.sigma}`, async () => {
      if (check.sigma > 0) assert.equal(kernelRadius(check.sigma), check.kernel_radius);
      const expected = check.blurred.flat(2);
      assert.ok(maxAbsDiff(blurOnHost(fx.input, check.sigma).flat(2), expected) <= 1e-15, 'float64 host blur');
      for (const backend of testBackends()) {
        await useBackend(backend);
        const x = tf.tensor4d([fx.input]);
        const blurred = applySeparable(x, [blurOperator(4, 4, check.sigma)]);
        assert.ok(maxAbsDiff(await blurred.data(), expected) <= 1e-6, `float32 blur on ${backend}`);
        tf.dispose([x, blurred]);
      }
    });
  }
});

for (const backend of testBackends()) {
  for (const kind of ['function', 'layers'] as const) {
    describe(`Blur IG conformance, ${kind} model, ${backend}`, () => {
      for (const name of cases) {
        test(name, async () => {
          await useBackend(backend);
          const fx = loadFixture('guided-ig', name);
          const shape = fx.input_shape as number[];
          const { f, target } = fixtureFunction(fx.model);
          const model = kind === 'function' ? f : fixtureLayersModel(fx.model, shape);
          const x = tf.tensor(fx.input, shape).expandDims(0);
          const { max_sigma: maxSigma, steps, grad_step: gradStep } = fx.params;
          const before = tf.memory().numTensors;
          const ex = await explain(model, x, { target, internalBatchSize: 16 }).blurIG({ maxSigma, steps, gradStep, keepPath: true });
          const expected = fx.expected_attribution_flat as number[];
          const error = maxAbsDiff(await ex.attribution('blurIG').data(), expected);
          const tolerance = 1e-6 + 1e-5 * maxAbs(expected);
          worst[`${name} (${kind}, ${backend})`] = error;
          assert.ok(error <= tolerance, `max |Δ| ${error} > ${tolerance}`);
          assert.equal(ex.record('blurIG').gradientRows, fx.model_calls.count);
          const points = await ex.path('blurIG').points!.data();
          assert.ok(maxAbsDiff(points, (fx.trace.grad_eval_points as number[][]).flat()) <= 1e-6, 'path points');
          const c = ex.completeness('blurIG');
          assert.ok(Math.abs(c.fBaseline[0] - fx.completeness.f_baseline) <= 1e-5, `f(blurred) ${c.fBaseline[0]}`);
          assert.ok(Math.abs(c.sum[0] - fx.completeness.attribution_sum) <= 48 * tolerance, `Σ ${c.sum[0]}`);
          ex.dispose();
          assert.equal(tf.memory().numTensors, before, 'tensors leaked');
          x.dispose();
          if (kind === 'layers') (model as tf.LayersModel).dispose();
        });
      }
    });
  }
}

test('report the worst Blur IG conformance error per case', () => {
  const rows = Object.entries(worst).map(([k, v]) => `${k}: ${v.toExponential(2)}`);
  console.log(`# Blur IG worst |Δ| per case\n# ${rows.join('\n# ')}`);
  assert.equal(rows.length, cases.length * 2 * testBackends().length);
});
