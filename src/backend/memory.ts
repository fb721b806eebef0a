import * as tf from '@tensorflow/tfjs';
import { webgpuAdapter } from './webgpu/adapter.js';

/** The wasm heap's hard ceiling (65535 pages of 64 KiB). Past it XNNPACK aborts and the backend is dead for the process. */
export const WASM_HEAP_CAP_BYTES = 4294901760;
/** The share of that ceiling a gradient call may plan to use: the heap never shrinks and fragments. */
const PLANNED_SHARE = 0.75;
/**
 * Measured tensor bytes × this = the heap a call really needs: XNNPACK's packed weights, indirection
 * buffers and workspaces are not tensors. On MobileNet-224 (bench/models.ts) the heap grew by 1.09×
 * the measured tensor peak at batch 8 (1715 MB for 1575 MB).
 */
export const FOOTPRINT_FACTOR = 1.25;

/**
 * GPU memory pathlens plans to use when nothing says otherwise: WebGPU does not tell how much a device
 * has. `PATHLENS_GPU_MEMORY_MB` sets it. A software adapter's buffers live in system memory.
 */
export const DEFAULT_GPU_MEMORY_BYTES = { hardware: 4 * 2 ** 30, software: 2 ** 30 };

/** The largest tensor the active backend can bind at once (bytes; webgpu's device limits), or Infinity. */
export function largestTensorBytes(): number {
  if (tf.getBackend() !== 'webgpu') return Infinity;
  const limits = (tf.backend() as unknown as { device?: { limits?: Record<string, number> } }).device?.limits;
  if (!limits) return Infinity;
  return Math.min(limits.maxStorageBufferBindingSize ?? Infinity, limits.maxBufferSize ?? Infinity);
}

function gpuMemoryBytes(): number {
  const mb = Number(process.env.PATHLENS_GPU_MEMORY_MB);
  if (Number.isFinite(mb) && mb > 0) return mb * 2 ** 20;
  return webgpuAdapter()?.software ? DEFAULT_GPU_MEMORY_BYTES.software : DEFAULT_GPU_MEMORY_BYTES.hardware;
}

/** The heap bytes one gradient call may use on the active backend; Infinity where no ceiling is known. */
export function defaultHeapBudget(): number {
  const backend = tf.getBackend();
  const ceiling = backend === 'wasm' ? WASM_HEAP_CAP_BYTES : backend === 'webgpu' ? gpuMemoryBytes() : Infinity;
  if (ceiling === Infinity) return Infinity;
  return Math.max(0, PLANNED_SHARE * ceiling - tf.memory().numBytes);
}

/** The default internalBatchSize: a GPU wants large batches (fewer, larger dispatches); CPU backends gain nothing past 64. */
export function defaultInternalBatchSize(): number {
  return tf.getBackend() === 'webgpu' ? 256 : 64;
}

type Tracked = {
  write(values: unknown, shape: number[], dtype: tf.DataType): object;
  move(dataId: object, values: unknown, shape: number[], dtype: tf.DataType, refCount: number): void;
  disposeData(dataId: object, force?: boolean): boolean;
};

/**
 * Runs `fn` and reports the most bytes of tensor data it had alive at once on the active backend
 * (data made during the call only; what existed before is not counted), and the largest single tensor
 * whose first axis is `rows` long (one that grows with the batch; a weight-shaped temporary may be
 * counted too, which errs on the safe side).
 */
export function measurePeakBytes<T>(fn: () => T, rows = 1): { result: T; peakBytes: number; largestRowBytes: number } {
  const backend = tf.backend() as unknown as Tracked & Record<string, unknown>;
  const sizes = new Map<object, number>();
  let live = 0;
  let peak = 0;
  let largest = 0;
  const track = (dataId: object, shape: number[], dtype: tf.DataType) => {
    if (sizes.has(dataId) || dtype === 'string') return;
    const bytes = tf.util.sizeFromShape(shape) * tf.util.bytesPerElement(dtype);
    if (shape[0] === rows) largest = Math.max(largest, bytes);
    sizes.set(dataId, bytes);
    live += bytes;
    peak = Math.max(peak, live);
  };
  const own = ['write', 'move', 'disposeData'].map((k) => [k, Object.getOwnPropertyDescriptor(backend, k)] as const);
  const { write, move, disposeData } = backend;
  backend.write = function (this: Tracked, values, shape, dtype) {
    const dataId = write.call(this, values, shape, dtype);
    track(dataId, shape, dtype);
    return dataId;
  };
  backend.move = function (this: Tracked, dataId, values, shape, dtype, refCount) {
    move.call(this, dataId, values, shape, dtype, refCount);
    track(dataId, shape, dtype);
  };
  backend.disposeData = function (this: Tracked, dataId, force) {
    const freed = disposeData.call(this, dataId, force);
    const bytes = sizes.get(dataId);
    if (freed && bytes !== undefined) {
      live -= bytes;
      sizes.delete(dataId);
    }
    return freed;
  };
  try {
    return { result: fn(), peakBytes: peak, largestRowBytes: largest / rows };
  } finally {
    for (const [key, descriptor] of own) {
      if (descriptor) Object.defineProperty(backend, key, descriptor);
      else delete backend[key];
    }
  }
}

/** How many rows fit in `budgetBytes` at `bytesPerRow` each (at least 1), and at most `requested`. */
export function rowsThatFit(requested: number, bytesPerRow: number, budgetBytes: number): number {
  if (!(bytesPerRow > 0) || budgetBytes === Infinity) return requested;
  return Math.max(1, Math.min(requested, Math.floor(budgetBytes / bytesPerRow)));
}
