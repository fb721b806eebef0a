import * as tf from '@tensorflow/tfjs';
import { withInputOnlyGradients } from './backend/inputOnly.js';
import { ensureBackendKernels } from './backend/kernels.js';
import { defaultHeapBudget, FOOTPRINT_FACTOR, largestTensorBytes, measurePeakBytes, rowsThatFit } from './backend/memory.js';
import { getKernelHook } from './kernelHook.js';
import type { ModelAdapter } from './model.js';
import { describe, fail } from './validate.js';

/**
 * How many rows go to the model at once, and why: the user's `internalBatchSize`, clamped so that a
 * gradient call stays within the heap budget (on wasm, a share of its 4 GB ceiling).
 */
export interface ChunkSizing {
  /** The user's internalBatchSize. */
  readonly requested: number;
  /** The rows per call used: `requested`, or fewer when they would not fit. */
  readonly rowsPerCall: number;
  /** Heap one gradient row takes: the measured tensor peak of a one-row gradient × FOOTPRINT_FACTOR; null if not measured (no budget). */
  readonly bytesPerRow: number | null;
  /** Heap one call may use; Infinity where the backend has no known ceiling. */
  readonly budgetBytes: number;
  /** The largest tensor one row makes (measured with bytesPerRow); null if not measured. */
  readonly largestRowBytes: number | null;
  /** The largest tensor the backend can hold in one buffer (webgpu's maxStorageBufferBindingSize); Infinity elsewhere. */
  readonly tensorLimitBytes: number;
  /** Why rowsPerCall < requested; printed once with console.warn when a call is split by it. null when not clamped. */
  readonly notice: string | null;
}

export interface OracleOptions {
  /** Heap bytes one call may use. Default: 75% of the wasm heap's 4 GB ceiling less live tensors on wasm, 75% of PATHLENS_GPU_MEMORY_MB (default 4 GB; 1 GB on a software adapter) on webgpu, unlimited elsewhere. */
  readonly heapBudgetBytes?: number;
  /** Skip the filter gradients that fused convs compute and input gradients discard. Default: on for layers and graph models, off for functions (their filters may depend on the input). */
  readonly inputOnly?: boolean;
  /** Stops the work: every model call first checks it and throws an `AbortError` once it is aborted. */
  readonly signal?: AbortSignal;
}

/**
 * The only door from methods to the model: the explained scalar `output[i, target[i]]` and its
 * gradient with respect to the input, for a batch of points. Tensors in, tensors out, no host reads.
 * A call never evaluates more than `internalBatchSize` points at once.
 */
export interface GradientOracle {
  readonly numClasses: number;
  /** Rows per model call: the requested size until the first gradient measures the footprint, then `sizing.rowsPerCall`. */
  readonly internalBatchSize: number;
  /** Set by the first gradient call. */
  readonly sizing: ChunkSizing | null;
  /** Row i is explained for class `targets[i]`. Returns values `[n]` and gradients shaped like `points`. */
  valueAndGrad(points: tf.Tensor, targets: readonly number[]): { value: tf.Tensor1D; grad: tf.Tensor };
  /** Forward only: the explained scalar per row, `[n]`. */
  value(points: tf.Tensor, targets: readonly number[]): tf.Tensor1D;
  /** Model evaluations so far: calls made and points (rows) evaluated, forward and gradient. */
  readonly stats: { gradientCalls: number; gradientRows: number; forwardRows: number };
  /** Throws an `AbortError` if the run's signal is aborted; called before every model call (also by IG2's distance oracle). */
  throwIfAborted(): void;
}

/**
 * The signal a run obeys: the caller's (checked to be an AbortSignal), else the running notebook cell's,
 * from the pathlens kernel's hook (aborted when the cell is interrupted); none elsewhere.
 */
export function runSignal(given: unknown): AbortSignal | undefined {
  if (given !== undefined && !(given instanceof AbortSignal)) fail('signal', 'an AbortSignal (e.g. new AbortController().signal)', describe(given));
  return given ?? getKernelHook()?.signal?.();
}

/** The `AbortError` a run rejects with: the signal's reason when it is one, else a new one. */
export function abortError(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException(`explain: aborted${reason === undefined ? '' : ` (${reason instanceof Error ? reason.message : String(reason)})`}`, 'AbortError');
}

export const NOT_DIFFERENTIABLE = 'model: its output does not depend differentiably on its input (no gradient path from the input to the output)';

export function clearGradientError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  const kernel = /Kernel '(\w+)' not registered for backend '(\w+)'/.exec(message);
  if (kernel) {
    return new Error(
      `backend: the '${kernel[2]}' backend has no '${kernel[1]}' kernel, which the input gradient of this model needs. ` +
        `Run on another backend (PATHLENS_BACKEND=cpu, or tf.setBackend('cpu')).`,
    );
  }
  return error instanceof Error ? error : new Error(message);
}

type Tape = { state: { activeTape: Array<{ saved?: tf.Tensor[] }> | null; gradientDepth: number } };

/**
 * `f`'s value and its gradient with respect to `input` (null when `f` does not depend on it), with
 * filter gradients skipped when `inputOnly`. When `f` or its gradient throws, tfjs keeps the tensors
 * its tape saved for the backward pass (5–18 per call on small models); they are freed here. Call it
 * inside tf.tidy: the value and gradient belong to the caller's scope.
 */
export function inputGradient(f: () => tf.Tensor, input: tf.Tensor, inputOnly: boolean, dy?: tf.Tensor): { value: tf.Tensor; grad: tf.Tensor | null } {
  // allowNoGradients: without it the engine throws (and leaks) when the output does not depend on the input.
  const gradient = () => tf.engine().gradients(f, [input], dy, true);
  try {
    const { value, grads } = inputOnly ? withInputOnlyGradients(gradient) : gradient();
    return { value, grad: grads[0] ?? null };
  } catch (error) {
    const { state } = tf.engine() as unknown as Tape;
    if (state.gradientDepth === 0 && state.activeTape) {
      for (const node of state.activeTape) tf.dispose(node.saved ?? []);
      state.activeTape = null;
    }
    throw clearGradientError(error);
  }
}

const warned = new Set<string>();

function sizeChunks(requested: number, peakBytes: number, budgetBytes: number, largestRowBytes: number, tensorLimitBytes: number): ChunkSizing {
  const bytesPerRow = Math.ceil(peakBytes * FOOTPRINT_FACTOR);
  const byBudget = rowsThatFit(requested, bytesPerRow, budgetBytes);
  const byTensor = rowsThatFit(requested, largestRowBytes, tensorLimitBytes);
  const rowsPerCall = Math.min(byBudget, byTensor);
  let notice: string | null = null;
  const mb = (bytes: number) => `${Math.round(bytes / 2 ** 20)} MB`;
  if (rowsPerCall < requested && byTensor <= byBudget) {
    notice =
      `pathlens: internalBatchSize ${requested} lowered to ${rowsPerCall}: one gradient row of this model makes a tensor of ` +
      `${mb(largestRowBytes)}, and the GPU binds at most ${mb(tensorLimitBytes)} at once (maxStorageBufferBindingSize)`;
  } else if (rowsPerCall < requested) {
    const where = tf.getBackend() === 'wasm' ? ' (the wasm heap cannot grow past 4 GB)' : tf.getBackend() === 'webgpu' ? ' of GPU memory (PATHLENS_GPU_MEMORY_MB)' : '';
    notice =
      `pathlens: internalBatchSize ${requested} lowered to ${rowsPerCall}: one gradient row of this model needs about ` +
      `${mb(bytesPerRow)} of heap, and one call may use ${mb(budgetBytes)}${where}`;
  }
  return { requested, rowsPerCall, bytesPerRow, budgetBytes, largestRowBytes, tensorLimitBytes, notice };
}

/** Prints a clamp notice the first time a call is really split by it (once per requested → used pair). */
function warnIfSplit(sizing: ChunkSizing, rows: number): void {
  const key = `${sizing.requested}→${sizing.rowsPerCall}`;
  if (sizing.notice && rows > sizing.rowsPerCall && !warned.has(key)) {
    warned.add(key);
    console.warn(sizing.notice);
  }
}

export function createOracle(model: ModelAdapter, numClasses: number, internalBatchSize: number, options: OracleOptions = {}): GradientOracle {
  const stats = { gradientCalls: 0, gradientRows: 0, forwardRows: 0 };
  const { signal } = options;
  const throwIfAborted = () => {
    if (signal?.aborted) throw abortError(signal);
  };
  ensureBackendKernels(tf.getBackend());
  const inputOnly = options.inputOnly ?? model.kind !== 'function';
  let rowsPerCall = internalBatchSize;
  let sizing: ChunkSizing | null = null;
  const explained = (points: tf.Tensor, targets: readonly number[]) => targetScores(model.forward(points), targets);
  type Run<T> = (p: tf.Tensor, t: readonly number[]) => T;
  /** Runs `run` over the rows in chunks of rowsPerCall; `first`, when given, runs the first row alone before. */
  const perChunk = <T extends tf.Tensor[]>(points: tf.Tensor, targets: readonly number[], run: Run<T>, first?: Run<T>): T => {
    const n = points.shape[0];
    if (targets.length !== n) throw new Error(`internal: ${targets.length} targets for ${n} points`);
    const chunked = (from: number) => (rest: tf.Tensor) =>
      inChunks(rest, rowsPerCall, (start, rows) => run(rows, targets.slice(from + start, from + start + rows.shape[0])));
    if (!first) return chunked(0)(points);
    // The first row alone measures the footprint that sizes the chunks of the rest (rowsPerCall).
    const head = tf.tidy(() => first(points.slice(0, 1), targets.slice(0, 1)));
    if (n === 1) return head;
    const tail = tf.tidy(() => chunked(1)(points.slice(1, n - 1)));
    const joined = head.map((h, k) => tf.concat([h, tail[k]])) as T;
    tf.dispose([...head, ...tail]);
    return joined;
  };
  const gradientOf: Run<[tf.Tensor, tf.Tensor]> = (p, t) =>
    tf.tidy(() => {
      throwIfAborted();
      stats.gradientCalls++;
      stats.gradientRows += p.shape[0];
      const result = inputGradient(() => explained(p, t), p, inputOnly);
      if (result.grad == null) throw new Error(NOT_DIFFERENTIABLE);
      return [result.value, result.grad] as [tf.Tensor, tf.Tensor];
    });
  // The first gradient call measures one row's footprint and sizes the chunks from it.
  const measuredGradientOf: Run<[tf.Tensor, tf.Tensor]> = (p, t) => {
    const { result, peakBytes, largestRowBytes } = measurePeakBytes(() => gradientOf(p, t));
    sizing = sizeChunks(internalBatchSize, peakBytes, budgetBytes(), largestRowBytes, largestTensorBytes());
    rowsPerCall = sizing.rowsPerCall;
    return result;
  };
  const budgetBytes = () => options.heapBudgetBytes ?? defaultHeapBudget();
  return {
    numClasses,
    get internalBatchSize() {
      return rowsPerCall;
    },
    get sizing() {
      return sizing;
    },
    stats,
    throwIfAborted,
    valueAndGrad(points, targets) {
      let first: Run<[tf.Tensor, tf.Tensor]> | undefined;
      if (sizing === null) {
        if (budgetBytes() === Infinity && largestTensorBytes() === Infinity) {
          sizing = { requested: internalBatchSize, rowsPerCall, bytesPerRow: null, budgetBytes: Infinity, largestRowBytes: null, tensorLimitBytes: Infinity, notice: null };
        } else first = measuredGradientOf;
      }
      const [value, grad] = perChunk(points, targets, gradientOf, first);
      warnIfSplit(sizing!, points.shape[0]);
      return { value: value as tf.Tensor1D, grad };
    },
    value(points, targets) {
      const [value] = perChunk(points, targets, (p, t) =>
        tf.tidy(() => {
          throwIfAborted();
          stats.forwardRows += p.shape[0];
          return [explained(p, t)] as [tf.Tensor];
        }),
      );
      return value as tf.Tensor1D;
    },
  };
}

/** Runs `run` on consecutive slices of at most `size` rows (each in its own tidy) and concatenates each output. */
export function inChunks<T extends tf.Tensor[]>(batch: tf.Tensor, size: number, run: (start: number, rows: tf.Tensor) => T): T {
  const n = batch.shape[0];
  if (n <= size) return tf.tidy(() => run(0, batch));
  const parts: T[] = [];
  for (let start = 0; start < n; start += size) {
    parts.push(tf.tidy(() => run(start, batch.slice(start, Math.min(size, n - start)))));
  }
  const joined = parts[0].map((_, k) => tf.concat(parts.map((p) => p[k]))) as T;
  parts.forEach((p) => tf.dispose(p));
  return joined;
}

/** The model's scores `[B, K]` for a batch, evaluated in chunks of at most `internalBatchSize` rows (fewer where one would not fit the GPU's buffers). */
export function scoresOf(model: ModelAdapter, batch: tf.Tensor, internalBatchSize: number): tf.Tensor2D {
  const rows = forwardRowsThatFit(model, batch, internalBatchSize);
  const [scores] = inChunks(batch, rows, (_, part) => [tf.tidy(() => model.forward(part))]);
  return scores as tf.Tensor2D;
}

/**
 * `requested`, or fewer rows where a forward pass of that many would make a tensor larger than the
 * backend binds (webgpu's maxStorageBufferBindingSize): measured on one row of `batch`.
 */
export function forwardRowsThatFit(model: ModelAdapter, batch: tf.Tensor, requested: number): number {
  const limit = largestTensorBytes();
  if (limit === Infinity || Math.min(requested, batch.shape[0]) <= 1) return requested;
  const { largestRowBytes } = measurePeakBytes(() => tf.tidy(() => void model.forward(batch.slice(0, 1))));
  return rowsThatFit(requested, largestRowBytes, limit);
}

/**
 * `scores[i, targets[i]]` for every row, as a one-hot product: gather's gradient (UnsortedSegmentSum) is
 * missing on some backends, and tf.oneHot refuses a model with a single output.
 */
export function targetScores(scores: tf.Tensor2D, targets: readonly number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const classes = scores.shape[1];
    const hot = new Float32Array(targets.length * classes);
    targets.forEach((t, i) => (hot[i * classes + t] = 1));
    return tf.sum(tf.mul(scores, tf.tensor2d(hot, [targets.length, classes])), 1) as tf.Tensor1D;
  });
}
