import * as tf from '@tensorflow/tfjs';
import { skipFilterGradients } from './inputOnly.js';

/**
 * Input-only mode for backends whose own filter-gradient kernels pathlens keeps (webgpu, tfjs-node's
 * 'tensorflow', cpu): the stock kernel is wrapped, so that while the mode is on it returns zeros of
 * `attrs.filterShape` (one Fill on the backend) and otherwise runs as before. wasm has pathlens's own
 * kernels, which check the mode themselves (src/backend/wasm/).
 */
export const FILTER_GRADIENT_KERNELS = ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter'] as const;

const STOCK = Symbol.for('pathlens.stockKernel');
type Wrapped = tf.KernelFunc & { [STOCK]?: tf.KernelFunc };
type Args = Parameters<tf.KernelFunc>[0];

function zerosOf(backendName: string, { attrs, backend }: Args): tf.TensorInfo {
  const shape = (attrs as { filterShape: number[] }).filterShape;
  const fill = tf.getKernel('Fill', backendName);
  if (fill) return fill.kernelFunc({ inputs: {}, attrs: { shape, value: 0, dtype: 'float32' }, backend }) as tf.TensorInfo;
  const dataId = (backend as tf.KernelBackend).write(new Float32Array(tf.util.sizeFromShape(shape)), shape, 'float32');
  return { dataId, shape, dtype: 'float32' };
}

/** Wraps the filter-gradient kernels registered for `backendName` (cheap when they already are; a no-op where none is registered). */
export function ensureInputOnlyKernels(backendName: string): void {
  for (const kernelName of FILTER_GRADIENT_KERNELS) {
    const current = tf.getKernel(kernelName, backendName);
    if (!current || (current.kernelFunc as Wrapped)[STOCK]) continue;
    const stock = current.kernelFunc;
    const kernelFunc: Wrapped = (args) => (skipFilterGradients() ? zerosOf(backendName, args) : stock(args));
    kernelFunc[STOCK] = stock;
    tf.unregisterKernel(kernelName, backendName);
    tf.registerKernel({ ...current, kernelFunc });
  }
}

/** True when `kernelName` on `backendName` is wrapped for input-only mode (for tests). */
export function isInputOnlyWrapped(kernelName: string, backendName: string): boolean {
  const current = tf.getKernel(kernelName, backendName);
  return current != null && (current.kernelFunc as Wrapped)[STOCK] != null;
}
