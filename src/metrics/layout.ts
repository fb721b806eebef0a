import * as tf from '@tensorflow/tfjs';

/**
 * How the metrics see an input `[B, ...]`: as `pixels` units of `channels` values each. Images
 * `[B, H, W, C]` are ranked by pixel (a pixel's channels are revealed together); anything else by
 * feature (`channels` = 1).
 */
export interface FeatureLayout {
  readonly examples: number;
  readonly pixels: number;
  readonly channels: number;
  /** H, W for images (rank 4, or rank 3 as [B, H, W]); null otherwise. */
  readonly image: { readonly height: number; readonly width: number } | null;
}

export function featureLayout(shape: readonly number[]): FeatureLayout {
  const [examples, ...rest] = shape;
  if (shape.length === 4) return { examples, pixels: rest[0] * rest[1], channels: rest[2], image: { height: rest[0], width: rest[1] } };
  const pixels = rest.reduce((a, b) => a * b, 1);
  if (shape.length === 3) return { examples, pixels, channels: 1, image: { height: rest[0], width: rest[1] } };
  return { examples, pixels, channels: 1, image: null };
}

/**
 * Per example, the saliency of each pixel: Σ over its channels of the attribution, or |Σ| for `'abs'`.
 * Returns B arrays of `pixels` values (float64).
 */
export async function pixelSaliency(attribution: tf.Tensor, layout: FeatureLayout, mode: 'signed' | 'abs'): Promise<Float64Array[]> {
  const summed = tf.tidy(() => tf.sum(attribution.reshape([layout.examples, layout.pixels, layout.channels]), 2));
  const data = await summed.data();
  summed.dispose();
  return Array.from({ length: layout.examples }, (_, b) => {
    const row = Float64Array.from(data.subarray(b * layout.pixels, (b + 1) * layout.pixels));
    return mode === 'abs' ? row.map(Math.abs) : row;
  });
}

/** rank[i] = position of pixel i when sorted by decreasing saliency (0 = most salient; ties by index). */
export function rankPositions(saliency: ArrayLike<number>): Float32Array {
  const order = Array.from({ length: saliency.length }, (_, i) => i).sort((i, j) => saliency[j] - saliency[i] || i - j);
  const rank = new Float32Array(saliency.length);
  order.forEach((pixel, position) => (rank[pixel] = position));
  return rank;
}
