import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendInfo, ensureBackend, explain } from '../../src/index.js';
import { checkInputOnlyFilterGradients, useBackend } from '../helpers.js';

// One process, scenarios in order: the choice is process state, as in a notebook kernel.
test('backend choice: auto default, then the user’s tf.setBackend, then PATHLENS_BACKEND', async () => {
  delete process.env.PATHLENS_BACKEND;
  // Making a tensor lets tfjs pick its lazy default (cpu): that is not a user's choice.
  const x = tf.tensor2d([[1, 2, 3]]);
  assert.match(backendInfo().reason, /not yet chosen by pathlens/);
  const auto = await ensureBackend();
  assert.equal(auto.name, 'wasm');
  // webgpu is installed (a dev dependency) but this machine has no GPU: llvmpipe is never taken by itself.
  assert.match(auto.reason, /^wasm: @tensorflow\/tfjs-node-gpu not installed; @tensorflow\/tfjs-node not installed; webgpu found no GPU adapter$/);
  assert.deepEqual(auto.tried.map((t) => [t.candidate, t.ok]), [
    ['@tensorflow/tfjs-node-gpu', false],
    ['@tensorflow/tfjs-node', false],
    ['webgpu', false],
    ['wasm', true],
  ]);
  assert.equal(backendInfo(), auto);

  // Tensors made before the switch still work (tfjs moves their data).
  const f = (b: tf.Tensor) => tf.matMul(b, tf.tensor2d([[1, 0], [0, 1], [1, 1]]));
  const onWasm = await explain(f, x, { target: 1 }).ig({ steps: 4 });
  assert.equal(onWasm.backend, 'wasm');
  assert.deepEqual(Array.from(await onWasm.attribution('ig').data()), [0, 2, 3]);
  onWasm.dispose();

  await tf.setBackend('cpu');
  const user = await ensureBackend();
  assert.equal(user.name, 'cpu');
  assert.match(user.reason, /cpu: set by the user \(tf.setBackend\('cpu'\)\)/);
  const onCpu = await explain(f, x, { target: 1 }).ig({ steps: 4 });
  assert.equal(onCpu.backend, 'cpu');
  onCpu.dispose();

  process.env.PATHLENS_BACKEND = 'wasm';
  const forced = await ensureBackend();
  assert.equal(forced.name, 'wasm');
  assert.equal(forced.reason, 'wasm: PATHLENS_BACKEND=wasm');
  process.env.PATHLENS_BACKEND = 'tensorflow';
  await assert.rejects(ensureBackend(), /PATHLENS_BACKEND: backend 'tensorflow' could not be started \(@tensorflow\/tfjs-node-gpu not installed; @tensorflow\/tfjs-node not installed\)/);
  delete process.env.PATHLENS_BACKEND;
  x.dispose();
});

test('input-only mode on cpu: the stock filter-gradient kernels are wrapped (the code path webgpu and tfjs-node use)', async () => {
  await useBackend('cpu');
  await checkInputOnlyFilterGradients('cpu');
});
