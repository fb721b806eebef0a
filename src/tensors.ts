import * as tf from '@tensorflow/tfjs';
import { checkGpuErrors } from './backend/webgpu/adapter.js';

/**
 * Reads tensors to the host in one go and disposes them. Throws if the GPU reported an error meanwhile
 * (WebGPU reports them as events, and the values read are then zeros, not an exception).
 */
export async function readAll(tensors: tf.Tensor[]): Promise<Float32Array[]> {
  try {
    const values = (await Promise.all(tensors.map((t) => t.data()))) as Float32Array[];
    checkGpuErrors();
    return values;
  } finally {
    tf.dispose(tensors);
  }
}

const onHost = new WeakMap<tf.Tensor, Float32Array>();

/**
 * Reads tensors to the host once and keeps their values beside them, for code that must answer
 * synchronously (a display, toJSON) and so cannot `await data()`; no backend can read a GPU tensor
 * synchronously in Node.
 */
export async function mirrorOnHost(tensors: ReadonlyArray<tf.Tensor | undefined>): Promise<void> {
  const fresh = tensors.filter((t): t is tf.Tensor => t != null && !onHost.has(t));
  const values = await Promise.all(fresh.map((t) => t.data()));
  checkGpuErrors();
  fresh.forEach((t, i) => onHost.set(t, values[i] as Float32Array));
}

/** The values `mirrorOnHost` kept for `t` (do not modify them); throws, naming `what`, when it was not mirrored. */
export function hostValues(t: tf.Tensor, what: string): Float32Array {
  const values = onHost.get(t);
  if (!values) throw new Error(`internal: ${what} was not read to the host (mirrorOnHost)`);
  return values;
}

/** Example b's values of a mirrored tensor `[B, ...]`. */
export function hostExample(t: tf.Tensor, b: number, what: string): Float32Array {
  const per = t.size / t.shape[0];
  return hostValues(t, what).subarray(b * per, (b + 1) * per);
}

/**
 * `times` copies of `t` stacked on a new first axis, `[times, ...t.shape]`, as a rank-2 tile:
 * tfjs-webgpu runs Tile (and so broadcastTo) of rank ≥ 5 on the CPU after a synchronous GPU read.
 */
export function repeatRows(t: tf.Tensor, times: number): tf.Tensor {
  return tf.tidy(() => tf.tile(t.reshape([1, t.size]), [times, 1]).reshape([times, ...t.shape]));
}
