import * as tf from '@tensorflow/tfjs';
import { fastConv2DBackpropInput, type Conv2DBackpropInputVariant, type WebgpuBackendLike } from './conv2dBackpropInput.js';
import { BATCH_NORM_INPUT_GRADIENT, batchNormInputGradient, batchNormInputGradientApplies } from './batchNormInputGradient.js';
import { MASKED_GRADIENT, maskedGradient, type MaskKind } from './maskedGradient.js';

/**
 * pathlens's faster kernels for tfjs-webgpu (4.22), on top of the stock ones:
 * - `Conv2DBackpropInput`: a tiled implicit GEMM split by stride phase (conv2dBackpropInput.ts);
 *   1×1 stride-1 convolutions as one matrix product. Falls back to the stock kernel for NCHW.
 * - the Relu, Relu6 and ClipByValue gradients as one elementwise dispatch each (maskedGradient.ts),
 *   in place of tfjs's 3–7. Gradients are registered for every backend, so these wrap tfjs's own
 *   and use the fused kernel only while 'webgpu' is the active backend.
 * - FusedBatchNorm's input gradient as one dispatch (batchNormInputGradient.ts) in place of 4, the
 *   other inputs' gradients left to the registered gradient (pathlens's batchNormGradient.ts).
 *
 * Registering is idempotent; `unregisterFastWebgpuKernels()` puts tfjs's back (bench/gpu.ts compares).
 */
type GradConfig = tf.GradConfig;

// tfjs keeps its gradient registry in a global shared by every copy of tfjs-core; it exports no getter.
function registeredGradient(kernelName: string): GradConfig | undefined {
  const globals = (globalThis as { _tfGlobals?: Map<string, unknown> })._tfGlobals;
  return (globals?.get('gradRegistry') as Map<string, GradConfig> | undefined)?.get(kernelName);
}

interface Saved {
  conv?: tf.KernelConfig;
  gradients: Map<string, GradConfig>;
}
let saved: Saved | null = null;
// 'direct' ran 2.5–4× faster than stock on llvmpipe and 'tiled' 2–3× slower; a GPU may rank them otherwise.
let convVariant: Conv2DBackpropInputVariant = 'direct';

/** Which Conv2DBackpropInput program runs (bench/gpu.ts times both on a GPU). */
export function setConv2DBackpropInputVariant(variant: Conv2DBackpropInputVariant): void {
  convVariant = variant;
}

const MASKED: ReadonlyArray<[string, (attrs: tf.NamedAttrMap) => { kind: MaskKind; lo: number; hi: number }]> = [
  ['Relu', () => ({ kind: 'relu', lo: 0, hi: 0 })],
  ['Relu6', () => ({ kind: 'relu6', lo: 0, hi: 6 })],
  ['ClipByValue', (a) => ({ kind: 'clip', lo: a.clipValueMin as number, hi: a.clipValueMax as number })],
];

function onWebgpu(): boolean {
  return tf.getBackend() === 'webgpu' && tf.getKernel(MASKED_GRADIENT, 'webgpu') != null;
}

function maskedGradConfig(kernelName: string, original: GradConfig, attrsOf: (a: tf.NamedAttrMap) => { kind: MaskKind; lo: number; hi: number }): GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, savedTensors, attrs) => {
      const [x] = savedTensors;
      const g = dy as tf.Tensor;
      if (!onWebgpu() || x.dtype !== 'float32' || !tf.util.arraysEqual(x.shape, g.shape)) return original.gradFunc(dy, savedTensors, attrs);
      return { x: () => tf.engine().runKernel(MASKED_GRADIENT, { dy: g, x }, attrsOf(attrs) as unknown as tf.NamedAttrMap) as tf.Tensor };
    },
  };
}

/** FusedBatchNorm's gradient with dx from the fused kernel on webgpu; every other input's from `original`. */
function batchNormGradConfig(original: GradConfig): GradConfig {
  return {
    ...original,
    gradFunc: (dy, savedTensors, attrs) => {
      const grads = original.gradFunc(dy, savedTensors, attrs);
      const [x, , variance, scale] = savedTensors;
      if (!onWebgpu() || !batchNormInputGradientApplies(x, variance, scale)) return grads;
      const inputs = { dy: dy as tf.Tensor, variance, scale };
      return { ...grads, x: () => tf.engine().runKernel(BATCH_NORM_INPUT_GRADIENT, inputs, attrs) as tf.Tensor };
    },
  };
}

/** The masked gradient's own gradient (second order): the same mask on the incoming gradient, none for x. */
const maskedGradientGradConfig: GradConfig = {
  kernelName: MASKED_GRADIENT,
  inputsToSave: ['x'],
  gradFunc: (ddx, savedTensors, attrs) => {
    const [x] = savedTensors;
    return {
      dy: () => tf.engine().runKernel(MASKED_GRADIENT, { dy: ddx as tf.Tensor, x }, attrs) as tf.Tensor,
      x: () => tf.zerosLike(x),
    };
  },
};

export function registerFastWebgpuKernels(): void {
  if (saved) return;
  const stockConv = tf.getKernel('Conv2DBackpropInput', 'webgpu');
  const gradients = new Map<string, GradConfig>();
  for (const name of [...MASKED.map(([n]) => n), 'FusedBatchNorm']) {
    const g = registeredGradient(name);
    if (g) gradients.set(name, g);
  }
  saved = { conv: stockConv, gradients };

  if (stockConv) {
    tf.unregisterKernel('Conv2DBackpropInput', 'webgpu');
    tf.registerKernel({
      kernelName: 'Conv2DBackpropInput',
      backendName: 'webgpu',
      kernelFunc: ((args: Parameters<typeof fastConv2DBackpropInput>[0]) =>
        fastConv2DBackpropInput(args, convVariant) ?? stockConv.kernelFunc(args as unknown as Parameters<tf.KernelFunc>[0])) as unknown as tf.KernelFunc,
    });
  }
  if (!tf.getKernel(MASKED_GRADIENT, 'webgpu')) {
    tf.registerKernel({ kernelName: MASKED_GRADIENT, backendName: 'webgpu', kernelFunc: maskedGradient as unknown as tf.KernelFunc });
  }
  if (!tf.getKernel(BATCH_NORM_INPUT_GRADIENT, 'webgpu')) {
    tf.registerKernel({ kernelName: BATCH_NORM_INPUT_GRADIENT, backendName: 'webgpu', kernelFunc: batchNormInputGradient as unknown as tf.KernelFunc });
  }
  const batchNorm = gradients.get('FusedBatchNorm');
  if (batchNorm) tf.registerGradient(batchNormGradConfig(batchNorm));
  tf.registerGradient(maskedGradientGradConfig);
  for (const [name, attrsOf] of MASKED) {
    const original = gradients.get(name);
    if (original) tf.registerGradient(maskedGradConfig(name, original, attrsOf));
  }
}

/** Puts tfjs's own kernels and gradients back. */
export function unregisterFastWebgpuKernels(): void {
  if (!saved) return;
  if (saved.conv) {
    tf.unregisterKernel('Conv2DBackpropInput', 'webgpu');
    tf.registerKernel(saved.conv);
  }
  for (const g of saved.gradients.values()) tf.registerGradient(g);
  for (const name of [MASKED_GRADIENT, BATCH_NORM_INPUT_GRADIENT]) if (tf.getKernel(name, 'webgpu')) tf.unregisterKernel(name, 'webgpu');
  saved = null;
}

export function fastWebgpuKernelsRegistered(): boolean {
  return saved != null;
}

export type { WebgpuBackendLike };
