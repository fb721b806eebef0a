// run({ signal }): every method stops at the next model call once the signal is aborted, rejects with an
// AbortError and leaves no tensor behind; without a signal, a run takes the kernel hook's cell signal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { explain, type ModelFunction } from '../../src/index.js';
import type { ExplainBuilder } from '../../src/explain.js';
import { KERNEL_HOOK } from '../../src/kernelHook.js';
import { useBackend } from './../helpers.js';

await useBackend('cpu');

const W1 = tf.randomNormal([12, 6], 0, 0.5, 'float32', 1);
const W2 = tf.randomNormal([6, 3], 0, 0.5, 'float32', 2);
let calls = 0;
const representation: ModelFunction = (batch) => tf.tidy(() => tf.tanh(tf.matMul(batch.reshape([batch.shape[0], 12]), W1)));
const model: ModelFunction = (batch) => {
  calls++;
  return tf.tidy(() => tf.matMul(representation(batch), W2));
};
const x = tf.randomUniform([2, 2, 2, 3], 0, 1, 'float32', 3);
const references = tf.randomUniform([3, 2, 2, 3], 0, 1, 'float32', 4);

const plans: Record<string, (b: ExplainBuilder) => ExplainBuilder> = {
  gradient: (b) => b.gradient(),
  gradientXInput: (b) => b.gradientXInput(),
  ig: (b) => b.ig({ steps: 400, rule: 'riemannLeft' }),
  guidedIG: (b) => b.guidedIG({ steps: 400 }),
  smoothGrad: (b) => b.smoothGrad({ samples: 50, of: 'ig', ofOptions: { steps: 40 } }),
  ig2: (b) => b.ig2({ references, representation, steps: 400 }),
  blurIG: (b) => b.blurIG({ steps: 400, maxSigma: 2 }),
};

for (const [name, plan] of Object.entries(plans)) {
  test(`${name}: aborted after its first gradient batch, it makes no further model call, rejects with AbortError and leaks nothing`, async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    let callsAtAbort = -1;
    const onProgress = () => {
      if (callsAtAbort < 0) {
        callsAtAbort = calls;
        controller.abort();
      }
    };
    const run = plan(explain(model, x, { internalBatchSize: 8 })).run({ signal: controller.signal, onProgress });
    await assert.rejects(run, (e: Error) => e.name === 'AbortError');
    assert.ok(callsAtAbort >= 0, 'the run reported progress before the abort');
    assert.equal(calls - callsAtAbort, 0, 'no model call after the abort');
    assert.equal(tf.memory().numTensors, before, 'tensors made by the aborted run are freed');
  });
}

test('an abort from the event loop (as an interrupt arrives) stops a long Guided IG within one gradient call', async () => {
  const before = tf.memory().numTensors;
  const controller = new AbortController();
  let callsAtAbort = 0;
  setTimeout(() => {
    callsAtAbort = calls;
    controller.abort(new DOMException('interrupted', 'AbortError'));
  }, 50);
  const started = performance.now();
  await assert.rejects(explain(model, x).guidedIG({ steps: 20_000 }).run({ signal: controller.signal, onProgress: () => {} }), /interrupted/);
  assert.ok(calls - callsAtAbort <= 1, `at most the call in flight finishes (${calls - callsAtAbort} after the abort)`);
  assert.ok(callsAtAbort > 0 && performance.now() - started < 20_000);
  assert.equal(tf.memory().numTensors, before);
});

test('an already aborted signal rejects before any model call; a non-signal is a clear error', async () => {
  const controller = new AbortController();
  controller.abort('stop');
  const before = calls;
  await assert.rejects(explain(model, x).ig().run({ signal: controller.signal }), (e: Error) => e.name === 'AbortError' && /aborted \(stop\)/.test(e.message));
  assert.equal(calls, before);
  await assert.rejects(explain(model, x).ig().run({ signal: {} as AbortSignal }), /signal: expected an AbortSignal/);
});

test("without a signal, a run uses the kernel hook's cell signal", async () => {
  const controller = new AbortController();
  const g = globalThis as Record<symbol, unknown>;
  g[KERNEL_HOOK] = { version: 1, signal: () => controller.signal };
  try {
    const run = explain(model, x).guidedIG({ steps: 20_000 }).run({ onProgress: () => controller.abort() });
    await assert.rejects(run, (e: Error) => e.name === 'AbortError');
    const ok = await explain(model, x).gradient().run({ signal: new AbortController().signal, onProgress: () => {} });
    assert.equal(ok.methods.length, 1, 'an explicit signal takes precedence');
    ok.dispose();
  } finally {
    delete g[KERNEL_HOOK];
  }
});

test('evaluate({ signal }): aborted after its first model call, it makes no further call, rejects with AbortError and leaks nothing', async () => {
  const images = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 5);
  const W = tf.randomNormal([16, 3], 0, 0.5, 'float32', 6);
  let evaluated = 0;
  const controller = new AbortController();
  const scorer: ModelFunction = (batch) => {
    if (++evaluated === 1) controller.abort();
    return tf.tidy(() => tf.softmax(tf.matMul(batch.reshape([batch.shape[0], 16]), W)));
  };
  const ex = await explain(scorer, images).ig({ steps: 8 }).run({ onProgress: () => {} });
  const before = tf.memory().numTensors;
  evaluated = 0;
  await assert.rejects(ex.evaluate({ metrics: ['insertion', 'deletion'], baseline: 'black', internalBatchSize: 4, signal: controller.signal }), (e: Error) => e.name === 'AbortError');
  assert.equal(evaluated, 1, 'no model call after the abort');
  assert.equal(tf.memory().numTensors, before, 'tensors made by the aborted evaluation are freed');
  ex.dispose();
  tf.dispose([images, W]);
});
