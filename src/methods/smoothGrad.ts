import * as tf from '@tensorflow/tfjs';
import { boolean, finiteNumber, inRange, positiveInteger, type OptionCheck } from '../options.js';
import { normalSamples } from '../random.js';
import { checkInRange, checkPositiveInteger } from '../validate.js';
import type { MethodInput, MethodResult, PathTrace } from './types.js';

export interface SmoothGradOptions {
  /** Noisy copies of each example (default 25). */
  readonly samples?: number;
  /** Noise standard deviation as a fraction of each example's value range, max(x) − min(x) (default 0.15). */
  readonly stdevSpread?: number;
  /** Average the squared attributions, as PAIR saliency does by default (default true). */
  readonly magnitude?: boolean;
  /** Seed of the noise, for repeatable results. */
  readonly seed?: number;
}

/** How each SmoothGrad option is checked before a plan runs (`of` and `ofOptions` are the plan's). */
export const SMOOTH_GRAD_OPTIONS = {
  samples: positiveInteger,
  stdevSpread: inRange(0, Number.MAX_VALUE),
  magnitude: boolean,
  seed: finiteNumber,
} satisfies Record<keyof SmoothGradOptions, OptionCheck>;

export type InnerMethod = (input: MethodInput) => Promise<MethodResult>;

/**
 * SmoothGrad (Smilkov et al. 2017) around any method: the method runs once on all noisy copies of all
 * examples together (one batch of samples × B examples, chunked by the oracle), and the attributions
 * are averaged per example. The baseline is not perturbed.
 */
export async function smoothGrad(input: MethodInput, inner: InnerMethod, options: SmoothGradOptions = {}): Promise<MethodResult> {
  const samples = checkPositiveInteger('samples', options.samples ?? 25);
  const spread = checkInRange('stdevSpread', options.stdevSpread ?? 0.15, 0, Number.MAX_VALUE, false);
  const magnitude = options.magnitude ?? true;
  const { x, baseline, targets } = input;
  const examples = x.shape[0];
  const batchShape = [samples * examples, ...x.shape.slice(1)];
  // Built on the host in one pass: wasm's tile and broadcasting ops cost more here than the noise itself.
  const [xData, baselineData] = (await Promise.all([x.data(), baseline.data()])) as Float32Array[];
  const noisyData = normalSamples(samples * x.size, options.seed);
  const features = x.size / examples;
  for (let b = 0; b < examples; b++) {
    const row = xData.subarray(b * features, (b + 1) * features);
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of row) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const stdev = spread * (hi - lo);
    for (let k = 0; k < samples; k++) {
      const offset = (k * examples + b) * features;
      for (let i = 0; i < features; i++) noisyData[offset + i] = row[i] + stdev * noisyData[offset + i];
    }
  }
  const tiledBaselineData = new Float32Array(samples * x.size);
  for (let k = 0; k < samples; k++) tiledBaselineData.set(baselineData, k * x.size);
  const noisy = tf.tensor(noisyData, batchShape);
  const tiledBaseline = tf.tensor(tiledBaselineData, batchShape);
  let result: MethodResult;
  try {
    result = await inner({
      ...input,
      x: noisy,
      baseline: tiledBaseline,
      targets: Array.from({ length: samples * examples }, (_, i) => targets[i % examples]),
    });
  } finally {
    tf.dispose([noisy, tiledBaseline]);
  }
  const attribution = tf.tidy(() => {
    // The mean over samples as a [1, S] × [S, B·N] product: a reduction over the first axis transposes first.
    const perSample = result.attribution.reshape([samples, x.size]);
    return tf.matMul(tf.fill([1, samples], 1 / samples), magnitude ? tf.square(perSample) : perSample).reshape(x.shape);
  });
  result.attribution.dispose();
  result.trace.points?.dispose();
  return { attribution, trace: meanOverSamples(result.trace, samples, examples) };
}

/** Averages a trace of samples × B rows (sample-major) into B rows. */
function meanOverSamples(trace: PathTrace, samples: number, examples: number): PathTrace {
  const mean = (rows: number[][]) =>
    Array.from({ length: examples }, (_, b) =>
      rows[b].map((_, t) => {
        let s = 0;
        for (let k = 0; k < samples; k++) s += rows[k * examples + b][t];
        return s / samples;
      }),
    );
  return { progress: mean(trace.progress), output: mean(trace.output), gradNorm: mean(trace.gradNorm), moved: mean(trace.moved) };
}
