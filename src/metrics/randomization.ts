import * as tf from '@tensorflow/tfjs';
import type { ExplainBuilder, ExplainOptions } from '../explain.js';
import { explain } from '../explain.js';
import { normalSamples } from '../random.js';
import { describe, fail } from '../validate.js';
import { spearman } from './rankCorrelation.js';

export interface RandomizationOptions extends Pick<ExplainOptions, 'internalBatchSize' | 'target'> {
  /** Correlate |attribution| (default true, as Adebayo et al.'s main figures) or the signed values. */
  readonly absolute?: boolean;
  /** Seed of the random weights. Default 0. */
  readonly seed?: number;
}

export interface RandomizationResult {
  readonly methods: string[];
  /** The layers randomized, in the order they were randomized (top first); step i has layers[0..i] random. */
  readonly layers: string[];
  /** correlation[method][i][b]: Spearman ρ between example b's original attribution and the one after step i. */
  readonly correlation: Record<string, number[][]>;
  /** meanCorrelation[method][i]: the mean over examples. */
  readonly meanCorrelation: Record<string, number[]>;
  readonly targets: readonly number[];
}

/**
 * The model-randomization sanity check (Adebayo et al., "Sanity Checks for Saliency Maps", 2018),
 * cascading: the layers with weights are randomized from the top (output) down, one more at a time,
 * and each method's attribution is recomputed after each step for the same classes. A method whose
 * attributions stay rank-correlated with the original ones does not depend on what the model learned.
 * Random weights are normal with each weight tensor's own standard deviation (so activations keep their
 * scale), drawn from `seed`. The original weights are restored afterwards, also on error.
 *
 * `plan` adds the methods: `(b) => b.gradient().ig()`.
 */
export async function modelRandomization(
  model: tf.LayersModel,
  x: tf.Tensor,
  plan: (builder: ExplainBuilder) => ExplainBuilder,
  options: RandomizationOptions = {},
): Promise<RandomizationResult> {
  if (!model || typeof model !== 'object' || !Array.isArray((model as tf.LayersModel).layers)) fail('model', 'a tf.LayersModel (its layers are randomized)', describe(model));
  if (typeof plan !== 'function') fail('plan', 'a function that adds methods, e.g. (b) => b.gradient().ig()', describe(plan));
  const absolute = options.absolute ?? true;
  const seed = options.seed ?? 0;
  const layers = model.layers.filter((l) => l.trainableWeights.length > 0).reverse();
  if (layers.length === 0) fail('model', 'a model with trainable weights', 'none');
  const explainOptions = { target: options.target, internalBatchSize: options.internalBatchSize };
  const original = await plan(explain(model, x, explainOptions));
  const methods = original.methods;
  const targets = original.targets;
  const flat = async (t: tf.Tensor) => {
    const rows = tf.tidy(() => (absolute ? tf.abs(t) : t).reshape([x.shape[0], -1]));
    try {
      return (await rows.array()) as number[][];
    } finally {
      rows.dispose();
    }
  };
  const reference = new Map<string, number[][]>();
  for (const m of methods) reference.set(m, await flat(original.attribution(m)));
  original.dispose();

  const saved = layers.map((l) => l.getWeights().map((w) => w.clone()));
  const correlation: Record<string, number[][]> = Object.fromEntries(methods.map((m) => [m, []]));
  try {
    for (let i = 0; i < layers.length; i++) {
      const randomized = saved[i].map((w, k) => randomLike(w, seed * 7919 + i * 101 + k));
      layers[i].setWeights(randomized);
      tf.dispose(randomized);
      const ex = await plan(explain(model, x, { ...explainOptions, target: targets }));
      try {
        for (const m of methods) {
          const now = await flat(ex.attribution(m));
          correlation[m].push(now.map((row, b) => spearman(reference.get(m)![b], row)));
        }
      } finally {
        ex.dispose();
      }
    }
  } finally {
    layers.forEach((l, i) => l.setWeights(saved[i]));
    saved.forEach((ws) => tf.dispose(ws));
  }
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    methods,
    layers: layers.map((l) => l.name),
    correlation,
    meanCorrelation: Object.fromEntries(methods.map((m) => [m, correlation[m].map(mean)])),
    targets,
  };
}

/** Normal values with w's standard deviation (0.05 where w is constant, e.g. zero biases). */
function randomLike(w: tf.Tensor, seed: number): tf.Tensor {
  return tf.tidy(() => {
    const sd = tf.moments(w).variance.sqrt().dataSync()[0];
    const noise = normalSamples(w.size, seed);
    return tf.tensor(noise, w.shape).mul(sd > 0 ? sd : 0.05);
  });
}
