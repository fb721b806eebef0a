import type * as tf from '@tensorflow/tfjs';

/**
 * dx of a max pool: each window's dy goes to the window's first largest element, padding excluded.
 * Same rule as the cpu backend. (wasm's stock kernel sends it to the window's first element whenever
 * the maximum is ≤ 0.) `dx` must be zeroed by the caller.
 */
export function maxPoolGradient(x: Float32Array, dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const best = new Float32Array(channels);
  const where = new Int32Array(channels);
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        best.fill(-Infinity);
        where.fill(-1);
        for (let a = 0; a < fh; a += dilationHeight) {
          const iy = oy * strideHeight - top + a;
          if (iy < 0 || iy >= inHeight) continue;
          for (let k = 0; k < fw; k += dilationWidth) {
            const ix = ox * strideWidth - left + k;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((b * inHeight + iy) * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) {
              if (x[base + c] > best[c] || where[c] < 0) {
                best[c] = x[base + c];
                where[c] = base + c;
              }
            }
          }
        }
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let c = 0; c < channels; c++) if (where[c] >= 0) dx[where[c]] += dy[dyBase + c];
      }
    }
  }
}

/**
 * dx of an average pool whose forward pass divides each window by its number of in-bounds elements
 * (what the cpu and wasm avgPool kernels do with 'same' padding). The stock AvgPoolGrad of both
 * divides by the full window size instead, which is wrong at the borders. `dx` zeroed by the caller.
 */
export function avgPoolGradient(dy: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth } = info;
  const { effectiveFilterHeight: fh, effectiveFilterWidth: fw, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - top;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - left;
        let count = 0;
        for (let a = 0; a < fh; a += dilationHeight) {
          for (let k = 0; k < fw; k += dilationWidth) {
            if (y0 + a >= 0 && y0 + a < inHeight && x0 + k >= 0 && x0 + k < inWidth) count++;
          }
        }
        if (count === 0) continue;
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * channels;
        for (let a = 0; a < fh; a += dilationHeight) {
          const iy = y0 + a;
          if (iy < 0 || iy >= inHeight) continue;
          for (let k = 0; k < fw; k += dilationWidth) {
            const ix = x0 + k;
            if (ix < 0 || ix >= inWidth) continue;
            const base = ((b * inHeight + iy) * inWidth + ix) * channels;
            for (let c = 0; c < channels; c++) dx[base + c] += dy[dyBase + c] / count;
          }
        }
      }
    }
  }
}
