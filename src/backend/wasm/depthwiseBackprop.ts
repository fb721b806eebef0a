import * as tf from '@tensorflow/tfjs';
import { skipFilterGradients } from '../inputOnly.js';
import { depthwiseFilterGradient } from '../kernels/depthwiseFilterGradient.js';
import { backpropPadding, flipDepthwiseFilter, spread } from './convUtil.js';
import { callWasm, f32, release, zeros, type Info, type Wasm } from './heap.js';

type Args = { inputs: Record<string, Info>; attrs: Record<string, unknown>; backend: Wasm };

function convInfo(inShape: number[], filterShape: number[], attrs: Record<string, unknown>) {
  return tf.backend_util.computeConv2DInfo(
    inShape as [number, number, number, number], filterShape as [number, number, number, number],
    attrs.strides as [number, number], (attrs.dilations as [number, number]) ?? 1,
    attrs.pad as 'valid', attrs.dimRoundingMode as 'round', true,
  );
}

/**
 * dx of a depthwise conv: dy spread by the stride and padded, then XNNPACK's DepthwiseConv2dNative
 * with the filter turned 180° (one filter per dy channel); with a channel multiplier m > 1 the m
 * results of each input channel are summed.
 */
export function depthwiseBackpropInput({ inputs, attrs, backend }: Args): Info {
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as number[];
  const info = convInfo(inputShape, filter.shape, attrs);
  const [n, , , ci] = inputShape;
  const multiplier = filter.shape[3];
  const [top, bottom] = backpropPadding(info.inHeight, info.outHeight, info.strideHeight, info.effectiveFilterHeight, info.padInfo.top);
  const [left, right] = backpropPadding(info.inWidth, info.outWidth, info.strideWidth, info.effectiveFilterWidth, info.padInfo.left);
  const dilations = [info.dilationHeight, info.dilationWidth];
  const temps: Info[] = [flipDepthwiseFilter(backend, filter)];
  try {
    let perChannel: Info;
    if (info.strideHeight === 1 && info.strideWidth === 1 && Math.min(top, bottom, left, right) >= 0) {
      perChannel = callWasm(backend, 'DepthwiseConv2dNative', { x: dy, filter: temps[0] }, { strides: 1, dilations, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] });
    } else {
      const spreadDy = spread(backend, dy, info.strideHeight, info.strideWidth, top, bottom, left, right);
      temps.push(spreadDy);
      perChannel = callWasm(backend, 'DepthwiseConv2dNative', { x: spreadDy, filter: temps[0] }, { strides: 1, dilations, pad: 'valid' });
    }
    if (multiplier === 1) return perChannel;
    temps.push(perChannel);
    const split = callWasm(backend, 'Reshape', { x: perChannel }, { shape: [n, info.inHeight, info.inWidth, ci, multiplier] });
    temps.push(split);
    return callWasm(backend, 'Sum', { x: split }, { axis: [4], keepDims: false });
  } finally {
    release(backend, ...temps);
  }
}

/** dW of a depthwise conv: a direct loop (its cost is that of the forward depthwise conv). Zeros in input-only mode. */
export function depthwiseBackpropFilter({ inputs, attrs, backend }: Args): Info {
  const { x, dy } = inputs;
  const filterShape = attrs.filterShape as number[];
  const out = zeros(backend, filterShape);
  if (skipFilterGradients()) return out;
  const info = convInfo(x.shape, filterShape, attrs);
  depthwiseFilterGradient(f32(backend, x), f32(backend, dy), f32(backend, out), info);
  return out;
}
