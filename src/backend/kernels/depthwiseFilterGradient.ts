import type * as tf from '@tensorflow/tfjs';

/** Adds dW of a depthwise conv into `dw` ([fh, fw, ci, m], zeroed by the caller); x and dy are NHWC. */
export function depthwiseFilterGradient(x: Float32Array, dy: Float32Array, dw: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const { strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const { top, left } = info.padInfo;
  const m = outChannels / inChannels;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++) {
        const dyBase = ((b * outHeight + oy) * outWidth + ox) * outChannels;
        for (let a = 0; a < filterHeight; a++) {
          const iy = oy * strideHeight + a * dilationHeight - top;
          if (iy < 0 || iy >= inHeight) continue;
          for (let k = 0; k < filterWidth; k++) {
            const ix = ox * strideWidth + k * dilationWidth - left;
            if (ix < 0 || ix >= inWidth) continue;
            const xBase = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const wBase = (a * filterWidth + k) * outChannels;
            for (let c = 0; c < inChannels; c++) {
              const xv = x[xBase + c];
              for (let q = 0; q < m; q++) dw[wBase + c * m + q] += xv * dy[dyBase + c * m + q];
            }
          }
        }
      }
    }
  }
}
