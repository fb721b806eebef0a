import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gaussLegendre, quadrature, RULES } from '../../src/methods/rules.js';

test('every rule: weights sum to 1, points ascending inside [0, 1]', () => {
  for (const rule of RULES) {
    for (const n of [2, 3, 7, 50, 201]) {
      const { alphas, weights } = quadrature(rule, n);
      assert.equal(alphas.length, n);
      assert.ok(Math.abs(weights.reduce((a, b) => a + b, 0) - 1) < 1e-12, `${rule} n=${n}`);
      assert.ok(alphas.every((a, i) => a >= 0 && a <= 1 && (i === 0 || a > alphas[i - 1])), `${rule} n=${n}`);
    }
  }
});

test('Captum rule definitions', () => {
  assert.deepEqual(quadrature('riemannLeft', 4).alphas, [0, 0.25, 0.5, 0.75]);
  assert.deepEqual(quadrature('riemannRight', 4).alphas, [0.25, 0.5, 0.75, 1]);
  assert.deepEqual(quadrature('riemannMiddle', 4).alphas, [0.125, 0.375, 0.625, 0.875]);
  const trapezoid = quadrature('riemannTrapezoid', 5);
  assert.deepEqual(trapezoid.alphas, [0, 0.25, 0.5, 0.75, 1]);
  assert.deepEqual(trapezoid.weights, [0.125, 0.25, 0.25, 0.25, 0.125]);
  assert.throws(() => quadrature('riemannTrapezoid', 1), /steps: expected at least 2/);
});

test('Gauss–Legendre: known nodes and exact on polynomials of degree 2n − 1', () => {
  const three = gaussLegendre(3);
  const r = Math.sqrt(3 / 5);
  [-r, 0, r].forEach((z, i) => assert.ok(Math.abs(three.nodes[i] - z) < 1e-15));
  [5 / 9, 8 / 9, 5 / 9].forEach((w, i) => assert.ok(Math.abs(three.weights[i] - w) < 1e-15));
  for (const n of [1, 2, 5, 16, 50]) {
    const { alphas, weights } = quadrature('gaussLegendre', n);
    for (let degree = 0; degree <= 2 * n - 1; degree += Math.max(1, Math.floor(n / 3))) {
      const integral = alphas.reduce((s, a, k) => s + weights[k] * a ** degree, 0);
      assert.ok(Math.abs(integral - 1 / (degree + 1)) < 1e-13, `n=${n} degree=${degree}: ${integral}`);
    }
  }
});
