// IG against the reference implementation's outputs (test/fixtures/guided-ig, from PAIR saliency).
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { explain } from '../../src/index.js';
import { fixtureFunction, fixtureNames, loadFixture, maxAbs, maxAbsDiff, testBackends, useBackend } from '../helpers.js';

// The reference IG (PAIR saliency) averages the gradients on linspace(0, 1, T), both ends included.
// Its points are those of our trapezoid rule, so: T·ref = (T−1)·trapezoid + d ⊙ (g(b) + g(x)) / 2.
for (const [backend, name] of testBackends().flatMap((b) => fixtureNames('guided-ig', 'ig_').map((n) => [b, n] as const))) {
  test(`IG conformance through the trapezoid rule: ${name} on ${backend}`, async () => {
    await useBackend(backend);
    const fx = loadFixture('guided-ig', name);
    const shape = fx.input_shape as number[];
    const { f, target } = fixtureFunction(fx.model);
    const x = tf.tensor(fx.input, shape).expandDims(0);
    const baseline = tf.tensor(fx.baseline, shape).expandDims(0);
    const steps = fx.params.x_steps as number;
    const ex = await explain(f, x, { target }).ig({ rule: 'riemannTrapezoid', steps, baseline });
    const atInput = await explain(f, x, { target }).gradient();
    const atBaseline = await explain(f, baseline, { target }).gradient();
    const reference = tf.tidy(() => {
      const d = tf.sub(x, baseline);
      const ends = tf.mul(d, tf.add(atInput.attribution('gradient'), atBaseline.attribution('gradient'))).div(2);
      return tf.add(tf.mul(ex.attribution('ig'), steps - 1), ends).div(steps);
    });
    const expected = fx.expected_attribution_flat as number[];
    const error = maxAbsDiff(await reference.data(), expected);
    assert.ok(error <= 1e-6 + 1e-5 * maxAbs(expected), `max |Δ| ${error}`);
    tf.dispose([x, baseline, reference]);
    [ex, atInput, atBaseline].forEach((e) => e.dispose());
  });
}
