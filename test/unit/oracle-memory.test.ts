import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { skipFilterGradients, withInputOnlyGradients } from '../../src/backend/inputOnly.js';
import { measurePeakBytes, rowsThatFit, WASM_HEAP_CAP_BYTES } from '../../src/backend/memory.js';
import { adaptModel } from '../../src/model.js';
import { createOracle } from '../../src/oracle.js';
import { maxAbsDiff, randomTensor, rng, useBackend } from '../helpers.js';

function convModel(): tf.LayersModel {
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [12, 12, 2], filters: 6, kernelSize: 3, strides: 2, padding: 'same' }));
  m.add(tf.layers.batchNormalization());
  m.add(tf.layers.reLU());
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 4, activation: 'softmax' }));
  return m;
}

describe('chunk sizing from the measured footprint', () => {
  it('measurePeakBytes counts the data alive at once during a call, and restores the backend', async () => {
    await useBackend('cpu');
    const { result, peakBytes } = measurePeakBytes(() => tf.tidy(() => tf.sum(tf.add(tf.ones([1000]), tf.ones([1000])))));
    assert.ok(peakBytes >= 3 * 4000 && peakBytes < 4 * 4000 + 64, `peak ${peakBytes}`);
    result.dispose();
    assert.ok(!Object.prototype.hasOwnProperty.call(tf.backend(), 'write'));
  });

  it('rowsThatFit: at least one row, at most the requested', () => {
    assert.equal(rowsThatFit(64, 100, 1000), 10);
    assert.equal(rowsThatFit(64, 100, 50), 1);
    assert.equal(rowsThatFit(8, 100, 1e9), 8);
    assert.equal(rowsThatFit(8, 100, Infinity), 8);
  });

  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: a batch that would exceed the heap budget is split, with the same gradients and one notice`, async () => {
      await useBackend(backend);
      const model = adaptModel(convModel());
      const x = randomTensor(rng(1), [20, 12, 12, 2]);
      const targets = Array.from({ length: 20 }, (_, i) => i % 4);
      const whole = createOracle(model, 4, 64, { heapBudgetBytes: Infinity });
      const reference = whole.valueAndGrad(x, targets);
      assert.equal(whole.stats.gradientCalls, 1);

      const probe = createOracle(model, 4, 64, { heapBudgetBytes: 1e12 });
      tf.dispose(Object.values(probe.valueAndGrad(x.slice(0, 2), [0, 1])));
      const bytesPerRow = probe.sizing!.bytesPerRow!;
      assert.ok(bytesPerRow > 12 * 12 * 2 * 4, `bytes per row ${bytesPerRow}`);
      assert.equal(probe.sizing!.rowsPerCall, 64);

      const warn = mock.method(console, 'warn', () => {});
      try {
        const before = tf.memory().numTensors;
        const budget = 3.5 * bytesPerRow;
        // Notices are printed once per process for each (requested → used) pair: a size of its own per backend.
        const requested = backend === 'cpu' ? 64 : 48;
        const tight = createOracle(model, 4, requested, { heapBudgetBytes: budget });
        const split = tight.valueAndGrad(x, targets);
        assert.equal(tight.sizing!.rowsPerCall, 3);
        assert.equal(tight.internalBatchSize, 3);
        assert.ok(tight.sizing!.rowsPerCall * tight.sizing!.bytesPerRow! <= budget);
        assert.equal(tight.stats.gradientCalls, 1 + Math.ceil(19 / 3), 'a first row alone, then chunks of 3');
        assert.match(tight.sizing!.notice!, new RegExp(`internalBatchSize ${requested} lowered to 3`));
        assert.equal(warn.mock.callCount(), 1);
        assert.ok(maxAbsDiff(split.grad.dataSync(), reference.grad.dataSync()) < 1e-6);
        assert.ok(maxAbsDiff(split.value.dataSync(), reference.value.dataSync()) < 1e-6);
        tf.dispose([split.value, split.grad]);
        // The same notice is not printed twice.
        const again = createOracle(model, 4, requested, { heapBudgetBytes: budget });
        tf.dispose(Object.values(again.valueAndGrad(x, targets)));
        assert.equal(warn.mock.callCount(), 1);
        // Nor one for calls that the clamp does not split.
        const small = createOracle(model, 4, requested / 2, { heapBudgetBytes: budget });
        tf.tidy(() => tf.dispose(Object.values(small.valueAndGrad(x.slice(0, 2), [0, 1]))));
        assert.equal(small.sizing!.rowsPerCall, 3);
        assert.equal(warn.mock.callCount(), 1);
        assert.equal(tf.memory().numTensors, before);
      } finally {
        warn.mock.restore();
      }
      tf.dispose([x, reference.value, reference.grad]);
    });
  }

  it('wasm: the default budget is a share of the 4 GB heap ceiling; small models are not clamped', async () => {
    await useBackend('wasm');
    const model = adaptModel(convModel());
    const oracle = createOracle(model, 4, 64);
    const x = randomTensor(rng(2), [5, 12, 12, 2]);
    tf.dispose(Object.values(oracle.valueAndGrad(x, [0, 1, 2, 3, 0])));
    assert.ok(oracle.sizing!.budgetBytes > 0.5 * WASM_HEAP_CAP_BYTES && oracle.sizing!.budgetBytes < WASM_HEAP_CAP_BYTES);
    assert.equal(oracle.sizing!.rowsPerCall, 64);
    assert.equal(oracle.sizing!.notice, null);
    x.dispose();
  });

  it('cpu: no ceiling known, so nothing is measured', async () => {
    await useBackend('cpu');
    const oracle = createOracle(adaptModel(convModel()), 4, 64);
    const x = randomTensor(rng(3), [2, 12, 12, 2]);
    tf.dispose(Object.values(oracle.valueAndGrad(x, [0, 1])));
    assert.equal(oracle.sizing!.bytesPerRow, null);
    assert.equal(oracle.stats.gradientCalls, 1);
    x.dispose();
  });
});

describe('input-only gradient mode', () => {
  it('is scoped: off again after the call, even when it throws', () => {
    assert.equal(skipFilterGradients(), false);
    assert.equal(withInputOnlyGradients(() => skipFilterGradients()), true);
    assert.throws(() => withInputOnlyGradients(() => {
      throw new Error('boom');
    }), /boom/);
    assert.equal(skipFilterGradients(), false);
  });

  it('gives the oracle the same input gradients as without it (wasm, conv + batch norm)', async () => {
    await useBackend('wasm');
    const model = adaptModel(convModel());
    const x = randomTensor(rng(4), [3, 12, 12, 2]);
    const on = createOracle(model, 4, 64, { inputOnly: true }).valueAndGrad(x, [0, 1, 2]);
    const off = createOracle(model, 4, 64, { inputOnly: false }).valueAndGrad(x, [0, 1, 2]);
    assert.ok(maxAbsDiff(on.grad.dataSync(), off.grad.dataSync()) < 1e-7);
    tf.dispose([x, on.value, on.grad, off.value, off.grad]);
  });
});
