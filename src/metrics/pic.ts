import { aggregateY, gridExcludingOne, interpolateStable, quantileLinear, trapezoid, type Curve } from './curves.js';

/**
 * Performance Information Curves (SIC, AIC) of the XRAI / Guided IG papers, as spec guided-ig.md §4
 * defines them. This file holds the host-side logic: the reveal mask, the curve from entropies and
 * predictions, the per-image checks and the aggregation. `evaluate.ts` supplies images and predictions.
 */

/** The saliency thresholds of the Guided IG notebook: fractions of the most salient pixels revealed. */
export const PIC_THRESHOLDS = [0.005, 0.01, 0.02, 0.03, 0.04, 0.05, 0.07, 0.1, 0.13, 0.21, 0.34, 0.5, 0.75] as const;

/** What one image's curve is built from (entropies and predictions, in threshold order). */
export interface PicInputs {
  readonly originalEntropy: number;
  readonly blurredEntropy: number;
  readonly originalPrediction: number;
  readonly blurredPrediction: number;
  /** `[entropy, prediction]` of each threshold's bokeh image, in threshold order. */
  readonly perThreshold: readonly (readonly [number, number])[];
  readonly keepMonotonous: boolean;
  readonly numDataPoints: number;
}

export interface PicCurve extends Curve {
  readonly auc: number;
}

/** Why an image cannot be scored (the reference's ComputePicMetricError), or null. Checked in the reference's order. */
export function picSkipReason(p: Pick<PicInputs, 'originalEntropy' | 'blurredEntropy' | 'originalPrediction' | 'blurredPrediction'>, minPredValue: number): string | null {
  if (p.originalPrediction < minPredValue) return `the original prediction ${p.originalPrediction} is below minPredValue ${minPredValue}`;
  if (p.blurredEntropy >= p.originalEntropy) return `the fully blurred image is not simpler than the original (entropy ${p.blurredEntropy} ≥ ${p.originalEntropy})`;
  if (p.blurredPrediction >= p.originalPrediction) return `the fully blurred image predicts as well as the original (${p.blurredPrediction} ≥ ${p.originalPrediction})`;
  return null;
}

/** The curve (§4.4 steps 6–10): normalised entropy on x, normalised (running-max) prediction on y, sampled on a fixed grid. */
export function picCurve(p: PicInputs): PicCurve {
  const clip = (v: number) => Math.min(1, Math.max(0, v));
  const xs: number[] = [];
  const ys: number[] = [];
  let runningMax = 0;
  for (const [entropy, prediction] of p.perThreshold) {
    const ne = clip((entropy - p.blurredEntropy) / (p.originalEntropy - p.blurredEntropy));
    const np = clip((prediction - p.blurredPrediction) / (p.originalPrediction - p.blurredPrediction));
    runningMax = Math.max(runningMax, np);
    xs.push(ne);
    ys.push(p.keepMonotonous ? runningMax : np);
  }
  xs.push(0, 1);
  ys.push(0, 1);
  const x = [...gridExcludingOne(p.numDataPoints), 1];
  const y = [...interpolateStable(xs, ys, x.slice(0, -1)), 1];
  return { x, y, auc: trapezoid(x, y) };
}

/** The pixels a threshold reveals (§4.4 step 6): saliency ≥ its (1 − t) quantile, or in the random mask. 1 = revealed. */
export function revealMask(saliency: ArrayLike<number>, threshold: number, randomMask: ArrayLike<number | boolean>): Uint8Array {
  const q = quantileLinear(saliency, 1 - threshold);
  return Uint8Array.from({ length: saliency.length }, (_, i) => (saliency[i] >= q || randomMask[i] ? 1 : 0));
}

/** Exactly ⌊H·W·fraction⌋ pixels, drawn without replacement by the seeded `uniform` (in [0, 1)). 1 = kept. */
export function randomPixelMask(pixels: number, fraction: number, uniform: () => number): Uint8Array {
  const count = Math.floor(pixels * fraction);
  const order = Array.from({ length: pixels }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(uniform() * (pixels - i));
    [order[i], order[j]] = [order[j], order[i]];
  }
  const mask = new Uint8Array(pixels);
  for (let i = 0; i < count; i++) mask[order[i]] = 1;
  return mask;
}

/** §4.5: per-point median (default) or mean of several images' curves; AUC on the first curve's x. */
export function aggregatePic(curves: readonly Curve[], method: 'median' | 'mean' = 'median'): PicCurve {
  if (curves.length === 0) throw new Error('curves: expected at least one PIC curve to aggregate, got none');
  const y = aggregateY(curves.map((c) => c.y), method);
  const x = [...curves[0].x];
  return { x, y, auc: trapezoid(x, y) };
}
