import * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from '../model.js';
import { bokehImage } from './bokeh.js';
import type { EntropyEstimator } from './entropy.js';
import type { FeatureLayout } from './layout.js';
import { aggregatePic, picCurve, picSkipReason, randomPixelMask, revealMask, type PicCurve } from './pic.js';
import { predictRows } from './predict.js';
import { seededUniform } from '../random.js';

export interface PicSettings {
  readonly thresholds: readonly number[];
  readonly minPredValue: number;
  readonly keepMonotonous: boolean;
  readonly numDataPoints: number;
  readonly randomMaskFraction: number;
  readonly seed: number;
  /** The range of x's values, mapped to 0…255 for the uint8 images PIC works on. */
  readonly pixelRange: readonly [number, number];
  readonly entropy: EntropyEstimator;
}

export interface PicEvaluationInput extends PicSettings {
  readonly model: ModelAdapter;
  readonly x: tf.Tensor;
  readonly layout: FeatureLayout;
  readonly targets: readonly number[];
  /** Per method, per example, |Σ_c attribution| (or the caller's choice), H·W values. */
  readonly saliency: ReadonlyMap<string, Float64Array[]>;
  readonly rowsPerCall: number;
  readonly scores: 'probabilities' | 'softmax';
  /** Checked between model calls. */
  readonly signal?: AbortSignal;
}

/** Per example: the curve, or null and why it was skipped. */
export interface PicResults {
  readonly curves: Array<PicCurve | null>;
  readonly skipped: Array<string | null>;
}

/**
 * SIC and AIC of every method on every example (§4.4): per example one random mask (the same for all
 * methods), its fully blurred image, and one bokeh image per method and threshold. The images of one
 * example go through the model together, in chunks. The model sees the uint8 images mapped back to
 * `pixelRange`.
 */
export async function picEvaluation(input: PicEvaluationInput): Promise<{ sic: Map<string, PicResults>; aic: Map<string, PicResults> }> {
  const { layout } = input;
  const { height, width } = layout.image!;
  const { pixels, channels } = layout;
  const methods = [...input.saliency.keys()];
  const [lo, hi] = input.pixelRange;
  const quantized = await quantize(input.x, lo, hi);
  const out = { sic: new Map<string, PicResults>(), aic: new Map<string, PicResults>() };
  for (const m of methods) for (const map of [out.sic, out.aic]) map.set(m, { curves: [], skipped: [] });
  const size = pixels * channels;
  for (let b = 0; b < layout.examples; b++) {
    const image = quantized.subarray(b * size, (b + 1) * size);
    const randomMask = randomPixelMask(pixels, input.randomMaskFraction, seededUniform(input.seed * 100003 + b));
    const blurred = bokehImage(image, height, width, channels, randomMask);
    const images: Uint8Array[] = [image, blurred];
    const entropyOf = async (img: Uint8Array) => {
      const bytes = await input.entropy(img, height, width, channels);
      if (typeof bytes !== 'number' || !Number.isFinite(bytes)) throw new Error(`entropy: expected the estimator to return a finite number, got ${String(bytes)}`);
      return bytes;
    };
    const entropies: number[] = [await entropyOf(image), await entropyOf(blurred)];
    for (const m of methods) {
      const saliency = input.saliency.get(m)![b];
      for (const t of input.thresholds) {
        const bokeh = bokehImage(image, height, width, channels, revealMask(saliency, t, randomMask));
        images.push(bokeh);
        entropies.push(await entropyOf(bokeh));
      }
    }
    const batch = new Float32Array(images.length * size);
    images.forEach((img, i) => img.forEach((v, k) => (batch[i * size + k] = lo + (v / 255) * (hi - lo))));
    const predictions = await predictRows(
      input.model,
      images.length,
      input.rowsPerCall,
      (start, count) => tf.tensor(batch.subarray(start * size, (start + count) * size), [count, ...input.x.shape.slice(1)]),
      () => input.targets[b],
      input.scores,
      input.signal,
    );
    const T = input.thresholds.length;
    for (const [metric, predictionOf] of [
      ['sic', (i: number) => predictions.probability[i]],
      ['aic', (i: number) => predictions.isTop[i]],
    ] as const) {
      const base = { originalEntropy: entropies[0], blurredEntropy: entropies[1], originalPrediction: predictionOf(0), blurredPrediction: predictionOf(1) };
      const skip = picSkipReason(base, input.minPredValue);
      methods.forEach((m, mi) => {
        const results = out[metric].get(m)!;
        results.skipped.push(skip);
        if (skip) {
          results.curves.push(null);
          return;
        }
        const perThreshold = input.thresholds.map((_, ti) => [entropies[2 + mi * T + ti], predictionOf(2 + mi * T + ti)] as const);
        results.curves.push(picCurve({ ...base, perThreshold, keepMonotonous: input.keepMonotonous, numDataPoints: input.numDataPoints }));
      });
    }
  }
  return out;
}

/** The median curve over the examples that were not skipped, or null if all were. */
export function aggregateResults(results: PicResults): (PicCurve & { examples: number }) | null {
  const curves = results.curves.filter((c): c is PicCurve => c !== null);
  return curves.length === 0 ? null : { ...aggregatePic(curves, 'median'), examples: curves.length };
}

/** x mapped from [lo, hi] to uint8 (rounded), HWC per example. */
async function quantize(x: tf.Tensor, lo: number, hi: number): Promise<Uint8Array> {
  const scaled = tf.tidy(() => tf.round(tf.mul(tf.clipByValue(tf.div(tf.sub(x, lo), hi - lo), 0, 1), 255)));
  const data = await scaled.data();
  scaled.dispose();
  return Uint8Array.from(data);
}
