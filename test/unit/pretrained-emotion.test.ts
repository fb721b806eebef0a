import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { explain } from '../../src/index.js';
import { adaptModel } from '../../src/model.js';
import { createOracle } from '../../src/oracle.js';
import { maxAbs, maxAbsDiff, randomTensor, rng, useBackend } from '../helpers.js';
import { loadEmotionModel } from '../pretrained.js';

// A real pretrained graph model from npm (@vladmandic/human's face-emotion classifier): fused conv,
// depthwise conv, max pool. Before pathlens's kernels its wasm gradient failed, and after the missing
// ones were added it was 31% off cpu because of wasm's MaxPoolGrad. cpu takes seconds per image here.
it('face-emotion model: the wasm input gradient equals the cpu one to 1e-5 relative', async () => {
  await useBackend('cpu');
  const model = await loadEmotionModel();
  const x = randomTensor(rng(5), [2, 64, 64, 1]);
  const targets = [3, 6];
  const gradientOn = async (backend: 'cpu' | 'wasm') => {
    await useBackend(backend);
    const before = tf.memory().numTensors;
    const { value, grad } = createOracle(adaptModel(model), 7, 64).valueAndGrad(x, targets);
    const out = { value: value.dataSync().slice(), grad: grad.dataSync().slice() };
    tf.dispose([value, grad]);
    assert.equal(tf.memory().numTensors, before, `${backend}: tensor leak`);
    return out;
  };
  const wasm = await gradientOn('wasm');
  const cpu = await gradientOn('cpu');
  const relative = maxAbsDiff(wasm.grad, cpu.grad) / maxAbs(cpu.grad);
  console.log(`emotion model: wasm vs cpu input gradient, max relative difference ${relative.toExponential(2)}`);
  assert.ok(maxAbsDiff(wasm.value, cpu.value) < 1e-5);
  assert.ok(relative < 1e-5, `relative difference ${relative}`);
  assert.ok(maxAbs(cpu.grad) > 0);
  model.dispose();
  x.dispose();
});

it('face-emotion model (a real tf.GraphModel from npm): Guided IG and IG through explain() on wasm', async () => {
  await useBackend('wasm');
  const model = await loadEmotionModel();
  const x = randomTensor(rng(6), [1, 64, 64, 1]);
  const before = tf.memory().numTensors;
  const ex = await explain(model, x, { target: 3 })
    .guidedIG({ steps: 32, fraction: 0.25, maxDist: 0.02 })
    .guidedIG({ steps: 32, maxDist: 0, label: 'straight' })
    .ig({ steps: 32, rule: 'riemannLeft' });
  assert.deepEqual(ex.attribution('guidedIG').shape, [1, 64, 64, 1]);
  assert.equal(ex.record('guidedIG').gradientRows, 32);
  assert.ok((await ex.attribution('guidedIG').data()).every(Number.isFinite));
  // The axiom on a real model: with maxDist 0 the adaptive path is the straight line.
  assert.ok(maxAbsDiff(await ex.attribution('straight').data(), await ex.attribution('ig').data()) < 1e-6);
  const { gap, delta } = ex.completeness('ig');
  assert.ok(Math.abs(gap[0]) < 0.1 * Math.abs(delta[0]) + 1e-3, `IG gap ${gap[0]} for Δf ${delta[0]}`);
  ex.dispose();
  assert.equal(tf.memory().numTensors, before);
  model.dispose();
  x.dispose();
});
