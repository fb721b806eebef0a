import * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from '../model.js';
import { abortError, targetScores } from '../oracle.js';
import { readAll } from '../tensors.js';
import { yieldToEventLoop } from '../methods/types.js';

/** How the model's scores become class probabilities for the metrics. */
export type ScoresMode = 'auto' | 'probabilities' | 'softmax';

/** For `'auto'`: the scores are probabilities already if every row is ≥ 0 and sums to 1 (±1e-3); else softmax them. */
export async function resolveScoresMode(mode: ScoresMode, scores: tf.Tensor2D): Promise<'probabilities' | 'softmax'> {
  if (mode !== 'auto') return mode;
  const [low, worst] = await readAll([tf.min(scores), tf.tidy(() => tf.max(tf.abs(tf.sub(tf.sum(scores, 1), 1))))]);
  return low[0] >= -1e-6 && worst[0] <= 1e-3 ? 'probabilities' : 'softmax';
}

/** Per row: the probability of its target class and whether that class is the top-1. */
export interface RowPredictions {
  readonly probability: Float32Array;
  readonly isTop: Uint8Array;
}

/**
 * Forward passes over `rows` rows built chunk by chunk (`build(start, count)` returns `[count, ...]`),
 * at most `chunk` rows per model call. `targetOf(i)` is row i's class.
 */
export async function predictRows(
  model: ModelAdapter,
  rows: number,
  chunk: number,
  build: (start: number, count: number) => tf.Tensor,
  targetOf: (row: number) => number,
  mode: 'probabilities' | 'softmax',
  signal?: AbortSignal,
): Promise<RowPredictions> {
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < rows; start += chunk) {
      // Between calls: an interrupt can be seen, and it stops the work here.
      if (start > 0) await yieldToEventLoop();
      if (signal?.aborted) throw abortError(signal);
      const count = Math.min(chunk, rows - start);
      parts.push(
        ...tf.tidy(() => {
          const scores = model.forward(build(start, count));
          const probs = mode === 'softmax' ? tf.softmax(scores) : scores;
          const targets = Array.from({ length: count }, (_, i) => targetOf(start + i));
          const probability = targetScores(probs, targets);
          const isTop = tf.equal(tf.argMax(scores, 1), tf.tensor1d(targets, 'int32')).toFloat();
          return [probability, isTop];
        }),
      );
    }
  } catch (error) {
    tf.dispose(parts);
    throw error;
  }
  const values = await readAll(parts);
  const probability = new Float32Array(rows);
  const isTop = new Uint8Array(rows);
  let at = 0;
  for (let k = 0; k < values.length; k += 2) {
    probability.set(values[k], at);
    values[k + 1].forEach((v, i) => (isTop[at + i] = v));
    at += values[k].length;
  }
  return { probability, isTop };
}
