import * as tf from '@tensorflow/tfjs';
import { describe, fail } from './validate.js';

/** `'predicted'` (argmax per example), one class for all examples, or one class per example. */
export type TargetSpec = 'predicted' | number | readonly number[];

/** The class explained for each example, checked against the model's K outputs. */
export async function resolveTargets(spec: TargetSpec | undefined, scores: tf.Tensor2D): Promise<number[]> {
  const [examples, classes] = scores.shape;
  const check = (t: unknown, where: string) => {
    if (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t >= classes) {
      fail('target', `a class index in [0, ${classes}) (the model has ${classes} outputs)`, `${describe(t)}${where}`);
    }
    return t;
  };
  if (spec === undefined || spec === 'predicted') {
    const argmax = tf.argMax(scores, 1);
    const data = await argmax.data();
    argmax.dispose();
    return Array.from(data);
  }
  if (typeof spec === 'number') return new Array<number>(examples).fill(check(spec, ''));
  if (Array.isArray(spec) || ArrayBuffer.isView(spec)) {
    const list = Array.from(spec as ArrayLike<number>);
    if (list.length !== examples) fail('target', `one class per example (${examples})`, `${list.length} classes`);
    return list.map((t, b) => check(t, ` for example ${b}`));
  }
  return fail('target', "'predicted', a class index or an array of class indices", describe(spec));
}
