import * as tf from '@tensorflow/tfjs';
import { batchNormGradConfig } from './batchNormGradient.js';
import { ensureInputOnlyKernels } from './inputOnlyKernels.js';
import { registerFastWebgpuKernels } from './webgpu/fastKernels.js';
import { cpuAvgPoolGrad } from './kernels/cpuAvgPoolGrad.js';
import { conv2dBackpropFilter, conv2dBackpropInput } from './wasm/conv2dBackprop.js';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './wasm/depthwiseBackprop.js';
import { avgPoolGrad, maxPoolGrad, segmentSum } from './wasm/jsKernels.js';

/**
 * The gradient kernels pathlens adds to tfjs, registered by name when pathlens loads (the registry
 * does not need the backend loaded). Documented in src/backend/README.md.
 *
 * wasm lacks four kernels that input gradients of ordinary conv nets need; they are added at load.
 * Three stock wasm kernels are replaced: MaxPoolGrad and AvgPoolGrad are wrong, Conv2DBackpropInput
 * is slow. The wasm package registers its own when it is imported, so those three are installed
 * when the wasm backend is registered or created, and again before each pathlens gradient.
 * cpu's AvgPoolGrad (wrong at 'same'-padded borders) is replaced at load, and so is the
 * FusedBatchNorm gradient (all backends; same values, less work: see batchNormGradient.ts).
 */
type Func = (args: never) => tf.TensorInfo;
const WASM_ADDED: ReadonlyArray<[string, Func]> = [
  ['Conv2DBackpropFilter', conv2dBackpropFilter],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter],
  ['UnsortedSegmentSum', segmentSum],
];
const WASM_REPLACED: ReadonlyArray<[string, Func]> = [
  ['Conv2DBackpropInput', conv2dBackpropInput],
  ['MaxPoolGrad', maxPoolGrad],
  ['AvgPoolGrad', avgPoolGrad],
];
const CPU_REPLACED: ReadonlyArray<[string, Func]> = [['AvgPoolGrad', cpuAvgPoolGrad]];

function install(backendName: string, kernelName: string, kernelFunc: Func): void {
  const current = tf.getKernel(kernelName, backendName);
  if (current?.kernelFunc === (kernelFunc as unknown)) return;
  if (current) tf.unregisterKernel(kernelName, backendName);
  tf.registerKernel({ kernelName, backendName, kernelFunc: kernelFunc as unknown as tf.KernelFunc });
}

/** Makes sure every pathlens wasm kernel is the one registered (cheap when they already are). */
export function ensureWasmKernels(): void {
  for (const [name, func] of WASM_ADDED) install('wasm', name, func);
  for (const [name, func] of WASM_REPLACED) install('wasm', name, func);
}

/**
 * Makes sure the active backend has pathlens's kernels: wasm its own set, webgpu its faster WGSL kernels, any other backend (webgpu,
 * tfjs-node's 'tensorflow', cpu) its stock filter-gradient kernels wrapped for input-only mode.
 */
export function ensureBackendKernels(backendName: string): void {
  if (backendName === 'wasm') ensureWasmKernels();
  else ensureInputOnlyKernels(backendName);
  // Checked against cpu on llvmpipe (test/webgpu/fast-kernels.test.ts); PATHLENS_FAST_KERNELS=0 keeps tfjs's own.
  if (backendName === 'webgpu' && process.env.PATHLENS_FAST_KERNELS !== '0') registerFastWebgpuKernels();
}

/** Names of the kernels pathlens registers, per backend (for tests and the README). */
export function pathlensKernels(): Record<string, string[]> {
  return { wasm: [...WASM_ADDED, ...WASM_REPLACED].map(([n]) => n), cpu: CPU_REPLACED.map(([n]) => n) };
}

/** True when `kernelName` on `backendName` is pathlens's kernel. */
export function isPathlensKernel(kernelName: string, backendName: string): boolean {
  const all = backendName === 'cpu' ? CPU_REPLACED : [...WASM_ADDED, ...WASM_REPLACED];
  const ours = all.find(([n]) => n === kernelName);
  return ours != null && tf.getKernel(kernelName, backendName)?.kernelFunc === (ours[1] as unknown);
}

type Factory = () => tf.KernelBackend | Promise<tf.KernelBackend>;
type EngineWithRegister = { registerBackend(name: string, factory: Factory, priority?: number): boolean; __pathlensKernels?: boolean };

function registerAtLoad(): void {
  for (const [name, func] of WASM_ADDED) install('wasm', name, func);
  // The wasm package already imported (by the user, before pathlens): replace its kernels now.
  if (tf.getKernel('MaxPoolGrad', 'wasm')) ensureWasmKernels();
  for (const [name, func] of CPU_REPLACED) install('cpu', name, func);
  ensureInputOnlyKernels('cpu');
  tf.registerGradient(batchNormGradConfig);

  // Imported later: replace them when the backend is created, after the package registered its own.
  const engine = tf.engine() as unknown as EngineWithRegister;
  if (engine.__pathlensKernels) return;
  engine.__pathlensKernels = true;
  const registerBackend = engine.registerBackend.bind(engine);
  engine.registerBackend = (name, factory, priority) => {
    if (name !== 'wasm') return registerBackend(name, factory, priority);
    return registerBackend(name, async () => {
      const backend = await factory();
      ensureWasmKernels();
      return backend;
    }, priority);
  };
}
registerAtLoad();
