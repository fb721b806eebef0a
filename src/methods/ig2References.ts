import * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from '../model.js';
import { checkFinite, checkPositiveInteger, describe, fail, sameShape } from '../validate.js';

/** IG2's references: a tensor `[R, ...]` of one example's shape, or counterfactuals picked from a pool. */
export type ReferencesSpec = tf.Tensor | { readonly pool: tf.Tensor; readonly count?: number };

/** Checks the references against x's shape `[B, ...]` without reading them; returns R, the references per example. */
export function checkReferences(spec: unknown, xShape: readonly number[]): number {
  const exampleShape = xShape.slice(1);
  const wanted = `[R, ${exampleShape.join(', ')}]`;
  if (spec instanceof tf.Tensor) {
    if (spec.rank !== xShape.length || !sameShape(spec.shape.slice(1), exampleShape) || spec.shape[0] === 0) {
      fail('references', `a tensor of shape ${wanted} (R ≥ 1 references, each of one example's shape)`, `shape [${spec.shape.join(', ')}]`);
    }
    return spec.shape[0];
  }
  if (spec == null || typeof spec !== 'object' || !('pool' in spec)) {
    fail('references', `a tensor ${wanted} or { pool: tf.Tensor [P, ${exampleShape.join(', ')}], count: 10 }`, describe(spec));
  }
  const { pool, count } = spec as { pool: unknown; count?: unknown };
  if (!(pool instanceof tf.Tensor) || pool.rank !== xShape.length || !sameShape(pool.shape.slice(1), exampleShape)) {
    fail('references.pool', `a tensor of shape [P, ${exampleShape.join(', ')}]`, describe(pool));
  }
  return checkPositiveInteger('references.count', count ?? 10);
}

/**
 * The references of every example, `[B, R, ...]` (a new tensor the caller disposes).
 *
 * From a pool: the examples the model predicts as a class other than the explained target, `count`
 * of them, spread evenly over the pool in pool order (deterministic, and not biased towards the
 * start of a pool sorted by class). Each explicand gets its own picks when targets differ.
 */
export async function resolveReferences(
  spec: unknown,
  x: tf.Tensor,
  targets: readonly number[],
  model: ModelAdapter,
  internalBatchSize: number,
): Promise<tf.Tensor> {
  const count = checkReferences(spec, x.shape);
  const exampleShape = x.shape.slice(1);
  const examples = x.shape[0];
  if (spec instanceof tf.Tensor) {
    await checkFinite('references', spec);
    return tf.tidy(() => tf.broadcastTo(spec.toFloat().expandDims(0), [examples, ...spec.shape]));
  }
  const { pool } = spec as { pool: tf.Tensor };
  await checkFinite('references.pool', pool);
  const predicted = await predictedClasses(model, pool, internalBatchSize);
  const picks: number[] = [];
  targets.forEach((target, b) => {
    const candidates = predicted.flatMap((c, i) => (c === target ? [] : [i]));
    if (candidates.length < count) {
      fail(
        'references.pool',
        `at least count = ${count} examples predicted as a class other than ${target} (the target of example ${b})`,
        `${candidates.length} of ${pool.shape[0]}`,
      );
    }
    for (let i = 0; i < count; i++) picks.push(candidates[Math.floor((i * candidates.length) / count)]);
  });
  return tf.tidy(() => tf.gather(pool.toFloat(), tf.tensor1d(picks, 'int32')).reshape([examples, count, ...exampleShape]));
}

async function predictedClasses(model: ModelAdapter, pool: tf.Tensor, chunk: number): Promise<number[]> {
  const n = pool.shape[0];
  const parts: tf.Tensor[] = [];
  for (let start = 0; start < n; start += chunk) {
    parts.push(tf.tidy(() => tf.argMax(model.forward(pool.slice(start, Math.min(chunk, n - start))), 1)));
  }
  const all = tf.concat(parts);
  tf.dispose(parts);
  try {
    return Array.from(await all.data());
  } finally {
    all.dispose();
  }
}
