import * as tf from '@tensorflow/tfjs';
import { Conv2DBackpropInputDirectProgram, directApplies } from './conv2dBackpropInputDirect.js';
import { PHASE_LETS, PHASE_PIXEL_FN } from './phase.js';

/**
 * Conv2DBackpropInput for 'webgpu' as a tiled implicit GEMM, split by stride phase.
 *
 * dx[b, iy, ix, ci] = Σ over (fy, fx, co) of dy[b, oy, ox, co] · W[fy, fx, ci, co] where
 * iy = oy·s + fy − padTop. Output pixels are grouped by phase (iy mod s, ix mod s): within one phase
 * the taps that reach dy are the same for every pixel (fy ≡ iy + padTop mod s), so no work is spent
 * on the zeros a strided transposed convolution would insert. Each workgroup computes a TM-pixel ×
 * TN-channel tile of one phase, staging KT input channels of dy and W at a time in workgroup memory;
 * each thread accumulates 4 pixels × 4 channels.
 *
 * 1×1 convolutions with stride 1 and no padding are one matrix product (tfjs's BatchMatMul).
 * A direct variant without workgroup memory is in conv2dBackpropInputDirect.ts.
 * Stock tfjs (4.22) uses one thread per 4 channels × 2 columns reading dy and W from global memory.
 */

/** What tfjs-webgpu's backend offers that this kernel uses (its class is not part of our types). */
export interface WebgpuBackendLike {
  runWebGPUProgram(program: object, inputs: tf.TensorInfo[], dtype: tf.DataType, uniforms?: Array<{ type: string; data: number[] }>): tf.TensorInfo;
  disposeData(dataId: object): boolean;
  device: { limits: { maxComputeWorkgroupsPerDimension: number } };
}

const KT = 16;

export interface TileConfig {
  /** Input channels (ci) per workgroup. */
  tn: number;
  /** Output pixels per workgroup. */
  tm: number;
}

/** Workgroups below which a GPU is under-filled (an H200 has 132 multiprocessors). */
const ENOUGH_WORKGROUPS = 264;

/** Channel tile from ci; pixel tile halved (keeping ≥ 32 threads) while the grid would leave the GPU idle. */
function tileFor(inChannels: number, pixelsPerPhase: number, phases: number): TileConfig {
  const tn = inChannels >= 64 ? 64 : inChannels >= 32 ? 32 : inChannels >= 16 ? 16 : 4;
  let tm = tn === 4 ? 128 : 64;
  const groups = (m: number) => Math.ceil(pixelsPerPhase / m) * Math.ceil(inChannels / tn) * phases;
  while (tm > 16 && (tn / 4) * (tm / 8) >= 32 && groups(tm) < ENOUGH_WORKGROUPS) tm /= 2;
  return { tn, tm };
}

class Conv2DBackpropInputTiledProgram {
  readonly variableNames = ['dy', 'W'];
  readonly uniforms = 'pads : vec2<i32>, strides : vec2<i32>, phaseDims : vec2<i32>, tapSteps : vec2<i32>, kChunks : i32,';
  readonly workgroupSize: [number, number, number];
  readonly dispatchLayout = { x: [3], y: [0, 1, 2] };
  readonly dispatch: [number, number, number];
  readonly outputShape: number[];
  shaderKey: string;

  constructor(outputShape: number[], private readonly tile: TileConfig, dispatch: [number, number, number]) {
    this.outputShape = outputShape;
    this.workgroupSize = [tile.tn / 4, tile.tm / 4, 1];
    this.dispatch = dispatch;
    this.shaderKey = `pathlensConv2DBackpropInputTiled_${tile.tn}_${tile.tm}`;
  }

  getUserCode(): string {
    const { tn, tm } = this.tile;
    const threads = (tn / 4) * (tm / 4);
    return `
      var<workgroup> tileA : array<f32, ${KT * tm}>;
      var<workgroup> tileB : array<f32, ${KT * tn}>;
      // The tile's pixels, decoded once: (b, iyq, ixq, 1 if inside dx else 0).
      var<workgroup> tilePixels : array<vec4<i32>, ${tm}>;
      ${PHASE_PIXEL_FN}

      ${'fn main()'} {${PHASE_LETS}
        let fy0 = (py + uniforms.pads.x) % sH;
        let fx0 = (px + uniforms.pads.y) % sW;
        let co = uniforms.dyShape[3];
        let tileM = i32(workgroupId.y) * ${tm};
        let tileN = i32(workgroupId.x) * ${tn};
        let lx = i32(localId.x);
        let ly = i32(localId.y);
        let flat = i32(localIndex);

        for (var m = flat; m < ${tm}; m += ${threads}) {
          tilePixels[m] = phasePixel(tileM + m, py, px);
        }
        workgroupBarrier();

        var acc : array<vec4<f32>, 4>;
        for (var r = 0; r < 4; r++) { acc[r] = vec4<f32>(0.0); }

        for (var ty = 0; ty < uniforms.tapSteps.x; ty++) {
          let fy = fy0 + ty * sH;
          for (var tx = 0; tx < uniforms.tapSteps.y; tx++) {
            let fx = fx0 + tx * sW;
            let tapOk = fy < fH && fx < fW;
            // oy = iyq + (py + padTop − fy) / s, an exact division.
            let offY = (py + uniforms.pads.x - fy) / sH;
            let offX = (px + uniforms.pads.y - fx) / sW;
            for (var kc = 0; kc < uniforms.kChunks; kc++) {
              let co0 = kc * ${KT};
              for (var i = flat; i < ${KT * tm}; i += ${threads}) {
                let m = i / ${KT};
                let k = i - m * ${KT};
                let p = tilePixels[m];
                let oy = p.y + offY;
                let ox = p.z + offX;
                var v = 0.0;
                if (tapOk && p.w == 1 && oy >= 0 && oy < oH && ox >= 0 && ox < oW && co0 + k < co) {
                  v = dy[((p.x * oH + oy) * oW + ox) * co + co0 + k];
                }
                tileA[k * ${tm} + m] = v;
              }
              for (var i = flat; i < ${KT * tn}; i += ${threads}) {
                let n = i / ${KT};
                let k = i - n * ${KT};
                var v = 0.0;
                if (tapOk && tileN + n < ci && co0 + k < co) {
                  v = W[((fy * fW + fx) * ci + tileN + n) * co + co0 + k];
                }
                tileB[k * ${tn} + n] = v;
              }
              workgroupBarrier();
              for (var k = 0; k < ${KT}; k++) {
                let bv = vec4<f32>(tileB[k * ${tn} + lx * 4], tileB[k * ${tn} + lx * 4 + 1],
                                   tileB[k * ${tn} + lx * 4 + 2], tileB[k * ${tn} + lx * 4 + 3]);
                for (var r = 0; r < 4; r++) {
                  acc[r] = fma(vec4<f32>(tileA[k * ${tm} + ly * 4 + r]), bv, acc[r]);
                }
              }
              workgroupBarrier();
            }
          }
        }

        for (var r = 0; r < 4; r++) {
          let p = tilePixels[ly * 4 + r];
          let iy = p.y * sH + py;
          let ix = p.z * sW + px;
          if (p.w == 1) {
            let base = ((p.x * uniforms.outShape[1] + iy) * uniforms.outShape[2] + ix) * ci;
            for (var c = 0; c < 4; c++) {
              let n = tileN + lx * 4 + c;
              if (n < ci) { setOutputAtIndex(base + n, acc[r][c]); }
            }
          }
        }
      }
    `;
  }
}

type Conv2DBackpropInputAttrs = {
  inputShape: [number, number, number, number];
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
};

type KernelArgs = { inputs: { dy: tf.TensorInfo; filter: tf.TensorInfo }; backend: WebgpuBackendLike; attrs: Conv2DBackpropInputAttrs };

/** Runs another registered webgpu kernel (Reshape, BatchMatMul) from inside this one. */
function runKernel(name: string, backend: WebgpuBackendLike, inputs: Record<string, tf.TensorInfo>, attrs: object): tf.TensorInfo {
  const kernel = tf.getKernel(name, 'webgpu');
  if (!kernel) throw new Error(`webgpu kernel ${name} is not registered`);
  return kernel.kernelFunc({ inputs, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
}

function pointwise(dy: tf.TensorInfo, filter: tf.TensorInfo, backend: WebgpuBackendLike, inShape: number[]): tf.TensorInfo {
  const [ci, co] = [filter.shape[2], filter.shape[3]];
  const rows = dy.shape[0] * dy.shape[1] * dy.shape[2];
  const a = runKernel('Reshape', backend, { x: dy }, { shape: [1, rows, co] });
  const b = runKernel('Reshape', backend, { x: filter }, { shape: [1, ci, co] });
  const product = runKernel('BatchMatMul', backend, { a, b }, { transposeA: false, transposeB: true });
  const dx = runKernel('Reshape', backend, { x: product }, { shape: inShape });
  for (const t of [a, b, product]) backend.disposeData(t.dataId);
  return dx;
}

export type Conv2DBackpropInputVariant = 'tiled' | 'direct';

/** For tests: a lower cap on the direct variant's workgroups along y, to run its looping path on small inputs. */
export const directLimitsForTests: { maxGroupsY?: number } = {};

/**
 * Returns null where this kernel does not apply (NCHW, grid too large), so the caller runs the stock one.
 * `variant`: 'tiled' (workgroup memory) or 'direct' (conv2dBackpropInputDirect.ts; where dy's channels
 * come in 4s, else tiled). `tile` forces the tiled variant's tile shape (tests run every one).
 */
export function fastConv2DBackpropInput(args: KernelArgs, variant: Conv2DBackpropInputVariant = 'tiled', tile?: TileConfig): tf.TensorInfo | null {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  if (attrs.dataFormat === 'NCHW' || dy.dtype !== 'float32' || filter.dtype !== 'float32') return null;
  const info = tf.backend_util.computeConv2DInfo(
    attrs.inputShape, filter.shape as [number, number, number, number], attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, 'channelsLast',
  );
  const { strideHeight: sH, strideWidth: sW, filterHeight: fH, filterWidth: fW, padInfo } = info;
  if (!tile && fH === 1 && fW === 1 && sH === 1 && sW === 1 && padInfo.top === 0 && padInfo.left === 0) {
    return pointwise(dy, filter, backend, attrs.inputShape);
  }
  const [batch, height, width, inChannels] = attrs.inputShape;
  const phaseDims = [Math.ceil(height / sH), Math.ceil(width / sW)];
  const pixelsPerPhase = batch * phaseDims[0] * phaseDims[1];
  const phaseUniforms = [
    { type: 'int32', data: [padInfo.top, padInfo.left] },
    { type: 'int32', data: [sH, sW] },
    { type: 'int32', data: phaseDims },
  ];
  if (variant === 'direct' && !tile && directApplies(info.outChannels)) {
    const limit = backend.device.limits.maxComputeWorkgroupsPerDimension;
    const direct = new Conv2DBackpropInputDirectProgram(attrs.inputShape, pixelsPerPhase, sH * sW, directLimitsForTests.maxGroupsY ?? limit);
    if (direct.dispatch.some((d) => d > limit)) return null;
    return backend.runWebGPUProgram(direct, [dy, filter], 'float32', [...phaseUniforms, { type: 'int32', data: [direct.pixelGroups] }]);
  }
  const chosen = tile ?? tileFor(inChannels, pixelsPerPhase, sH * sW);
  const dispatch: [number, number, number] = [Math.ceil(inChannels / chosen.tn), Math.ceil(pixelsPerPhase / chosen.tm), sH * sW];
  if (dispatch.some((d) => d > backend.device.limits.maxComputeWorkgroupsPerDimension)) return null;
  const program = new Conv2DBackpropInputTiledProgram(attrs.inputShape, chosen, dispatch);
  const uniforms = [
    ...phaseUniforms,
    { type: 'int32', data: [Math.ceil(fH / sH), Math.ceil(fW / sW)] },
    { type: 'int32', data: [Math.ceil(info.outChannels / KT)] },
  ];
  return backend.runWebGPUProgram(program, [dy, filter], 'float32', uniforms);
}
