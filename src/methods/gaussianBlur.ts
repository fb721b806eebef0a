import * as tf from '@tensorflow/tfjs';

/**
 * The Gaussian blur of Blur IG (PAIR saliency = scipy.ndimage.gaussian_filter(x, [σ, σ, 0],
 * mode='constant')): separable over H and W only, zero padding, taps exp(−j²/2σ²) for
 * |j| ≤ int(4σ + 0.5), normalised to sum 1; σ = 0 or radius 0 is the identity.
 *
 * Along one axis the blur is a banded matrix M(σ) (size × size, zero padding = rows cut at the
 * border), so an image blurs as M_H(σ) · X · M_W(σ)ᵀ per channel. The matrices are built on the host
 * in float64; their products with the image run on the backend.
 */
export function kernelRadius(sigma: number): number {
  return Math.floor(4 * sigma + 0.5);
}

/** The normalised taps w_{−r} … w_r (float64); `[1]` for the identity. */
export function gaussianTaps(sigma: number): Float64Array {
  const radius = sigma === 0 ? 0 : kernelRadius(sigma);
  if (radius === 0) return Float64Array.of(1);
  const taps = new Float64Array(2 * radius + 1);
  let sum = 0;
  for (let j = -radius; j <= radius; j++) sum += taps[j + radius] = Math.exp((-0.5 / (sigma * sigma)) * j * j);
  for (let k = 0; k < taps.length; k++) taps[k] /= sum;
  return taps;
}

/** M(σ), row-major size × size: out[i] = Σ_k M[i, k] · in[k]. */
export function blurMatrix(size: number, sigma: number): Float64Array {
  const taps = gaussianTaps(sigma);
  const radius = (taps.length - 1) / 2;
  const m = new Float64Array(size * size);
  for (let i = 0; i < size; i++) {
    for (let k = Math.max(0, i - radius); k <= Math.min(size - 1, i + radius); k++) m[i * size + k] = taps[k - i + radius];
  }
  return m;
}

/** A blur-like linear operator: X ↦ A · X · Bᵀ over (H, W), as float64 matrices A (H × H) and B (W × W). */
export interface SeparableOperator {
  readonly alongH: Float64Array;
  readonly alongW: Float64Array;
}

/** The blur operator at σ. */
export function blurOperator(height: number, width: number, sigma: number): SeparableOperator {
  return { alongH: blurMatrix(height, sigma), alongW: blurMatrix(width, sigma) };
}

/**
 * The derivative operator (B(x, σ + h) − B(x, σ)) / h as a sum of two separable operators, formed in
 * float64 so that float32 arithmetic never subtracts two nearly equal blurred images:
 * (M_H' X M_W'ᵀ − M_H X M_W ᵀ) / h = ((M_H' − M_H)/h) X M_W'ᵀ + M_H X ((M_W' − M_W)/h)ᵀ.
 */
export function blurDifference(height: number, width: number, sigma: number, h: number): [SeparableOperator, SeparableOperator] {
  const [hNow, hNext] = [blurMatrix(height, sigma), blurMatrix(height, sigma + h)];
  const [wNow, wNext] = [blurMatrix(width, sigma), blurMatrix(width, sigma + h)];
  const diff = (next: Float64Array, now: Float64Array) => next.map((v, i) => (v - now[i]) / h);
  return [
    { alongH: diff(hNext, hNow), alongW: wNext },
    { alongH: hNow, alongW: diff(wNext, wNow) },
  ];
}

/**
 * Applies S operators to every image of x `[B, H, W, C]`: `[S · B, H, W, C]`, row s·B + b. Two
 * matrix products on the backend (float32).
 */
export function applySeparable(x: tf.Tensor4D, operators: readonly SeparableOperator[]): tf.Tensor4D {
  const [examples, height, width, channels] = x.shape;
  const s = operators.length;
  const stackH = new Float32Array(s * height * height);
  const stackW = new Float32Array(s * width * width);
  operators.forEach((op, k) => {
    stackH.set(op.alongH, k * height * height);
    stackW.set(op.alongW, k * width * width);
  });
  return tf.tidy(() => {
    // Along H: [S·H, H] · [H, B·W·C].
    const columns = tf.transpose(x, [1, 0, 2, 3]).reshape([height, examples * width * channels]);
    const alongH = tf.matMul(tf.tensor2d(stackH, [s * height, height]), columns).reshape([s, height, examples, width, channels]);
    // Along W, batched over S: [S, W, W] · [S, W, H·B·C].
    const rows = tf.transpose(alongH, [0, 3, 1, 2, 4]).reshape([s, width, height * examples * channels]);
    const alongW = tf.matMul(tf.tensor3d(stackW, [s, width, width]), rows).reshape([s, width, height, examples, channels]);
    return tf.transpose(alongW, [0, 3, 2, 1, 4]).reshape([s * examples, height, width, channels]) as tf.Tensor4D;
  });
}
