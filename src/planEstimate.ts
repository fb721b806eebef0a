import * as tf from '@tensorflow/tfjs';
import { constants } from 'node:buffer';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { WASM_HEAP_CAP_BYTES } from './backend/memory.js';
import type { PlanStep } from './explain.js';

/** What one planned method will cost, estimated before it runs. */
export interface MethodEstimate {
  readonly label: string;
  readonly method: string;
  /** Rows the model differentiates (an IG2 point counts twice: its output and its representation distance). */
  readonly gradientRows: number;
  /** Rows the model evaluates forward only. */
  readonly forwardRows: number;
  readonly modelCalls: number;
  /** At the measured rate: calls × secondsPerCall + rows × secondsPerRow (a forward row counted as a third of a gradient row). */
  readonly seconds: number;
  /** Most bytes alive at once: the method's own buffers (tensors, typed arrays, its trace) and one model call's footprint. */
  readonly peakBytes: number;
}

/** The measured cost of gradients of this model on x: a call takes secondsPerCall + rows · secondsPerRow. */
export interface GradientRate {
  /** Rows of the first (cold) measuring call. */
  readonly rows: number;
  /** A call's fixed cost; 0 from the cold call alone (its time is all counted per row, an overestimate). */
  readonly secondsPerCall: number;
  readonly secondsPerRow: number;
  /** Heap one gradient row takes (measured tensor peak × FOOTPRINT_FACTOR). */
  readonly bytesPerRow: number;
  /** Whether the time comes from warm calls (estimate(), or a plan about to be refused) or from the first call only. */
  readonly warm: boolean;
}

export interface PlanLimits {
  /** The longest plan that runs without `run({ maxSeconds })` (default 3600). */
  readonly seconds: number;
  /** This machine's memory. */
  readonly bytes: number;
  /** The JavaScript heap (traces are plain arrays). */
  readonly jsHeapBytes: number;
  /** The largest typed array (a tensor's data on cpu, a host buffer). */
  readonly arrayBytes: number;
  /** Tensor bytes at once: the wasm heap's planned share on wasm, else the machine's memory. */
  readonly tensorBytes: number;
}

/** `explain(...).estimate()`: per method and in total, before anything runs. */
export interface PlanEstimate {
  readonly methods: MethodEstimate[];
  readonly gradientRows: number;
  readonly modelCalls: number;
  readonly seconds: number;
  readonly peakBytes: number;
  readonly rate: GradientRate;
  readonly limits: PlanLimits;
  /** Why the plan would not run (over a limit), each naming the method and option; empty when it fits. */
  readonly problems: string[];
}

/** Bytes by where they live: each kind has its own ceiling. */
interface Bytes {
  tensors: number;
  host: number;
  js: number;
  largest: number;
}

interface Work extends Bytes {
  gradientRows: number;
  forwardRows: number;
  calls: number;
  /** Rows of the method's largest model call (for the call's footprint). */
  callRows: number;
}

interface Shape {
  readonly examples: number;
  readonly features: number;
  readonly xShape: readonly number[];
  /** Rows per model call. */
  readonly rows: number;
}

const F32 = 4;
const F64 = 8;
const ceil = Math.ceil;

function work(w: Partial<Work> & Pick<Work, 'gradientRows' | 'calls'>): Work {
  return { forwardRows: 0, tensors: 0, host: 0, js: 0, largest: 0, callRows: 0, ...w };
}

function keep(options: { keepPath?: boolean }, bytes: number): number {
  return options.keepPath ? bytes : 0;
}

type Options = Record<string, unknown>;
const num = (o: Options, key: string, fallback: number) => (typeof o[key] === 'number' ? (o[key] as number) : fallback);
/** The defaults of the options that scale each method's work (steps; SmoothGrad's samples). */
const SCALE_DEFAULTS: Readonly<Record<string, number>> = { ig: 50, guidedIG: 200, blurIG: 100, ig2: 201, smoothGrad: 25 };

/** The cost model of each method, from its options and x's size (see each method's loop). */
function methodWork(method: string, o: Options, s: Shape, references: number, pool: number): Work {
  const { examples: B, features: F, rows: c } = s;
  switch (method) {
    case 'gradient':
    case 'gradientXInput':
      return work({ gradientRows: B, calls: ceil(B / c), callRows: Math.min(B, c), tensors: 3 * B * F * F32, largest: B * F * F32 });
    case 'ig': {
      const S = num(o, 'steps', SCALE_DEFAULTS.ig);
      const group = Math.min(B, c);
      const points = keep(o, B * S * F * F32);
      return work({
        gradientRows: B * S,
        calls: ceil(S / Math.max(1, Math.floor(c / group))) * ceil(B / group),
        callRows: Math.min(B * S, c),
        tensors: 4 * B * F * F32 + 3 * B * S * F32 + 2 * points,
        js: 4 * B * S * F64 + 4 * S * F64,
        largest: Math.max(points, B * F * F32),
      });
    }
    case 'guidedIG': {
      const S = num(o, 'steps', SCALE_DEFAULTS.guidedIG);
      const points = keep(o, B * S * F * F32);
      return work({
        gradientRows: B * S,
        calls: S * ceil(B / c),
        callRows: Math.min(B, c),
        tensors: 3 * B * F * F32 + points,
        host: 8 * B * F * F64 + 4 * B * F * F32 + points,
        js: 5 * B * S * F64,
        largest: Math.max(points, F * F64),
      });
    }
    case 'blurIG': {
      const S = num(o, 'steps', SCALE_DEFAULTS.blurIG);
      const [H, W] = [s.xShape[1] ?? 1, s.xShape[2] ?? 1];
      const chunk = Math.min(S, Math.max(1, Math.floor(c / B)));
      const points = keep(o, B * S * F * F32);
      return work({
        gradientRows: B * S,
        forwardRows: B,
        calls: ceil(S / chunk) + ceil(B / c),
        callRows: Math.min(chunk * B, Math.max(c, B)),
        tensors: (2 + 3 * chunk) * B * F * F32 + 4 * B * S * F32 + 2 * points,
        host: 3 * chunk * (H * H + W * W) * F64 + 4 * B * S * F32,
        js: (S + 1) * F64 + 5 * B * S * F64,
        largest: Math.max(points, 4 * B * S * F32, 3 * chunk * B * F * F32),
      });
    }
    case 'ig2': {
      const S = num(o, 'steps', SCALE_DEFAULTS.ig2);
      const n = B * references;
      const points = keep(o, (S + 1) * n * F * F32);
      const perCall = Math.max(1, Math.floor(c / 2));
      return work({
        gradientRows: 2 * n * S,
        forwardRows: pool + 3 * n,
        calls: S * ceil(n / perCall) + ceil(pool / c) + 3 * ceil(n / c),
        callRows: 2 * Math.min(n, perCall),
        tensors: 6 * n * F * F32 + 6 * n * S * F32 + 2 * points,
        js: 3 * (S + 1) * n * F64 + 5 * B * S * F64,
        largest: Math.max(points, 6 * n * S * F32, n * F * F32),
      });
    }
    default:
      throw new Error(`internal: no cost model for ${method}`);
  }
}

function stepWork(step: PlanStep, s: Shape): Work {
  const o = step.options as Options;
  if (step.method !== 'smoothGrad') return methodWork(step.method, o, s, referenceCount(o), poolSize(o));
  const N = num(o, 'samples', SCALE_DEFAULTS.smoothGrad);
  const noisy = N * s.examples * s.features * F32;
  const inner = methodWork(typeof o.of === 'string' ? o.of : 'gradient', (o.ofOptions ?? {}) as Options, { ...s, examples: N * s.examples }, 0, 0);
  return { ...inner, tensors: inner.tensors + 2 * noisy, host: inner.host + 2 * noisy, largest: Math.max(inner.largest, noisy) };
}

function referenceCount(o: Options): number {
  const spec = o.references as { shape?: number[]; count?: number } | undefined;
  if (spec instanceof tf.Tensor) return spec.shape[0];
  return typeof spec?.count === 'number' ? spec.count : 10;
}

function poolSize(o: Options): number {
  const spec = o.references as { pool?: tf.Tensor } | undefined;
  return spec && !(spec instanceof tf.Tensor) && spec.pool instanceof tf.Tensor ? spec.pool.shape[0] : 0;
}

/** The option that scales a method's work, for the "at most" in an error. */
function scaleOption(step: PlanStep): string | null {
  if (step.method === 'smoothGrad') return 'samples';
  return step.method === 'gradient' || step.method === 'gradientXInput' ? null : 'steps';
}

export function planLimits(maxSeconds = 3600): PlanLimits {
  const bytes = totalmem();
  return {
    seconds: maxSeconds,
    bytes,
    jsHeapBytes: getHeapStatistics().heap_size_limit,
    arrayBytes: constants.MAX_LENGTH,
    tensorBytes: tf.getBackend() === 'wasm' ? 0.75 * WASM_HEAP_CAP_BYTES : bytes,
  };
}

const gb = (bytes: number) => (bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GB` : `${Math.max(1, Math.round(bytes / 2 ** 20))} MB`);
const duration = (s: number) => (s >= 5400 ? `${(s / 3600).toFixed(1)} h` : s >= 90 ? `${Math.round(s / 60)} min` : `${s.toFixed(1)} s`);

/** The cost of every step, and what is over a limit. `rate` may be zero (before the model was measured). */
export function estimatePlan(steps: readonly PlanStep[], labels: readonly string[], s: Shape, rate: GradientRate, limits: PlanLimits): PlanEstimate {
  const works = steps.map((step) => stepWork(step, s));
  const secondsOf = (w: Work) => w.calls * rate.secondsPerCall + (w.gradientRows + w.forwardRows / 3) * rate.secondsPerRow;
  const methods = works.map((w, i) => ({
    label: labels[i],
    method: steps[i].method,
    gradientRows: w.gradientRows,
    forwardRows: w.forwardRows,
    modelCalls: w.calls,
    seconds: secondsOf(w),
    peakBytes: Math.round(w.tensors + w.host + w.js + w.callRows * rate.bytesPerRow),
  }));
  const problems: string[] = [];
  works.forEach((w, i) => {
    const over = memoryProblem(w, w.callRows * rate.bytesPerRow, limits);
    if (!over) return;
    const option = scaleOption(steps[i]);
    const fit = option ? atMost(steps[i], s, (x) => memoryAmount(x, over.kind, x.callRows * rate.bytesPerRow), over.limit) : null;
    problems.push(`${where(steps[i], labels[i])}: ${scaleText(steps[i], option)}needs about ${gb(over.amount)} of ${over.what} (${over.limitText})${fit ?? ''}`);
  });
  const seconds = methods.reduce((t, m) => t + m.seconds, 0);
  if (seconds > limits.seconds && rate.secondsPerRow + rate.secondsPerCall > 0) {
    const worst = methods.reduce((a, m, i) => (m.seconds > methods[a].seconds ? i : a), 0);
    const option = scaleOption(steps[worst]);
    const rest = seconds - methods[worst].seconds;
    const fit = option ? atMost(steps[worst], s, secondsOf, limits.seconds - rest) : null;
    problems.push(
      `${where(steps[worst], labels[worst])}: ${scaleText(steps[worst], option)}would take about ${duration(methods[worst].seconds)} ` +
        `(${methods[worst].gradientRows} gradient rows at the measured ${(rate.secondsPerRow * 1000).toPrecision(2)} ms each` +
        (rate.secondsPerCall > 0 ? ` and ${methods[worst].modelCalls} calls at ${(rate.secondsPerCall * 1000).toPrecision(2)} ms` : '') +
        `; the plan: ${duration(seconds)}, ` +
        `over the ${duration(limits.seconds)} limit)${fit ?? ''}, or allow it with .run({ maxSeconds })`,
    );
  }
  return {
    methods,
    gradientRows: methods.reduce((t, m) => t + m.gradientRows, 0),
    modelCalls: methods.reduce((t, m) => t + m.modelCalls, 0),
    seconds,
    peakBytes: Math.max(0, ...methods.map((m) => m.peakBytes)),
    rate,
    limits,
    problems,
  };
}

type MemoryKind = 'js' | 'tensors' | 'largest' | 'all';

function memoryAmount(w: Work, kind: MemoryKind, call: number): number {
  if (kind === 'all') return w.tensors + w.host + w.js + call;
  return kind === 'tensors' ? w.tensors + call : w[kind];
}

function memoryProblem(w: Work, call: number, limits: PlanLimits) {
  const checks: Array<{ kind: MemoryKind; limit: number; what: string; limitText: string }> = [
    { kind: 'largest', limit: limits.arrayBytes, what: 'memory in one buffer', limitText: `a typed array holds at most ${gb(limits.arrayBytes)}` },
    { kind: 'js', limit: limits.jsHeapBytes, what: 'JavaScript heap for its path trace', limitText: `this process may use ${gb(limits.jsHeapBytes)}` },
    { kind: 'tensors', limit: limits.tensorBytes, what: 'tensor memory', limitText: `the ${tf.getBackend()} backend can hold ${gb(limits.tensorBytes)}` },
    { kind: 'all', limit: limits.bytes, what: 'memory', limitText: `this machine has ${gb(limits.bytes)}` },
  ];
  for (const c of checks) {
    const amount = memoryAmount(w, c.kind, call);
    if (amount > c.limit) return { ...c, amount };
  }
  return null;
}

/** The largest value of the scaling option that keeps `cost` under `limit` (the cost is affine in it). */
function atMost(step: PlanStep, s: Shape, cost: (w: Work) => number, limit: number): string {
  const option = scaleOption(step)!;
  const o = step.options as Options;
  const value = num(o, option, SCALE_DEFAULTS[step.method]);
  const at = (v: number) => cost(stepWork({ ...step, options: { ...o, [option]: v } } as PlanStep, s));
  const [one, here] = [at(1), at(value)];
  const best = value > 1 && here > one ? Math.floor(1 + ((limit - one) * (value - 1)) / (here - one)) : 0;
  return best >= 1 ? `; at most about ${best} ${option} fit` : `; even ${option}: 1 does not fit`;
}

function scaleText(step: PlanStep, option: string | null): string {
  if (!option) return '';
  const o = step.options as Options;
  const value = num(o, option, SCALE_DEFAULTS[step.method]);
  const extra = step.method === 'ig2' ? ` × ${referenceCount(o)} references` : '';
  return `${option} ${value}${extra} `;
}

/** How errors name a step: `ig()`, or `ig() labelled 'ig8'`. */
export function where(step: PlanStep, label: string): string {
  return label === step.method || typeof label !== 'string' ? `${step.method}()` : `${step.method}() labelled '${label}'`;
}
