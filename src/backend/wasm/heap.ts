import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

// Type-only import: the wasm package itself must not load with pathlens (see select.ts).
export type Wasm = BackendWasm;
export type Info = tf.TensorInfo;

/** Runs one of the wasm backend's own kernels on tensor infos (no engine, no tape). */
export function callWasm(backend: Wasm, kernelName: string, inputs: Record<string, Info>, attrs: object = {}): Info {
  const kernel = tf.getKernel(kernelName, 'wasm');
  if (!kernel) throw new Error(`backend: the wasm backend has no '${kernelName}' kernel, which pathlens's gradient kernels are built on`);
  return kernel.kernelFunc({ inputs, attrs: attrs as tf.NamedAttrMap, backend }) as Info;
}

/** Frees intermediate tensor infos made inside a kernel. */
export function release(backend: Wasm, ...infos: Info[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** The wasm memory; the emscripten module has it, its typings do not. */
const heap = (backend: Wasm): ArrayBuffer => (backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer as ArrayBuffer;

/** A float32 view on a tensor's data in the wasm heap. Take views after the last allocation: growth detaches them. */
export function f32(backend: Wasm, info: Info): Float32Array {
  const offset = backend.dataIdMap.get(info.dataId)!.memoryOffset;
  return new Float32Array(heap(backend), offset, tf.util.sizeFromShape(info.shape));
}

export function i32(backend: Wasm, info: Info): Int32Array {
  const offset = backend.dataIdMap.get(info.dataId)!.memoryOffset;
  return new Int32Array(heap(backend), offset, tf.util.sizeFromShape(info.shape));
}

/** A new float32 tensor info on the wasm heap, filled with zeros. */
export function zeros(backend: Wasm, shape: number[]): Info {
  const out = backend.makeOutput(shape, 'float32');
  f32(backend, out).fill(0);
  return out;
}

export function checkChannelsLast(kernelName: string, dataFormat: string | undefined): void {
  if (dataFormat != null && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`backend: pathlens's wasm ${kernelName} supports dataFormat 'NHWC' only, got '${dataFormat}'`);
  }
}
