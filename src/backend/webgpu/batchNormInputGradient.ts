import * as tf from '@tensorflow/tfjs';
import type { WebgpuBackendLike } from './conv2dBackpropInput.js';

/**
 * The input gradient of FusedBatchNorm, dx = dy · scale / √(variance + ε), as one elementwise
 * dispatch. pathlens's gradient (batchNormGradient.ts) builds it from Add, Rsqrt and two Multiplys,
 * three of them on per-channel vectors: 4 dispatches per batch-norm layer, 27 layers in MobileNet.
 * For per-channel statistics only (variance and scale of shape [C], C = the last axis of x). Without a
 * scale tfjs cannot differentiate FusedBatchNorm at all (it saves the missing input), so one is required.
 */
export const BATCH_NORM_INPUT_GRADIENT = 'PathlensBatchNormInputGradient';

class BatchNormInputGradientProgram {
  readonly variableNames = ['dy', 'variance', 'scale'];
  readonly uniforms = 'epsilon : f32, channels : i32,';
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly dispatchLayout = { x: [0] };
  readonly dispatch: [number, number, number];
  readonly outputShape: number[];
  readonly outputComponent: number;
  readonly size = true;
  readonly shaderKey: string;

  constructor(length: number, channels: number) {
    this.outputComponent = channels % 4 === 0 ? 4 : 1;
    this.outputShape = [length];
    this.dispatch = [Math.ceil(length / this.outputComponent / 64), 1, 1];
    this.shaderKey = `pathlensBatchNormInputGradient_${this.outputComponent}`;
  }

  getUserCode(): string {
    const type = this.outputComponent === 4 ? 'vec4<f32>' : 'f32';
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          // index counts ${type}s; uniforms.channels counts them per position.
          let c = index % uniforms.channels;
          let factor = inverseSqrt(variance[c] + ${type}(uniforms.epsilon)) * scale[c];
          result[index] = dy[index] * factor;
        }
      }
    `;
  }
}

/** Kernel function: inputs dy, variance [C] and scale [C]; attrs { varianceEpsilon }. */
export function batchNormInputGradient(args: {
  inputs: { dy: tf.TensorInfo; variance: tf.TensorInfo; scale: tf.TensorInfo };
  backend: WebgpuBackendLike;
  attrs: { varianceEpsilon: number };
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, variance, scale } = inputs;
  const channels = variance.shape[0];
  const length = tf.util.sizeFromShape(dy.shape);
  const program = new BatchNormInputGradientProgram(length, channels);
  const flat = (t: tf.TensorInfo) => ({ ...t, shape: [tf.util.sizeFromShape(t.shape)] });
  const vectors = program.outputComponent === 4 ? channels / 4 : channels;
  const out = backend.runWebGPUProgram(program, [flat(dy), variance, scale], 'float32', [
    { type: 'float32', data: [attrs.varianceEpsilon] },
    { type: 'int32', data: [vectors] },
  ]);
  return { ...out, shape: dy.shape };
}

/** Whether the fused kernel computes this layer's dx: float32, per-channel statistics over the last axis. */
export function batchNormInputGradientApplies(x: tf.Tensor, variance: tf.Tensor, scale: tf.Tensor | undefined): scale is tf.Tensor {
  const channels = x.shape[x.rank - 1];
  const perChannel = (t: tf.Tensor) => t.rank === 1 && t.shape[0] === channels && t.dtype === 'float32';
  return scale != null && x.dtype === 'float32' && perChannel(variance) && perChannel(scale);
}
