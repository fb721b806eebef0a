import { f32, zeros, type Info, type Wasm } from './heap.js';

/**
 * dy [N, oh, ow, C] with (stride − 1) zeros inserted between rows and between columns, then padded by
 * the given amounts on each side (a negative amount crops). The input-gradient convolutions run on it.
 */
export function spread(backend: Wasm, dy: Info, strideH: number, strideW: number, top: number, bottom: number, left: number, right: number): Info {
  const [n, oh, ow, c] = dy.shape;
  const height = top + (oh - 1) * strideH + 1 + bottom;
  const width = left + (ow - 1) * strideW + 1 + right;
  const out = zeros(backend, [n, height, width, c]);
  const src = f32(backend, dy);
  const dst = f32(backend, out);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const row = top + y * strideH;
      if (row < 0 || row >= height) continue;
      for (let x = 0; x < ow; x++) {
        const col = left + x * strideW;
        if (col < 0 || col >= width) continue;
        const from = ((b * oh + y) * ow + x) * c;
        dst.set(src.subarray(from, from + c), ((b * height + row) * width + col) * c);
      }
    }
  }
  return out;
}

/** A conv filter [fh, fw, ci, co] turned 180° in space with its channels swapped: [fh, fw, co, ci]. */
export function flipConvFilter(backend: Wasm, filter: Info): Info {
  const [fh, fw, ci, co] = filter.shape;
  const out = backend.makeOutput([fh, fw, co, ci], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  for (let a = 0; a < fh; a++) {
    for (let b = 0; b < fw; b++) {
      const s = (a * fw + b) * ci * co;
      const d = ((fh - 1 - a) * fw + (fw - 1 - b)) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) dst[d + o * ci + i] = src[s + i * co + o];
      }
    }
  }
  return out;
}

/** A depthwise filter [fh, fw, ci, m] turned 180° in space, as [fh, fw, ci·m, 1] (one filter per dy channel). */
export function flipDepthwiseFilter(backend: Wasm, filter: Info): Info {
  const [fh, fw, ci, m] = filter.shape;
  const out = backend.makeOutput([fh, fw, ci * m, 1], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  const tap = ci * m;
  for (let a = 0; a < fh; a++) {
    for (let b = 0; b < fw; b++) {
      const s = (a * fw + b) * tap;
      dst.set(src.subarray(s, s + tap), ((fh - 1 - a) * fw + (fw - 1 - b)) * tap);
    }
  }
  return out;
}

/**
 * The padding of the input-gradient convolution: dy spread by the stride and padded this way, then
 * convolved ('valid', stride 1) with the flipped filter, gives dx of the forward pass's size.
 */
export function backpropPadding(inSize: number, outSize: number, stride: number, effectiveFilter: number, padBefore: number): [number, number] {
  const spreadSize = (outSize - 1) * stride + 1;
  return [effectiveFilter - 1 - padBefore, inSize + padBefore - spreadSize];
}
