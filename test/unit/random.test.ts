import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalSamples } from '../../src/random.js';

test('normalSamples: seeded, repeatable, standard normal moments', () => {
  assert.deepEqual(normalSamples(101, 7), normalSamples(101, 7));
  assert.notDeepEqual(normalSamples(10, 7), normalSamples(10, 8));
  const v = normalSamples(200_001, 3);
  const n = v.length;
  const mean = v.reduce((s, x) => s + x, 0) / n;
  const variance = v.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
  const beyond2 = v.filter((x) => Math.abs(x) > 2).length / n;
  assert.ok(Math.abs(mean) < 0.01, `mean ${mean}`);
  assert.ok(Math.abs(variance - 1) < 0.01, `variance ${variance}`);
  assert.ok(Math.abs(beyond2 - 0.0455) < 0.003, `P(|z| > 2) = ${beyond2}`);
  assert.ok(v.every(Number.isFinite));
});
