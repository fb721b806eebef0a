import * as tf from '@tensorflow/tfjs';
import { readAll } from '../tensors.js';
import type { MethodInput, MethodResult } from './types.js';

export interface GradientOptions {
  /** Multiply the gradient by the input (gradient × input, as Captum's InputXGradient). */
  readonly timesInput?: boolean;
}

/** The input gradient of the explained output (Simonyan et al. 2014), or gradient × input. */
export async function gradient(input: MethodInput, options: GradientOptions = {}): Promise<MethodResult> {
  const { oracle, x, targets } = input;
  const examples = x.shape[0];
  const { value, grad } = oracle.valueAndGrad(x, targets);
  const attribution = options.timesInput ? tf.tidy(() => tf.mul(grad, x)) : grad;
  if (options.timesInput) grad.dispose();
  const norm = tf.tidy(() => tf.norm(attribution.reshape([examples, -1]), 'euclidean', 1));
  const [values, norms] = await readAll([value, norm]);
  input.onStep?.(1, 1);
  return {
    attribution,
    trace: {
      progress: Array.from({ length: examples }, () => [1]),
      output: Array.from(values, (v) => [v]),
      gradNorm: Array.from(norms, (n) => [n]),
      moved: Array.from({ length: examples }, () => [0]),
    },
  };
}
