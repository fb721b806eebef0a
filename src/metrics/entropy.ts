import { deflateSync } from 'node:zlib';

/**
 * An image's information content as a compressed size, for PIC's x-axis. The reference uses the byte
 * count of a lossless WebP (libwebp): that is the default, `webpEntropy`. This is the alternative
 * without WebAssembly (`entropy: 'deflate'`), a lossless PNG-style size: the rows filtered by one predictor, deflated by Node's zlib at
 * level 9, and the smallest size over three predictors (PNG's Paeth, the planar "left + up − upper-left"
 * that WebP lossless also offers, and JPEG-LS's median edge detector), as an encoder picks its best
 * predictor. The planar predictors matter here: PIC's bokeh images are piecewise planar, and a codec
 * without them counts smooth ramps as information. Sizes differ from WebP's, so curves are close to the
 * paper's but not equal; PIC uses only differences of sizes, so container headers cancel out.
 */
export type EntropyEstimator = (pixels: Uint8Array, height: number, width: number, channels: number) => number | Promise<number>;

type Predictor = (left: number, up: number, upLeft: number) => number;

const paeth: Predictor = (left, up, upLeft) => {
  const p = left + up - upLeft;
  const [pa, pb, pc] = [Math.abs(p - left), Math.abs(p - up), Math.abs(p - upLeft)];
  if (pa <= pb && pa <= pc) return left;
  return pb <= pc ? up : upLeft;
};
const planar: Predictor = (left, up, upLeft) => Math.min(255, Math.max(0, left + up - upLeft));
const medianEdge: Predictor = (left, up, upLeft) => {
  if (upLeft >= Math.max(left, up)) return Math.min(left, up);
  if (upLeft <= Math.min(left, up)) return Math.max(left, up);
  return left + up - upLeft;
};

/** Residuals of one predictor (row-major HWC, mod 256), deflated at level 9: the byte count. */
function predictedSize(pixels: Uint8Array, height: number, width: number, channels: number, predict: Predictor): number {
  const stride = width * channels;
  const residual = new Uint8Array(pixels.length);
  for (let r = 0; r < height; r++) {
    for (let i = 0; i < stride; i++) {
      const at = r * stride + i;
      const left = i >= channels ? pixels[at - channels] : 0;
      const up = r > 0 ? pixels[at - stride] : 0;
      const upLeft = r > 0 && i >= channels ? pixels[at - stride - channels] : 0;
      residual[at] = (pixels[at] - predict(left, up, upLeft)) & 0xff;
    }
  }
  return deflateSync(residual, { level: 9 }).byteLength;
}

/** The smallest deflated size (zlib level 9) of the image's prediction residuals over Paeth, planar and median-edge predictors. */
export const deflateEntropy = (pixels: Uint8Array, height: number, width: number, channels: number): number => {
  if (pixels.length !== height * width * channels) throw new Error(`internal: ${pixels.length} pixels for ${height}×${width}×${channels}`);
  return Math.min(...[paeth, planar, medianEdge].map((p) => predictedSize(pixels, height, width, channels, p)));
};
