// The kernel side of the widgets without a kernel: buffers, the protocol messages a model sends and
// takes (a fake hook records them), malformed front-end messages, the control comm's wrapped
// update_states, the path replay's arithmetic, the no-comms fallback, and that the AMD bundle registers
// the module name and version the kernel announces.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { explain, JUPYTER_DISPLAY, KERNEL_HOOK, type Explanation, type KernelHook, type CommMessage, type CommTargetHandler } from '../../src/index.js';
import { putBuffers, removeBuffers } from '../../src/widgets/buffers.js';
import { identity, MODEL_NAMES, VIEW_NAMES, WIDGET_MODULE, WIDGET_MODULE_VERSION, WIDGET_PACKAGE_VERSION } from '../../src/widgets/module.js';
import { frameBudget, MAX_FRAMES, widgetData } from '../../src/widgets/pathData.js';
import { NO_COMMS_REASON } from '../../src/widgets/widget.js';
import { expectNoLeak, maxAbsDiff, randomSmoothModel, randomTensor, rng, useBackend } from '../helpers.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Sent {
  kind: 'open' | 'msg' | 'close' | 'display';
  target?: string;
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  buffers: unknown[];
}

/** A kernel hook that records what is sent and lets the test play the front end. */
function fakeHook() {
  const sent: Sent[] = [];
  const targets = new Map<string, CommTargetHandler>();
  const handlers = new Map<string, (m: CommMessage) => void>();
  let next = 0;
  const comm = (commId: string, targetName: string) => {
    const c = {
      commId,
      targetName,
      closed: false,
      send: (data: Record<string, unknown>, _m?: unknown, buffers: readonly unknown[] = []) => void sent.push({ kind: 'msg', target: commId, data, buffers: [...buffers] }),
      onMsg: (h: (m: CommMessage) => void) => void handlers.set(commId, h),
      onClose: () => {},
      close: () => {
        c.closed = true;
        sent.push({ kind: 'close', target: commId, data: {}, buffers: [] });
      },
    };
    return c;
  };
  const hook: KernelHook = {
    version: 1,
    display: (bundle) => void sent.push({ kind: 'display', data: bundle, buffers: [] }),
    updateDisplay: () => {},
    clearOutput: () => {},
    openComm: (target, data = {}, metadata = {}, buffers = []) => {
      sent.push({ kind: 'open', target, data, metadata, buffers: [...buffers] });
      return comm(`comm${next++}`, target);
    },
    registerTarget: (name, handler) => {
      targets.set(name, handler);
      return () => targets.delete(name);
    },
  };
  /** The front end sends a comm_msg. */
  const receive = (commId: string, data: Record<string, unknown>, buffers: Uint8Array[] = []) => handlers.get(commId)!({ data, metadata: {}, buffers });
  /** The front end opens a comm for a target. */
  const open = (target: string, commId: string, data: Record<string, unknown> = {}) => {
    const c = comm(commId, target);
    targets.get(target)!(c, { data, metadata: {}, buffers: [] });
    return c;
  };
  return { hook, sent, receive, open };
}

let ex: Explanation;
let noPath: Explanation;
let logged: string[] = [];
const consoleError = console.error;

before(async () => {
  await useBackend('cpu');
  const random = rng(8);
  const f = randomSmoothModel(random, 12, 6, 3);
  const model = (b: tf.Tensor) => f(b.reshape([b.shape[0], 12]));
  const x = randomTensor(random, [2, 2, 3, 2], 0, 1);
  const references = randomTensor(random, [3, 2, 3, 2], 0, 1);
  ex = await explain(model, x)
    .ig({ steps: 12, rule: 'riemannLeft', keepPath: true })
    .guidedIG({ steps: 20, keepPath: true })
    .ig2({ references, steps: 10, keepPath: true, representation: (b) => b.reshape([b.shape[0], 12]) })
    .gradient();
  noPath = await explain(model, x).ig({ steps: 8 });
  tf.dispose([x, references]);
  console.error = (...args: unknown[]) => void logged.push(args.join(' '));
});

afterEach(() => {
  delete (globalThis as Record<symbol, unknown>)[KERNEL_HOOK];
  logged = [];
});

after(() => {
  console.error = consoleError;
  ex?.dispose();
  noPath?.dispose();
});

test('removeBuffers/putBuffers: binary values leave the JSON with their paths and come back; mismatches are errors', () => {
  const a = new Float32Array([1, 2]);
  const b = new Uint8Array([3]);
  const split = removeBuffers({ x: 1, a, list: [b, 'k'], nested: { c: a } });
  assert.deepEqual(split.state, { x: 1, list: [null, 'k'], nested: {} });
  assert.deepEqual(split.bufferPaths, [['a'], ['list', 0], ['nested', 'c']]);
  const state: Record<string, unknown> = structuredClone(split.state);
  const bytes = split.buffers.map((v) => new Uint8Array((v as ArrayBufferView).buffer));
  putBuffers(state, split.bufferPaths, bytes);
  assert.equal(state.a, bytes[0]);
  assert.equal((state.list as unknown[])[0], bytes[1]);
  assert.throws(() => putBuffers({}, [['a']], []), /1 path\(s\) for 0 buffer/);
  assert.throws(() => putBuffers({}, [], [bytes[0]]), /0 path\(s\) for 1 buffer/);
  assert.throws(() => putBuffers({}, [['x', 'y']], [bytes[0]]), /does not exist/);
  assert.throws(() => putBuffers({}, [[{}]], [bytes[0]]), /non-empty list of keys/);
});

test('the replayed path adds up to the attribution for left-Riemann paths (Guided IG, IG riemannLeft) and IG2', async (t) => {
  const data = widgetData(ex, (ex as unknown as { evaluation: never }).evaluation, 1, true);
  const cells = data.height * data.width;
  assert.deepEqual(data.frames, [13, 21, 11, 0], 'IG: 12 points + x; Guided IG: 20 + x; IG2: K + 1 points; the gradient has no path');
  assert.match(data.pathNote, /no path kept for gradient: run the methods with keepPath/);
  let offset = 0;
  for (const [m, name] of data.methods.entries()) {
    const frames = data.frames[m];
    if (frames === 0) continue;
    const end = data.pathCumulative.subarray((offset + frames - 1) * cells, (offset + frames) * cells);
    const start = data.pathCumulative.subarray(offset * cells, (offset + 1) * cells);
    const attribution = tf.tidy(() => ex.attribution(name).slice(1, 1).reshape([cells, data.channels]).sum(1).dataSync());
    const scale = Math.max(...Array.from(attribution, Math.abs));
    const diff = maxAbsDiff(end, attribution) / scale;
    t.diagnostic(`${name}: max |replayed end − attribution| / max |attribution| = ${diff.toExponential(2)}`);
    assert.ok(diff < 1e-3, `${name}: the replayed path ends at the attribution (${diff})`);
    assert.ok(start.every((v) => v === 0), `${name}: nothing accumulated at the start`);
    const lastPoint = data.pathPoints.subarray((offset + frames - 1) * cells * data.channels, (offset + frames) * cells * data.channels);
    assert.ok(maxAbsDiff(lastPoint, data.input) < 1e-6, `${name}: the last frame is x`);
    offset += frames;
  }
});

test('widget data leaks no tensors, and large inputs get fewer frames (never fewer than the two ends)', async () => {
  await expectNoLeak(async () => void widgetData(ex, (ex as unknown as { evaluation: never }).evaluation, 0, true));
  const { hook } = fakeHook();
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = hook;
  await expectNoLeak(async () => void ex.widget('player'));
  assert.equal(frameBudget(2, 28 * 28 * 2 + 1), MAX_FRAMES, 'MNIST: every frame up to 32');
  assert.equal(frameBudget(2, 224 * 224 * 4 + 1), 5, '224×224 RGB, points and accumulated maps: 5 frames per method for two methods (8 MB)');
  assert.equal(frameBudget(2, 224 * 224 * 4 + 1, 40), 40, 'frames asked for are sent');
  assert.equal(frameBudget(2, 10, 1000), 256);
  assert.equal(frameBudget(4, 1024 * 1024 * 4), 2);
});

test('ex.widget() opens a protocol-2.1 model with binary buffers and displays the widget view with text/plain and image/png', () => {
  const { hook, sent } = fakeHook();
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = hook;
  const w = ex.widget('explorer', { example: 1 });
  const open = sent.find((s) => s.kind === 'open' && s.target === 'jupyter.widget')!;
  assert.deepEqual(open.metadata, { version: '2.1.0' });
  const state = open.data.state as Record<string, unknown>;
  for (const [k, v] of Object.entries(identity('explorer'))) assert.deepEqual(state[k], v, k);
  assert.equal(state._model_module, WIDGET_MODULE);
  assert.deepEqual(open.data.buffer_paths, [['input'], ['attributions'], ['path_cumulative'], ['path_outputs']]);
  assert.ok(open.buffers.every((b) => b instanceof Float32Array), 'Float32Array buffers');
  assert.equal((open.buffers[1] as Float32Array).length, 4 * 12, 'attributions [M, H·W·C]');
  assert.ok(!('input' in state) && !('attributions' in state), 'binary traits are not in the JSON');
  assert.deepEqual([state.example, state.method, state.methods], [1, 'ig', ['ig', 'guidedIG', 'ig2', 'gradient']]);
  const bundle = w[JUPYTER_DISPLAY]();
  assert.deepEqual(bundle['application/vnd.jupyter.widget-view+json'], { model_id: w.modelId, version_major: 2, version_minor: 1 });
  assert.match(bundle['text/plain'], /^pathlens attribution explorer: example 1 \(class \d\), ig, guidedIG, ig2, gradient; interactive where/);
  assert.ok(Buffer.from(String(bundle['image/png']), 'base64').subarray(1, 4).toString() === 'PNG', 'an image/png fallback');
  w.show();
  assert.equal(sent.at(-1)!.kind, 'display');
  assert.throws(() => ex.widget('table' as never), /kind: expected one of 'explorer', 'player', got "table"/);
  assert.throws(() => ex.widget('player', { example: 2 }), /example: expected an example index in \[0, 2\), got 2/);
  assert.throws(() => ex.widget('player', { frames: 1 }), /frames: expected a whole number in \[2, 256\], got 1/);
  const few = ex.widget('player', { frames: 4 });
  assert.deepEqual(few.get('frames'), [4, 4, 4, 0], 'frames: 4 keeps 4 frames of every kept path');
});

test('front-end updates are checked: good ones applied and echoed, malformed ones logged, rejected and reverted; request_state and custom', () => {
  const { hook, sent, receive } = fakeHook();
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = hook;
  const w = ex.widget('player');
  const id = w.modelId!;
  const changes: unknown[] = [];
  w.onChange((c, from) => changes.push([c, from]));
  receive(id, { method: 'update', state: { step: 3, method: 'guidedIG' }, buffer_paths: [] });
  assert.deepEqual([w.get('step'), w.get('method')], [3, 'guidedIG']);
  assert.deepEqual(sent.at(-1)!.data, { method: 'echo_update', state: { step: 3, method: 'guidedIG' }, buffer_paths: [] });
  assert.deepEqual(changes, [[{ step: 3, method: 'guidedIG' }, 'frontend']]);

  const bad: [Record<string, unknown>, Uint8Array[], RegExp][] = [
    [{ method: 'update', state: { method: 'gradient' }, buffer_paths: [] }, [], /method: expected one of 'ig', 'guidedIG', 'ig2', got "gradient"/],
    [{ method: 'update', state: { step: 21 }, buffer_paths: [] }, [], /step: expected an integer in \[0, 20\], got 21/],
    [{ method: 'update', state: { step: 2.5 }, buffer_paths: [] }, [], /step: expected an integer/],
    [{ method: 'update', state: { method: 'ig', step: 13 } }, [], /step: expected an integer in \[0, 12\], got 13/],
    [{ method: 'update', state: { step: 1 }, buffer_paths: [['step']] }, [], /1 path\(s\) for 0 buffer/],
    [{ method: 'update', state: { step: 1 }, buffer_paths: [] }, [new Uint8Array(4)], /0 path\(s\) for 1 buffer/],
    [{ method: 'update', state: {}, buffer_paths: [['path_points']] }, [new Uint8Array(4)], /'path_points' is read-only/],
    [{ method: 'update', state: { sign: 'both' } }, [], /sign: expected one of 'absolute'/],
    [{ method: 'update', state: { clip: Number.NaN } }, [], /clip: expected a number in \[0, 100\]/],
    [{ method: 'update', state: { nonsense: 1 } }, [], /unknown trait 'nonsense'/],
    [{ method: 'update', state: [1, 2] }, [], /expected 'state' to be an object/],
    [{ method: 'update' }, [], /expected 'state' to be an object/],
    [{ method: 'frobnicate' }, [], /unknown method "frobnicate"/],
    [{ method: 'custom', content: { type: 'click' } }, [], /custom message .* not understood/],
  ];
  for (const [data, buffers, pattern] of bad) {
    const before = sent.length;
    receive(id, data, buffers);
    assert.match(w.errors.at(-1)!, pattern);
    assert.match(logged.at(-1)!, /^pathlens widget: /);
    assert.match(logged.at(-1)!, pattern);
    const replies = sent.slice(before).map((s) => s.data);
    assert.deepEqual(replies.at(-1), { method: 'custom', content: { type: 'error', message: w.errors.at(-1)!.replace(`${id}: `, '').replace(/; message ignored$/, '') } });
  }
  assert.equal(w.errors.length, bad.length);
  assert.deepEqual([w.get('step'), w.get('method'), w.get('sign'), w.get('clip')], [3, 'guidedIG', 'all', 99.5], 'nothing malformed was applied');
  assert.equal(changes.length, 1);
  // A rejected trait is sent back at the kernel's value.
  receive(id, { method: 'update', state: { step: 99 } });
  assert.deepEqual(sent.at(-2)!.data, { method: 'update', state: { step: 3 }, buffer_paths: [] });

  receive(id, { method: 'request_state' });
  const full = sent.at(-1)!;
  assert.equal((full.data.state as Record<string, unknown>).step, 3);
  assert.deepEqual(full.data.buffer_paths, [['input'], ['path_points'], ['path_cumulative'], ['path_outputs']]);
  assert.equal(full.buffers.length, 4);

  w.set({ step: 5 });
  assert.deepEqual(sent.at(-1)!.data, { method: 'update', state: { step: 5 }, buffer_paths: [] });
  assert.throws(() => w.set({ step: -1 }), /step: expected an integer in \[0, 20\], got -1/);
  assert.throws(() => w.set({ frames: [] }), /trait 'frames' is read-only$/);
});

test("jupyter.widget.control answers request_states in ipywidgets' wrapped form, with every widget's buffers", () => {
  const { hook, sent, open, receive } = fakeHook();
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = hook;
  const a = ex.widget('explorer');
  const b = ex.widget('player');
  open('jupyter.widget.control', 'control1');
  receive('control1', { method: 'request_states' });
  const reply = sent.at(-1)!;
  const states = reply.data.states as Record<string, { model_name: string; model_module: string; model_module_version: string; state: Record<string, unknown> }>;
  for (const [w, kind] of [[a, 'explorer'], [b, 'player']] as const) {
    const s = states[w.modelId!];
    assert.deepEqual([s.model_name, s.model_module, s.model_module_version], [MODEL_NAMES[kind], WIDGET_MODULE, WIDGET_MODULE_VERSION]);
    assert.equal(s.state._view_name, VIEW_NAMES[kind]);
  }
  const paths = reply.data.buffer_paths as string[][];
  assert.deepEqual(paths.filter((p) => p[0] === a.modelId), [[a.modelId, 'state', 'input'], [a.modelId, 'state', 'attributions'], [a.modelId, 'state', 'path_cumulative'], [a.modelId, 'state', 'path_outputs']]);
  assert.equal(reply.buffers.length, paths.length);
  receive('control1', { method: 'nope' });
  assert.match(logged.at(-1)!, /control comm: unknown method "nope"/);
  // A front-end-created model is refused, not crashed on.
  const c = open('jupyter.widget', 'fe1', { state: { _model_name: 'IntSliderModel', _model_module: '@jupyter-widgets/controls' } });
  assert.ok(c.closed);
  assert.match(logged.at(-1)!, /IntSliderModel .* not supported/);
});

test('without keepPath the player says how to get it; without comms ex.widget() shows the static heatmap with a one-line reason', () => {
  const { hook } = fakeHook();
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = hook;
  const player = noPath.widget('player');
  assert.deepEqual(player.get('frames'), [0]);
  assert.match(String(player.get('path_note')), /keepPath: true/);
  assert.match(player[JUPYTER_DISPLAY]()['text/plain'], /no path to play: run the methods with keepPath/);
  delete (globalThis as Record<symbol, unknown>)[KERNEL_HOOK];

  const shown = ex.widget();
  assert.equal(shown.modelId, undefined);
  const bundle = shown[JUPYTER_DISPLAY]();
  assert.ok(bundle['image/png'], 'the static heatmap');
  assert.match(bundle['text/plain'], new RegExp(`explorer: example 0 .*; ${NO_COMMS_REASON.replace(/[()]/g, '\\$&')}`));
  assert.ok(!('application/vnd.jupyter.widget-view+json' in bundle));
  assert.equal(String(shown), NO_COMMS_REASON);
  assert.throws(() => shown.set({ method: 'ig' }), /no widget comms here/);
});

test('the AMD bundle defines the module on @jupyter-widgets/base with the name and version the kernel sends', () => {
  const build = spawnSync(process.execPath, [join(ROOT, 'widgets/build.mjs')], { encoding: 'utf8' });
  assert.equal(build.status, 0, build.stderr);
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  assert.equal(WIDGET_PACKAGE_VERSION, pkg.version, 'the module version is the package version');
  assert.equal(WIDGET_MODULE, pkg.name, 'front ends load <module>@<version>/dist/index.js: the module is the npm package');
  assert.ok(pkg.files.includes('dist/index.js'), 'the AMD bundle is in the npm package');
  const amd = readFileSync(join(ROOT, 'dist/index.js'), 'utf8');
  let defined: { deps: string[]; factory: (...a: unknown[]) => Record<string, unknown> } | undefined;
  const define = (deps: string[], factory: (...a: unknown[]) => Record<string, unknown>) => void (defined = { deps, factory });
  new Function('define', amd)(define);
  assert.deepEqual(defined!.deps, ['@jupyter-widgets/base']);
  class DOMWidgetModel {
    static serializers = {};
    defaults() {
      return {};
    }
  }
  class DOMWidgetView {}
  const mod = defined!.factory({ DOMWidgetModel, DOMWidgetView });
  assert.equal(mod.MODULE_NAME, WIDGET_MODULE);
  assert.equal(mod.MODULE_VERSION, WIDGET_PACKAGE_VERSION);
  for (const kind of ['explorer', 'player'] as const) {
    const Model = mod[MODEL_NAMES[kind]] as new () => { defaults(): Record<string, unknown> };
    assert.equal(typeof mod[VIEW_NAMES[kind]], 'function');
    const defaults = new Model().defaults();
    for (const key of ['_model_module', '_model_module_version', '_model_name', '_view_module', '_view_module_version', '_view_name']) {
      assert.equal(defaults[key], identity(kind)[key], `${kind}: ${key}`);
    }
  }
  const serializers = (mod[MODEL_NAMES.player] as unknown as { serializers: Record<string, { deserialize(v: unknown): unknown }> }).serializers;
  const view = new DataView(new Float32Array([1.5, -2]).buffer);
  assert.deepEqual(Array.from(serializers.path_points.deserialize(view) as Float32Array), [1.5, -2], 'buffers arrive as DataView and become Float32Array');
});

test('the explorer of a flat input: input_kind vector, one label per feature (featureNames, else indices), checked; images have none', async () => {
  const { hook, sent } = fakeHook();
  (globalThis as Record<symbol, unknown>)[KERNEL_HOOK] = hook;
  const random = rng(3);
  const f = randomSmoothModel(random, 4, 5, 2);
  const x = randomTensor(random, [1, 4], 0, 1);
  const flat = await explain(f, x).gradient().run({ onProgress: () => {} });
  try {
    const stateOf = () => sent.filter((s) => s.kind === 'open').at(-1)!.data.state as Record<string, unknown>;
    flat.widget('explorer', { featureNames: ['age', 'income', 'height', 'weight'] });
    assert.deepEqual([stateOf().input_kind, stateOf().labels], ['vector', ['age', 'income', 'height', 'weight']]);
    flat.widget('explorer');
    assert.deepEqual(stateOf().labels, ['0', '1', '2', '3']);
    assert.throws(() => flat.widget('explorer', { featureNames: ['age'] }), /featureNames: expected 4 names \(one per feature\)/);
    ex.widget('explorer');
    assert.deepEqual([stateOf().input_kind, stateOf().labels], ['image', []]);
  } finally {
    flat.dispose();
    x.dispose();
  }
});
