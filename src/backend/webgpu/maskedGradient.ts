import * as tf from '@tensorflow/tfjs';
import type { WebgpuBackendLike } from './conv2dBackpropInput.js';

/**
 * The gradients of Relu, Relu6 and ClipByValue as one elementwise kernel: dx = dy where x is inside
 * the op's linear range, else 0. tfjs builds them from 3 (Relu) to 7 (ClipByValue: GreaterEqual,
 * LessEqual, LogicalAnd, ZerosLike, Select and two scalar uploads) dispatches; a ReLU6 layer in
 * tfjs-layers is Relu followed by ClipByValue(0, 6), so MobileNet pays both, 27 times.
 *
 * Ranges as tfjs defines them: Relu x > 0 (step(x)); Relu6 0 < x ≤ 6; ClipByValue lo ≤ x ≤ hi.
 * A NaN x gives NaN for Relu and Relu6 (tfjs multiplies dy by step(NaN) = NaN) and 0 for ClipByValue.
 */
export const MASKED_GRADIENT = 'PathlensMaskedGradient';

export type MaskKind = 'relu' | 'relu6' | 'clip';

class MaskedGradientProgram {
  readonly variableNames = ['dy', 'x'];
  readonly uniforms = 'lo : f32, hi : f32,';
  readonly workgroupSize: [number, number, number] = [64, 1, 1];
  readonly dispatchLayout: { x: number[] };
  readonly dispatch: [number, number, number];
  readonly outputShape: number[];
  readonly outputComponent: number;
  readonly size = true;
  shaderKey: string;

  constructor(shape: number[], private readonly kind: MaskKind) {
    const length = tf.util.sizeFromShape(shape);
    this.outputComponent = length % 4 === 0 ? 4 : 1;
    // Flat over the elements (or vec4s): the shape is seen as one axis.
    this.outputShape = [length];
    this.dispatchLayout = { x: [0] };
    this.dispatch = [Math.ceil(length / this.outputComponent / 64), 1, 1];
    this.shaderKey = `pathlensMaskedGradient_${kind}_${this.outputComponent}`;
  }

  getUserCode(): string {
    const type = this.outputComponent === 4 ? 'vec4<f32>' : 'f32';
    const inside =
      this.kind === 'relu' ? 'v > lo' : this.kind === 'relu6' ? '(v > lo) & (v <= hi)' : '(v >= lo) & (v <= hi)';
    const nanPropagates = this.kind !== 'clip';
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          let v = x[index];
          let g = dy[index];
          let lo = ${type}(uniforms.lo);
          let hi = ${type}(uniforms.hi);
          var out = select(${type}(0.0), g, ${inside});
          ${nanPropagates ? `out = select(out, ${type}(uniforms.NAN), ${this.outputComponent === 4 ? 'isnanVec4' : 'isnan'}(v));` : ''}
          result[index] = out;
        }
      }
    `;
  }
}

/** Kernel function: inputs dy and x of the same shape, attrs { kind, lo, hi }. */
export function maskedGradient(args: {
  inputs: { dy: tf.TensorInfo; x: tf.TensorInfo };
  backend: WebgpuBackendLike;
  attrs: { kind: MaskKind; lo: number; hi: number };
}): tf.TensorInfo {
  const { inputs, backend, attrs } = args;
  const program = new MaskedGradientProgram(inputs.x.shape, attrs.kind);
  // The program sees flat buffers; the result takes x's shape.
  const flatShape = program.outputShape;
  const dy = { ...inputs.dy, shape: flatShape };
  const x = { ...inputs.x, shape: flatShape };
  const out = backend.runWebGPUProgram(program, [dy, x], 'float32', [{ type: 'float32', data: [attrs.lo] }, { type: 'float32', data: [attrs.hi] }]);
  return { ...out, shape: inputs.x.shape };
}
