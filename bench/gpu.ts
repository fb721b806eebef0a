/**
 * The GPU bench: input gradients per second on webgpu for the four bench models (bench/models.ts) at
 * batches 1–256, in three modes, with wasm beside them, then the time of
 * `explain(m, x).ig().guidedIG().ig2({ references }).smoothGrad()` on MobileNet-224 images.
 *
 *   stock  tfjs-webgpu 4.22 as shipped: the discarded filter gradients are computed (PATHLENS_INPUT_ONLY=0)
 *   skip   filter gradients replaced by zero fills (what pathlens's input-only mode does on wasm)
 *   fast   skip + pathlens's webgpu kernels (src/backend/webgpu/fastKernels.ts), tiled Conv2DBackpropInput
 *   direct the same with the direct (no workgroup memory) Conv2DBackpropInput; the chain runs the faster
 *
 * Each figure is the median of timed gradient calls after warm-ups, `await grad.data()` per call, through
 * pathlens's oracle (what explain() runs). Also: GPU programs dispatched per call, and the relative L2
 * distance of each mode's gradient to skip's (and wasm's to fast's).
 *
 *   node --import tsx bench/gpu.ts [--quick] [--out DIR] [--torch FILE] [--deadline-s N] [--no-wasm] [--no-chain] [--no-kernels] [--profile]
 *                                  [--submit-batch N]   (tfjs's WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE, default 15, for every mode)
 *
 * First, unless --no-kernels: Conv2DBackpropInput alone on the 224 models' layer shapes, stock vs pathlens's
 * two variants (ms per call).
 *
 * --quick: a reduced plan that finishes in a few minutes on llvmpipe (no GPU: Dawn's OpenGL ES backend on
 * Mesa, found by bench/webgpuDevice.ts). --torch: JSON lines from `bench/torch_gradients.py --device cuda`
 * for the webgpu ÷ PyTorch column. --out: writes gpu-bench.jsonl and gpu-bench.md there.
 * bench/gpu-run.sh runs all of it on a bare GPU machine in one call; bench/RESULTS-gpu.md has results.
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { registerFastWebgpuKernels, setConv2DBackpropInputVariant, unregisterFastWebgpuKernels } from '../src/backend/webgpu/fastKernels.js';
import { explain } from '../src/explain.js';
import { adaptModel } from '../src/model.js';
import { createOracle } from '../src/oracle.js';
import { cnn32, mlp784, mobilenet224, resnet10, type BenchModel } from './models.js';
import { installTileWorkaround } from './tileWorkaround.js';
import { startWebgpu } from './webgpuDevice.js';

const args = process.argv.slice(2);
const flag = (name: string) => args.includes(name);
const option = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const QUICK = flag('--quick');
const OUT = option('--out');
const TORCH = option('--torch');
const DEADLINE = performance.now() + Number(option('--deadline-s') ?? (QUICK ? 900 : 480)) * 1000;

type Mode = 'stock' | 'skip' | 'fast' | 'direct';
const MODES: Mode[] = ['stock', 'skip', 'fast', 'direct'];

interface Plan {
  make: () => BenchModel;
  classes: number;
  batches: number[];
  /** Largest batch timed in stock mode (filter gradients are slow). */
  stockUpTo: number;
  wasmBatch: number;
  modes: Mode[];
}

const FULL: Plan[] = [
  { make: cnn32, classes: 10, batches: [1, 8, 32, 64, 128, 256], stockUpTo: 256, wasmBatch: 64, modes: MODES },
  { make: mlp784, classes: 10, batches: [1, 8, 32, 64, 128, 256], stockUpTo: 256, wasmBatch: 64, modes: MODES },
  { make: mobilenet224, classes: 1000, batches: [1, 8, 32, 64, 128, 256], stockUpTo: 64, wasmBatch: 8, modes: MODES },
  { make: resnet10, classes: 1000, batches: [1, 8, 32, 64, 128, 256], stockUpTo: 64, wasmBatch: 8, modes: MODES },
];
const REDUCED: Plan[] = [
  { make: cnn32, classes: 10, batches: [1, 4], stockUpTo: 4, wasmBatch: 4, modes: MODES },
  { make: mlp784, classes: 10, batches: [1, 4], stockUpTo: 4, wasmBatch: 4, modes: MODES },
  { make: mobilenet224, classes: 1000, batches: [1], stockUpTo: 0, wasmBatch: 1, modes: ['skip', 'fast', 'direct'] },
  { make: resnet10, classes: 1000, batches: [1], stockUpTo: 0, wasmBatch: 1, modes: ['skip', 'fast', 'direct'] },
];

interface GradRow {
  kind: 'gradients';
  model: string;
  batch: number;
  backend: string;
  mode: Mode | 'wasm';
  gradsPerSec: number;
  msPerCall: number;
  calls: number;
  dispatchesPerCall?: number;
  relL2VsSkip?: number;
  kernelMs?: Record<string, number>;
  error?: string;
}

interface SetupRow {
  kind: 'setup';
  adapter: string;
  software: boolean;
  quick: boolean;
  date: string;
  node: string;
  host: string;
}

interface KernelRow {
  kind: 'kernel';
  case: string;
  variant: 'stock' | 'tiled' | 'direct';
  msPerCall: number;
  error?: string;
}

interface ChainRow {
  kind: 'chain';
  model: string;
  images: number;
  mode: Mode;
  internalBatchSize: number;
  seconds: number;
  perMethod: Record<string, number>;
  gradientRows: number;
  error?: string;
}

const rows: Array<SetupRow | GradRow | KernelRow | ChainRow> = [];
function record(row: SetupRow | GradRow | KernelRow | ChainRow): void {
  rows.push(row);
  console.log(JSON.stringify(row));
  if (OUT) appendFileSync(join(OUT, 'gpu-bench.jsonl'), JSON.stringify(row) + '\n');
}

// ---- modes: filter gradients skipped or not, fast kernels or not -------------------------------------

const FILTER_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'];
const stockFilterKernels = new Map<string, tf.KernelConfig>();

/** Zero fills of the filter's shape in place of the filter gradients (webgpu only). */
function setFilterGradients(skip: boolean): void {
  for (const name of FILTER_KERNELS) {
    const current = tf.getKernel(name, 'webgpu');
    if (!stockFilterKernels.has(name) && current) stockFilterKernels.set(name, current);
    if (current) tf.unregisterKernel(name, 'webgpu');
    if (!skip) {
      tf.registerKernel(stockFilterKernels.get(name)!);
      continue;
    }
    const fill = tf.getKernel('Fill', 'webgpu')!;
    tf.registerKernel({
      kernelName: name,
      backendName: 'webgpu',
      kernelFunc: ({ backend, attrs }) => fill.kernelFunc({ inputs: {}, backend, attrs: { shape: attrs!.filterShape as number[], value: 0, dtype: 'float32' } }),
    });
  }
}

function setMode(mode: Mode): void {
  // pathlens's own input-only mode (where the engine branch extends it to webgpu) must not hide stock's cost.
  process.env.PATHLENS_INPUT_ONLY = mode === 'stock' ? '0' : '1';
  // explain() registers pathlens's fast kernels on webgpu unless told not to: the mode decides here.
  process.env.PATHLENS_FAST_KERNELS = mode === 'fast' || mode === 'direct' ? '1' : '0';
  setFilterGradients(mode !== 'stock');
  if (mode === 'fast' || mode === 'direct') {
    registerFastWebgpuKernels();
    setConv2DBackpropInputVariant(mode === 'direct' ? 'direct' : 'tiled');
  } else unregisterFastWebgpuKernels();
}

// ---- timing ----------------------------------------------------------------------------------------

/** Counts the GPU programs the webgpu backend runs during `fn`. */
async function countDispatches(fn: () => Promise<void>): Promise<number> {
  const backend = tf.backend() as unknown as { runWebGPUProgram?: (...a: unknown[]) => unknown };
  const run = backend.runWebGPUProgram;
  if (!run) return NaN;
  let count = 0;
  backend.runWebGPUProgram = function (this: unknown, ...a: unknown[]) {
    count++;
    return run.apply(this, a);
  };
  try {
    await fn();
  } finally {
    backend.runWebGPUProgram = run;
  }
  return count;
}

/** GPU time per kernel name for one call (timestamp queries; empty where the adapter has none). */
async function kernelTimes(fn: () => Promise<void>): Promise<Record<string, number>> {
  const info = await tf.profile(async () => {
    await fn();
    return [] as unknown as tf.Tensor;
  });
  const times: Record<string, number> = {};
  for (const k of info.kernels) {
    const ms = await (k.kernelTimeMs as unknown as Promise<number | { error: string }> | number);
    if (typeof ms === 'number' && Number.isFinite(ms)) times[k.name] = (times[k.name] ?? 0) + ms;
  }
  return Object.fromEntries(Object.entries(times).sort((a, b) => b[1] - a[1]).slice(0, 8).map(([k, v]) => [k, Number(v.toFixed(3))]));
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function relL2(a: Float32Array, b: Float32Array): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

interface Measured {
  msPerCall: number;
  calls: number;
  grad: Float32Array;
  dispatches: number;
  kernelMs?: Record<string, number>;
}

async function timeGradients(subject: BenchModel, classes: number, batch: number, profile: boolean): Promise<Measured> {
  const oracle = createOracle(adaptModel(subject.model), classes, batch);
  const x = tf.randomUniform([batch, ...subject.inputShape], 0, 1, 'float32', 7);
  const targets = Array.from({ length: batch }, (_, i) => i % classes);
  let grad = new Float32Array(0);
  const call = async (keep = false) => {
    const { value, grad: g } = oracle.valueAndGrad(x, targets);
    const values = (await g.data()) as Float32Array;
    if (keep) grad = values;
    tf.dispose([value, g]);
  };
  try {
    let t = performance.now();
    const dispatches = await countDispatches(() => call(true)); // warm-up 1 (compiles the shaders)
    const first = performance.now() - t;
    const slow = first > (QUICK ? 3000 : 2000);
    if (!slow) await call();
    const times: number[] = [];
    const budget = QUICK ? 3000 : 2000;
    const minCalls = slow ? (QUICK ? 1 : 2) : 3;
    const started = performance.now();
    while (times.length < minCalls || (times.length < 9 && performance.now() - started < budget)) {
      t = performance.now();
      await call();
      times.push(performance.now() - t);
    }
    const kernelMs = profile ? await kernelTimes(() => call()) : undefined;
    return { msPerCall: median(times), calls: times.length, grad, dispatches, kernelMs };
  } finally {
    x.dispose();
  }
}

// ---- the plan --------------------------------------------------------------------------------------

function timeLeft(): boolean {
  return performance.now() < DEADLINE;
}

async function gradientsOnWebgpu(plan: Plan[], profile: boolean): Promise<void> {
  for (const p of plan) {
    const subject = p.make();
    const slowAt = new Map<Mode, number>();
    for (const batch of p.batches) {
      let skipGrad: Float32Array | null = null;
      for (const mode of p.modes) {
        if (mode === 'stock' && batch > p.stockUpTo) continue;
        if (!timeLeft()) continue;
        // A mode whose previous batch took > 5 s per call is not timed at larger ones.
        if ((slowAt.get(mode) ?? Infinity) < batch) continue;
        setMode(mode);
        const row: GradRow = { kind: 'gradients', model: subject.name, batch, backend: 'webgpu', mode, gradsPerSec: NaN, msPerCall: NaN, calls: 0 };
        try {
          const profileThis = profile && (batch === 8 || batch === 64) && subject.inputShape.length === 3 && mode !== 'stock';
          const m = await timeGradients(subject, p.classes, batch, profileThis);
          Object.assign(row, { gradsPerSec: batch / (m.msPerCall / 1000), msPerCall: m.msPerCall, calls: m.calls, dispatchesPerCall: m.dispatches });
          if (m.kernelMs && Object.keys(m.kernelMs).length) row.kernelMs = m.kernelMs;
          if (mode === 'skip') skipGrad = m.grad;
          else if (skipGrad) row.relL2VsSkip = relL2(m.grad, skipGrad);
          if (m.msPerCall > 5000) slowAt.set(mode, batch);
        } catch (error) {
          row.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
          slowAt.set(mode, batch);
        }
        record(row);
      }
    }
    subject.model.dispose();
  }
  setMode('skip');
}

async function gradientsOnWasm(plan: Plan[]): Promise<void> {
  const wasm = await import('@tensorflow/tfjs-backend-wasm');
  // In the bundle (bench/gpu-pack.sh) the .wasm files lie beside it, not in node_modules.
  const wasmDir = process.env.BENCH_WASM_DIR;
  if (wasmDir) wasm.setWasmPaths(wasmDir.endsWith('/') ? wasmDir : wasmDir + '/');
  for (const p of plan) {
    if (!timeLeft()) break;
    await tf.setBackend('wasm');
    const subject = p.make();
    const row: GradRow = { kind: 'gradients', model: subject.name, batch: p.wasmBatch, backend: 'wasm', mode: 'wasm', gradsPerSec: NaN, msPerCall: NaN, calls: 0 };
    try {
      const m = await timeGradients(subject, p.classes, p.wasmBatch, false);
      Object.assign(row, { gradsPerSec: p.wasmBatch / (m.msPerCall / 1000), msPerCall: m.msPerCall, calls: m.calls });
    } catch (error) {
      row.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
    }
    record(row);
    subject.model.dispose();
  }
  await tf.setBackend('webgpu');
}

/** Conv2DBackpropInput alone on the 224 models' layer shapes: [x shape, filter size, output channels, stride]. */
const CONV_CASES: Array<[number[], number, number, number]> = [
  [[224, 224, 3], 7, 64, 2], // ResNet-10 stem
  [[56, 56, 64], 3, 64, 1],
  [[56, 56, 64], 3, 128, 2],
  [[56, 56, 64], 1, 128, 2], // projection shortcut
  [[28, 28, 128], 3, 128, 1],
  [[14, 14, 256], 3, 256, 1],
  [[7, 7, 512], 3, 512, 1],
  [[224, 224, 3], 3, 32, 2], // MobileNet stem
  [[56, 56, 128], 1, 128, 1], // MobileNet pointwise (BatchMatMul)
];

/** ms per Conv2DBackpropInput call, stock and both of pathlens's variants: `calls` back to back, one read at the end. */
async function convKernels(batches: number[], cases: typeof CONV_CASES, calls: number): Promise<void> {
  await tf.setBackend('webgpu');
  for (const batch of batches) {
    for (const [shape, f, co, stride] of cases) {
      if (!timeLeft()) return;
      const inputShape = [batch, ...shape];
      const name = `b${batch} [${shape}] ${f}×${f}→${co} s${stride}`;
      const filter = tf.randomNormal([f, f, shape[2], co]);
      const outShape = [batch, Math.ceil(shape[0] / stride), Math.ceil(shape[1] / stride), co];
      const dy = tf.randomNormal(outShape);
      const attrs = { inputShape, strides: stride, pad: 'same', dataFormat: 'NHWC' } as unknown as tf.NamedAttrMap;
      for (const variant of ['stock', 'tiled', 'direct'] as const) {
        if (!timeLeft()) break;
        if (variant === 'stock') unregisterFastWebgpuKernels();
        else {
          registerFastWebgpuKernels();
          setConv2DBackpropInputVariant(variant);
        }
        const row: KernelRow = { kind: 'kernel', case: name, variant, msPerCall: NaN };
        try {
          const run = () => tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor;
          const warmStart = performance.now();
          const warm = run();
          await warm.data();
          warm.dispose();
          // About a second of calls, at least 2 (a slow adapter would otherwise spend minutes here).
          const n = Math.max(2, Math.min(calls, Math.ceil(1000 / (performance.now() - warmStart))));
          const started = performance.now();
          const outs = Array.from({ length: n }, run);
          await outs[n - 1].data();
          row.msPerCall = (performance.now() - started) / n;
          tf.dispose(outs);
        } catch (error) {
          row.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
        }
        record(row);
      }
      tf.dispose([filter, dy]);
    }
  }
  setMode('skip');
}

async function chain(make: () => BenchModel, classes: number, images: number, mode: Mode, internalBatchSize: number, steps?: { ig: number; guidedIG: number; ig2: number; samples: number }, needsSeconds = 0): Promise<void> {
  if (performance.now() + needsSeconds * 1000 > DEADLINE) {
    console.log(`skipped: chain on ${images} images (${mode}), under ${needsSeconds} s left before the deadline`);
    return;
  }
  await tf.setBackend('webgpu');
  setMode(mode);
  const subject = make();
  const x = tf.randomUniform([images, ...subject.inputShape], 0, 1, 'float32', 11);
  const references = tf.randomUniform([4, ...subject.inputShape], 0, 1, 'float32', 12);
  const row: ChainRow = { kind: 'chain', model: subject.name, images, mode, internalBatchSize, seconds: NaN, perMethod: {}, gradientRows: 0 };
  try {
    const started = performance.now();
    const ex = await explain(subject.model, x, { internalBatchSize, target: Array.from({ length: images }, (_, i) => i % classes) })
      .ig(steps ? { steps: steps.ig } : {})
      .guidedIG(steps ? { steps: steps.guidedIG } : {})
      .ig2({ references, ...(steps ? { steps: steps.ig2 } : {}) })
      .smoothGrad(steps ? { samples: steps.samples } : {})
      .run({ onProgress: () => {} });
    row.seconds = (performance.now() - started) / 1000;
    for (const name of ex.methods) {
      const r = ex.record(name);
      row.perMethod[name] = Number((r.timeMs / 1000).toFixed(2));
      row.gradientRows += r.gradientRows;
    }
    ex.dispose();
  } catch (error) {
    row.error = error instanceof Error ? error.message.split('\n')[0] : String(error);
  }
  tf.dispose([x, references]);
  subject.model.dispose();
  record(row);
}

// ---- report ----------------------------------------------------------------------------------------

interface TorchRow {
  model: string;
  batch: number;
  device: string;
  gradsPerSec: number;
  tf32?: boolean;
}

function readTorch(): TorchRow[] {
  if (!TORCH || !existsSync(TORCH)) return [];
  return readFileSync(TORCH, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as TorchRow).filter((r) => !r.tf32);
}

const fmt = (v: number | undefined) =>
  v === undefined || !Number.isFinite(v) ? '–' : v >= 1000 ? Math.round(v).toLocaleString('en-US') : v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
const ratio = (a?: number, b?: number) => (a && b && Number.isFinite(a) && Number.isFinite(b) ? (a / b).toFixed(2) : '–');

function report(): string {
  const setup = rows.find((r): r is SetupRow => r.kind === 'setup');
  const grads = rows.filter((r): r is GradRow => r.kind === 'gradients');
  const torch = readTorch();
  const find = (model: string, batch: number, mode: GradRow['mode']) => grads.find((r) => r.model === model && r.batch === batch && r.mode === mode);
  const lines = [
    `Date ${setup?.date}. Adapter: ${setup?.adapter}. Node ${setup?.node}, tfjs ${tf.version.tfjs}, ` +
      `${setup?.quick ? 'quick mode (reduced plan)' : 'full plan'}. Host: ${setup?.host}.`,
    '',
    'Input gradients per second (median). stock = tfjs-webgpu as shipped; skip = filter gradients zero-filled; fast = skip + pathlens kernels',
    '(tiled Conv2DBackpropInput); direct = the same with the direct one. best = the better of fast and direct.',
    'disp = GPU programs dispatched per gradient call; L2 = largest relative L2 distance of fast\'s and direct\'s gradients to skip\'s.',
    '',
    '| model | batch | stock | skip | fast | direct | disp stock/skip/fast | best ÷ stock | best ÷ skip | L2 | wasm (batch) | best ÷ wasm | torch cuda | best ÷ torch |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  const models = [...new Set(grads.map((r) => r.model))];
  for (const model of models) {
    const wasm = grads.find((r) => r.model === model && r.mode === 'wasm');
    for (const batch of [...new Set(grads.filter((r) => r.model === model && r.backend === 'webgpu').map((r) => r.batch))]) {
      const [stock, skip, fast, direct] = MODES.map((m) => find(model, batch, m));
      const best = Math.max(fast?.gradsPerSec || 0, direct?.gradsPerSec || 0) || undefined;
      const l2 = Math.max(fast?.relL2VsSkip ?? -1, direct?.relL2VsSkip ?? -1);
      const t = torch.find((r) => r.model === model && r.batch === batch);
      const cell = (r?: GradRow) => `${fmt(r?.gradsPerSec)}${r?.error ? ' (failed)' : ''}`;
      const disp = [stock, skip, fast].map((r) => (r?.dispatchesPerCall === undefined ? '–' : String(r.dispatchesPerCall))).join('/');
      lines.push(
        `| ${model} | ${batch} | ${cell(stock)} | ${cell(skip)} | ${cell(fast)} | ${cell(direct)} | ${disp} | ${ratio(best, stock?.gradsPerSec)} | ${ratio(best, skip?.gradsPerSec)} | ` +
          `${l2 < 0 ? '–' : l2.toExponential(1)} | ${wasm ? `${fmt(wasm.gradsPerSec)} (b${wasm.batch})` : '–'} | ` +
          `${ratio(best, wasm?.gradsPerSec)} | ${fmt(t?.gradsPerSec)} | ${ratio(best, t?.gradsPerSec)} |`,
      );
    }
  }
  const profiled = grads.filter((r) => r.kernelMs);
  if (profiled.length) {
    lines.push('', 'GPU time per call by kernel (timestamp queries, top 8, ms):', '');
    for (const r of profiled) lines.push(`- ${r.model} b${r.batch} ${r.mode}: ${Object.entries(r.kernelMs!).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  }
  const kernels = rows.filter((r): r is KernelRow => r.kind === 'kernel');
  if (kernels.length) {
    lines.push('', 'Conv2DBackpropInput alone, ms per call (back-to-back calls, one read at the end):', '');
    lines.push('| case | stock | tiled | direct | stock ÷ best |', '|---|---|---|---|---|');
    for (const c of [...new Set(kernels.map((k) => k.case))]) {
      const ms = (v: KernelRow['variant']) => kernels.find((k) => k.case === c && k.variant === v);
      const [stock, tiled, direct] = (['stock', 'tiled', 'direct'] as const).map(ms);
      const best = Math.min(tiled?.msPerCall ?? Infinity, direct?.msPerCall ?? Infinity);
      const cell = (k?: KernelRow) => (k?.error ? 'failed' : k ? k.msPerCall.toFixed(3) : '–');
      lines.push(`| ${c} | ${cell(stock)} | ${cell(tiled)} | ${cell(direct)} | ${ratio(stock?.msPerCall, best)} |`);
    }
  }
  const chains = rows.filter((r): r is ChainRow => r.kind === 'chain');
  if (chains.length) {
    lines.push('', '`explain(m, x).ig().guidedIG().ig2({ references }).smoothGrad()`, 4 references' + (setup?.quick ? ', reduced steps' : ', default steps') + ':', '');
    lines.push('| model | images | mode | internalBatchSize | seconds | per method (s) | gradient rows |', '|---|---|---|---|---|---|---|');
    for (const c of chains) {
      const per = Object.entries(c.perMethod).map(([k, v]) => `${k} ${v}`).join(', ');
      lines.push(`| ${c.model} | ${c.images} | ${c.mode} | ${c.internalBatchSize} | ${c.error ? `failed: ${c.error}` : c.seconds.toFixed(1)} | ${per} | ${c.gradientRows} |`);
    }
  }
  const failures = grads.filter((r) => r.error);
  if (failures.length) lines.push('', 'Failures:', ...failures.map((r) => `- ${r.model} b${r.batch} ${r.mode}: ${r.error}`));
  return lines.join('\n');
}

/** 'fast' or 'direct', whichever gave more gradients/s on `model`, summed over the batches both ran. */
function fasterVariant(model: string): Mode {
  const grads = rows.filter((r): r is GradRow => r.kind === 'gradients' && r.model === model && !r.error);
  let fast = 0;
  let direct = 0;
  for (const f of grads.filter((r) => r.mode === 'fast')) {
    const d = grads.find((r) => r.mode === 'direct' && r.batch === f.batch);
    if (!d) continue;
    fast += f.gradsPerSec;
    direct += d.gradsPerSec;
  }
  return fast > direct ? 'fast' : 'direct'; // direct, the product default, when nothing was measured
}

async function main(): Promise<void> {
  const from = option('--report-from');
  if (from) {
    // Rebuilds the summary from the JSON lines of a run that was cut short.
    for (const line of readFileSync(from, 'utf8').split('\n').filter(Boolean)) rows.push(JSON.parse(line));
    const table = report();
    console.log(table);
    if (OUT) writeFileSync(join(OUT, 'gpu-bench.md'), table + '\n');
    return;
  }
  if (OUT) {
    mkdirSync(OUT, { recursive: true });
    writeFileSync(join(OUT, 'gpu-bench.jsonl'), '');
  }
  const setup = await startWebgpu();
  installTileWorkaround();
  const submitBatch = option('--submit-batch');
  if (submitBatch) tf.env().set('WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE', Number(submitBatch));
  record({
    kind: 'setup', adapter: setup.adapter + (submitBatch ? `, WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=${submitBatch}` : ''), software: setup.software, quick: QUICK, date: new Date().toISOString(), node: process.version,
    host: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
  });
  console.log(`webgpu adapter: ${setup.adapter}; maxStorageBufferBindingSize ${setup.limits.maxStorageBufferBindingSize}`);
  const plan = QUICK ? REDUCED : FULL;
  const profile = flag('--profile') || !setup.software;
  const chains = !flag('--no-chain');
  // Most wanted first: a run cut short by its deadline still answers the targets.
  const big = plan.filter((p) => p.classes === 1000);
  const small = plan.filter((p) => p.classes !== 1000);
  if (QUICK) {
    if (!flag('--no-kernels')) await convKernels([1], CONV_CASES.filter(([shape]) => shape[0] <= 56 && shape[2] <= 64), 2);
    await gradientsOnWebgpu(small, profile);
    await gradientsOnWebgpu(big, profile);
    if (chains) {
      const steps = { ig: 8, guidedIG: 8, ig2: 8, samples: 4 };
      await chain(cnn32, 10, 2, 'skip', 16, steps);
      await chain(cnn32, 10, 2, fasterVariant('cnn32'), 16, steps);
    }
  } else {
    if (!flag('--no-kernels')) await convKernels([8, 64], CONV_CASES, 20);
    await gradientsOnWebgpu(big, profile);
    const best = fasterVariant('mobilenet224');
    if (chains) {
      await chain(mobilenet224, 1000, 4, best, 128, undefined, 30);
      await chain(mobilenet224, 1000, 4, 'skip', 128, undefined, 40);
    }
    await gradientsOnWebgpu(small, profile);
    if (chains) await chain(mobilenet224, 1000, 32, best, 128, undefined, 90);
  }
  if (!flag('--no-wasm')) await gradientsOnWasm(plan);
  const table = report();
  console.log('\n' + table);
  if (OUT) writeFileSync(join(OUT, 'gpu-bench.md'), table + '\n');
}

await main();
// Dawn's device keeps Node alive.
process.exit(0);
