import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { explain } from '../../src/index.js';
import { KERNEL_HOOK, type KernelHook, type MimeBundle } from '../../src/kernelHook.js';
import { defaultProgress, terminalProgress } from '../../src/progress.js';
import { randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';

before(() => useBackend('cpu'));

const random = rng(5);
const f = randomSmoothModel(random, 6, 5, 3);
const x = randomTensor(random, [2, 6], -1, 1);

interface Shown {
  kind: 'display' | 'update';
  bundle: MimeBundle;
  id: string | undefined;
}

function fakeHook(shown: Shown[]): KernelHook {
  return {
    version: 1,
    display: (bundle, options) => void shown.push({ kind: 'display', bundle, id: options?.displayId }),
    updateDisplay: (bundle, id) => void shown.push({ kind: 'update', bundle, id }),
    clearOutput: () => {},
    openComm: () => assert.fail('progress opens no comm'),
    registerTarget: () => () => {},
  };
}

after(() => delete (globalThis as Record<symbol, unknown>)[KERNEL_HOOK]);

test('in the kernel, run() shows one progress display and updates it in place', async () => {
  const shown: Shown[] = [];
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = fakeHook(shown);
  try {
    const ex = await explain(f, x).ig({ steps: 8 }).guidedIG({ steps: 12 });
    ex.dispose();
  } finally {
    delete (globalThis as Record<symbol, unknown>)[KERNEL_HOOK];
  }
  assert.equal(shown.filter((s) => s.kind === 'display').length, 1);
  assert.ok(shown.length >= 2, 'at least one update after the display');
  assert.equal(new Set(shown.map((s) => s.id)).size, 1, 'every update names the first display');
  const last = shown.at(-1)!;
  assert.equal(last.kind, 'update');
  assert.match(String(last.bundle['text/plain']), /ig ✓ .*\nguidedIG ✓ .*\ndone in/);
  assert.match(String(last.bundle['text/html']), /<progress value="1.000"/);
});

test('with onProgress given, nothing is displayed', async () => {
  const shown: Shown[] = [];
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = fakeHook(shown);
  try {
    const ex = await explain(f, x).ig({ steps: 4 }).run({ onProgress: () => {} });
    ex.dispose();
  } finally {
    delete (globalThis as Record<symbol, unknown>)[KERNEL_HOOK];
  }
  assert.deepEqual(shown, []);
});

test('outside a kernel: a text bar on a terminal, nothing in tests, CI or without a TTY', () => {
  const tty = { isTTY: true, write: () => true };
  assert.equal(defaultProgress({ NODE_TEST_CONTEXT: 'child' }, tty), undefined);
  assert.equal(defaultProgress({ CI: 'true' }, tty), undefined);
  assert.equal(defaultProgress({}, { isTTY: false, write: () => true }), undefined);
  assert.ok(defaultProgress({}, tty));

  const written: string[] = [];
  const bar = terminalProgress({ isTTY: true, write: (t: string) => written.push(t) });
  bar.update({ method: 'ig', step: 5, steps: 10, examples: 2, elapsedMs: 1200 });
  bar.finish(true);
  assert.match(written[0], /^\r\[#{12}\.{12}\] ig: step 5\/10 · 2 examples · 1\.2 s/);
  assert.match(written[1], /^\rdone in .* s\x1b\[K\n$/);
});
