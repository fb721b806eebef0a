import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { it, mock } from 'node:test';

// The other route: the user imports and starts the wasm backend before pathlens loads.
it('pathlens replaces the stock wasm kernels when the wasm backend was started before it loaded, without warnings', async () => {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  const warn = mock.method(console, 'warn');
  const { isPathlensKernel, pathlensKernels } = await import('../../src/backend/kernels.js');
  await import('../../src/index.js');
  for (const name of pathlensKernels().wasm) assert.ok(isPathlensKernel(name, 'wasm'), `wasm ${name} is not pathlens's`);
  assert.equal(warn.mock.callCount(), 0, String(warn.mock.calls[0]?.arguments));
  warn.mock.restore();
  const dx = tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1])).dataSync());
  assert.deepEqual(Array.from(dx), [0, 1, 0, 0]);
});
