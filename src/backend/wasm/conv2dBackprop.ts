import * as tf from '@tensorflow/tfjs';
import { skipFilterGradients } from '../inputOnly.js';
import { backpropPadding, flipConvFilter, spread } from './convUtil.js';
import { callWasm, checkChannelsLast, release, zeros, type Info, type Wasm } from './heap.js';

type Args = { inputs: Record<string, Info>; attrs: Record<string, unknown>; backend: Wasm };

const explicit = (top: number, bottom: number, left: number, right: number) => [[0, 0], [top, bottom], [left, right], [0, 0]];

/**
 * dx of a conv2d: dy spread by the stride and padded, then XNNPACK's Conv2D with the filter turned
 * 180° and its channels swapped. Replaces wasm's stock kernel, a plain loop about 3× slower.
 */
export function conv2dBackpropInput({ inputs, attrs, backend }: Args): Info {
  const { dy, filter } = inputs;
  checkChannelsLast('Conv2DBackpropInput', attrs.dataFormat as string);
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as [number, number, number, number], attrs.strides as [number, number], 1,
    attrs.pad as 'valid', attrs.dimRoundingMode as 'round', false, 'channelsLast',
  );
  const [top, bottom] = backpropPadding(info.inHeight, info.outHeight, info.strideHeight, info.filterHeight, info.padInfo.top);
  const [left, right] = backpropPadding(info.inWidth, info.outWidth, info.strideWidth, info.filterWidth, info.padInfo.left);
  const flipped = flipConvFilter(backend, filter);
  try {
    const unit = info.strideHeight === 1 && info.strideWidth === 1 && Math.min(top, bottom, left, right) >= 0;
    if (unit) {
      return callWasm(backend, 'Conv2D', { x: dy, filter: flipped }, { strides: 1, dilations: 1, pad: explicit(top, bottom, left, right), dataFormat: 'NHWC' });
    }
    const spreadDy = spread(backend, dy, info.strideHeight, info.strideWidth, top, bottom, left, right);
    try {
      return callWasm(backend, 'Conv2D', { x: spreadDy, filter: flipped }, { strides: 1, dilations: 1, pad: 'valid', dataFormat: 'NHWC' });
    } finally {
      release(backend, spreadDy);
    }
  } finally {
    release(backend, flipped);
  }
}

/**
 * dW of a conv2d as one XNNPACK Conv2D: the input's channels become the batch and its batch the
 * channels ([ci, H, W, N]), dy becomes the filter ([oh, ow, N, co]), the dilation is the stride.
 * In input-only gradient mode it returns zeros (see inputOnly.ts).
 */
export function conv2dBackpropFilter({ inputs, attrs, backend }: Args): Info {
  const { x, dy } = inputs;
  checkChannelsLast('Conv2DBackpropFilter', attrs.dataFormat as string);
  const filterShape = attrs.filterShape as [number, number, number, number];
  if (skipFilterGradients()) return zeros(backend, filterShape);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number], filterShape, attrs.strides as [number, number], 1,
    attrs.pad as 'valid', attrs.dimRoundingMode as 'round', false, 'channelsLast',
  );
  const [n, height, width, ci] = x.shape;
  const { top, left } = info.padInfo;
  const bottom = info.filterHeight + (info.outHeight - 1) * info.strideHeight - height - top;
  const right = info.filterWidth + (info.outWidth - 1) * info.strideWidth - width - left;
  const temps: Info[] = [];
  try {
    let source = x;
    if (bottom < 0 || right < 0) {
      // Rows or columns no window reaches: crop them rather than pad negatively.
      source = callWasm(backend, 'Slice', { x }, { begin: [0, 0, 0, 0], size: [n, height + Math.min(0, bottom), width + Math.min(0, right), ci] });
      temps.push(source);
    }
    const xT = callWasm(backend, 'Transpose', { x: source }, { perm: [3, 1, 2, 0] });
    temps.push(xT);
    const dyT = callWasm(backend, 'Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
    temps.push(dyT);
    const grad = callWasm(backend, 'Conv2D', { x: xT, filter: dyT }, {
      strides: 1,
      dilations: [info.strideHeight, info.strideWidth],
      pad: explicit(top, Math.max(0, bottom), left, Math.max(0, right)),
      dataFormat: 'NHWC',
    });
    temps.push(grad);
    return callWasm(backend, 'Transpose', { x: grad }, { perm: [1, 2, 0, 3] });
  } finally {
    release(backend, ...temps);
  }
}
