import * as tf from '@tensorflow/tfjs';
import { ensureBackendKernels } from '../kernels.js';
import { openWebgpu, webgpuAdapter } from './adapter.js';

/**
 * The tfjs 'webgpu' backend in Node. pathlens registers its factory when it loads (lowest priority, so
 * tfjs never starts it by itself): `tf.setBackend('webgpu')` then works in Node as in a browser, on the
 * GPU, or on a software adapter when there is no GPU (the user asked for webgpu by name).
 */
const FACTORY = Symbol.for('pathlens.webgpuFactory');
type Factory = (() => Promise<tf.KernelBackend>) & { [FACTORY]?: true };

const factory: Factory = async () => (await openWebgpu(true)).makeBackend();
factory[FACTORY] = true;

function registerFactory(): void {
  const current = tf.findBackendFactory('webgpu') as Factory | null;
  if (current == null) tf.registerBackend('webgpu', factory, 0);
}
registerFactory();

/**
 * Makes the 'webgpu' backend available for pathlens's choice: throws when the packages are missing or
 * no usable adapter is found (a software one counts only when `allowSoftware`).
 */
export async function registerWebgpu(allowSoftware: boolean): Promise<void> {
  registerFactory();
  if ((tf.findBackendFactory('webgpu') as Factory)[FACTORY]) await openWebgpu(allowSoftware);
}

/**
 * What pathlens needs once 'webgpu' runs: no CPU forwarding (it reads GPU data synchronously, which
 * Node cannot), and the input-only filter-gradient kernels.
 */
export function useWebgpu(): void {
  tf.env().set('WEBGPU_CPU_FORWARD', false);
  ensureBackendKernels('webgpu');
}

/** The adapter, e.g. 'NVIDIA H200 (vulkan)' or 'llvmpipe (LLVM 15.0.6, 256 bits) (opengles, software)'. */
export function webgpuDescription(): string {
  const adapter = webgpuAdapter();
  if (!adapter) return 'a device set up outside pathlens';
  return `${adapter.name} (${adapter.route}${adapter.software ? ', software' : ''})`;
}
