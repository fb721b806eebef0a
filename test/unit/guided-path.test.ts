import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GuidedPath, kthSmallest } from '../../src/methods/guidedPath.js';
import { rng } from '../helpers.js';

test('kthSmallest equals sorting, with ties and infinities', () => {
  const random = rng(7);
  for (let trial = 0; trial < 300; trial++) {
    const n = 1 + Math.floor(random() * 60);
    const values = Float64Array.from({ length: n }, () => {
      const r = random();
      return r < 0.1 ? Infinity : r < 0.3 ? 0 : Math.round(random() * 8) / 4; // many ties
    });
    const sorted = Float64Array.from(values).sort();
    const k = Math.floor(random() * n);
    const copy = Float64Array.from(values);
    assert.equal(kthSmallest(values, k, new Float64Array(n)), sorted[k]);
    assert.deepEqual(values, copy, 'input unchanged');
  }
});

/** Runs the schedule with an analytic gradient; returns the attribution and every start-of-step point. */
function run(x: number[], b: number[], grad: (p: Float64Array) => number[], steps: number, fraction: number, maxDist: number) {
  const path = new GuidedPath(Float64Array.from(x), Float64Array.from(b), { steps, fraction, maxDist });
  const points: Float64Array[] = [];
  for (let t = 0; t < steps; t++) {
    points.push(Float64Array.from(path.position));
    path.step(t, grad(path.position));
  }
  points.push(Float64Array.from(path.position));
  return { attribution: Array.from(path.attribution), points, path };
}

test('reference unit tests (spec §1.5)', () => {
  const linear = (p: Float64Array) => [2, 1];
  assert.deepEqual(run([10, 5], [-1, -3], linear, 10, 0.1, 0.5).attribution.map((v) => +v.toFixed(9)), [22, 8]);
  assert.deepEqual(run([10, 5], [0, 0], linear, 10, 0.1, 0.5).attribution.map((v) => +v.toFixed(9)), [20, 5]);

  const squares = (p: Float64Array) => [4 * p[0], 2 * p[1]];
  const [a1, a2] = run([3, 3], [0, 0], squares, 1000, 0.1, 0.4).attribution;
  assert.ok(Math.abs(a1 - 18) < 0.1 && Math.abs(a2 - 9) < 0.1);
  const [r1, r2] = run([0, 0], [3, 3], squares, 1000, 0.1, 0.4).attribution;
  assert.ok(Math.abs(r1 + 18) < 0.1 && Math.abs(r2 + 9) < 0.1);

  const mixed = (p: Float64Array) => [4 * (2 * p[0] + p[1]), 2 * (2 * p[0] + p[1])];
  const close = (v: number[], e: number[], tol: number) => v.every((x, i) => Math.abs(x - e[i]) < tol);
  assert.ok(close(run([3, 3], [0, 0], mixed, 1000, 0.1, 0).attribution, [54, 27], 0.2));
  assert.ok(close(run([3, 3], [0, 0], mixed, 1000, 1, 0.5).attribution, [54, 27], 0.2));
  assert.ok(close(run([3, 3], [0, 0], mixed, 1000, 0.1, 1).attribution, [72, 9], 0.2));
  const [m1, m2] = run([3, 3], [0, 0], mixed, 1000, 0.1, 0.2).attribution;
  assert.ok(Math.abs(m1 + m2 - 81) < 0.2 && m1 > 55 && m1 < 71 && m2 > 10 && m2 < 26);
});

test('path invariants on random problems: monotone, in the box, within maxDist of the line, L1 schedule exact', () => {
  const random = rng(11);
  for (let trial = 0; trial < 40; trial++) {
    const n = 2 + Math.floor(random() * 30);
    const x = Array.from({ length: n }, () => (random() < 0.15 ? 0 : random() * 2 - 1));
    const b = Array.from({ length: n }, (_, i) => (random() < 0.15 ? x[i] : random() * 2 - 1));
    const w = Array.from({ length: n }, () => random() * 2 - 1);
    const grad = (p: Float64Array) => w.map((wi, i) => wi * Math.cos(p[i]) + (random() < 0.1 ? 0 : 0));
    const steps = 5 + Math.floor(random() * 40);
    const fraction = Math.max(0.01, random());
    const maxDist = random() < 0.2 ? 0 : random() < 0.2 ? 1 : random() * 0.3;
    const { points, path } = run(x, b, grad, steps, fraction, maxDist);
    const length = x.reduce((s, xi, i) => s + Math.abs(xi - b[i]), 0);
    for (let t = 1; t <= steps; t++) {
      const alpha = t / steps;
      let distance = 0;
      for (let i = 0; i < n; i++) {
        const d = x[i] - b[i];
        const p = points[t][i];
        distance += Math.abs(p - x[i]);
        assert.ok((p - points[t - 1][i]) * d >= 0, 'monotone towards x');
        if (d === 0) continue;
        const a = (p - b[i]) / d;
        assert.ok(a >= Math.max(alpha - maxDist, 0) - 1e-12 && a <= Math.min(alpha + maxDist, 1) + 1e-12, `progress ${a} at α=${alpha}`);
      }
      assert.ok(Math.abs(distance - length * (1 - alpha)) <= 1e-9 * Math.max(1, length), `L1 after step ${t}`);
    }
    assert.ok(Math.abs(path.progress() - 1) < 1e-9);
  }
});

test('terminates on float32-valued inputs with thousands of features (the float64 bookkeeping matters)', () => {
  const random = rng(3);
  const n = 3072;
  const x = Array.from({ length: n }, () => Math.fround(random()));
  const b = Array.from({ length: n }, () => Math.fround(random() * 0.5));
  const w = Array.from({ length: n }, () => random() - 0.5);
  for (const maxDist of [0, 0.02, 1]) {
    const { path } = run(x, b, () => w, 50, 0.25, maxDist);
    assert.ok(Math.abs(path.progress() - 1) < 1e-9);
  }
});
