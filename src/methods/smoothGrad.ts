import * as tf from '@tensorflow/tfjs';
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
  const ones = x.shape.slice(1).map(() => 1);
  const repeat = [samples, ...ones];
  const [noisy, tiledBaseline] = tf.tidy(() => {
    const flat = x.reshape([examples, -1]);
    const stdev = tf.sub(tf.max(flat, 1), tf.min(flat, 1)).mul(spread).reshape([examples, ...ones]);
    const tiledStdev = tf.tile(stdev, repeat);
    const noise = tf.tensor(normalSamples(samples * x.size, options.seed), [samples * examples, ...x.shape.slice(1)]);
    return [tf.add(tf.tile(x, repeat), tf.mul(noise, tiledStdev)), tf.tile(baseline, repeat)];
  });
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
    const perSample = result.attribution.reshape([samples, ...x.shape]);
    return tf.mean(magnitude ? tf.square(perSample) : perSample, 0);
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
