import * as tf from '@tensorflow/tfjs';
import { avgPoolGradient, maxPoolGradient } from '../kernels/poolGradient.js';
import { unsortedSegmentSum } from '../kernels/segmentSum.js';
import { f32, i32, zeros, type Info, type Wasm } from './heap.js';

type Args = { inputs: Record<string, Info>; attrs: Record<string, unknown>; backend: Wasm };

export function poolInfo(inShape: number[], attrs: Record<string, unknown>) {
  return tf.backend_util.computePool2DInfo(
    inShape as [number, number, number, number], attrs.filterSize as [number, number], attrs.strides as [number, number],
    1, attrs.pad as 'valid', attrs.dimRoundingMode as 'round',
  );
}

/** A correct MaxPoolGrad on the wasm heap (the stock one is wrong for windows whose max is ≤ 0). */
export function maxPoolGrad({ inputs, attrs, backend }: Args): Info {
  const { dy, input } = inputs;
  const dx = zeros(backend, input.shape);
  maxPoolGradient(f32(backend, input), f32(backend, dy), f32(backend, dx), poolInfo(input.shape, attrs));
  return dx;
}

export function avgPoolGrad({ inputs, attrs, backend }: Args): Info {
  const { dy, input } = inputs;
  const dx = zeros(backend, input.shape);
  avgPoolGradient(f32(backend, dy), f32(backend, dx), poolInfo(input.shape, attrs));
  return dx;
}

export function segmentSum({ inputs, attrs, backend }: Args): Info {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') throw new Error(`backend: pathlens's wasm UnsortedSegmentSum supports float32 and int32, got ${x.dtype}`);
  const inner = tf.util.sizeFromShape(x.shape.slice(segmentIds.shape.length));
  const shape = [numSegments, ...x.shape.slice(segmentIds.shape.length)];
  const out = backend.makeOutput(shape, x.dtype);
  const view = x.dtype === 'float32' ? f32 : i32;
  view(backend, out).fill(0);
  unsortedSegmentSum(view(backend, x), i32(backend, segmentIds), inner, numSegments, view(backend, out));
  return out;
}
