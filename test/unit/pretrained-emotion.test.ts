import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { it } from 'node:test';
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
