// Tabular tasks whose per-feature contributions are known: data from a known function f of F features,
// and for each example the contribution of every feature to f(x) − f(b) against a baseline b. Additive
// terms belong to their feature; a product term is split as its Shapley value: for x_i·x_j, feature i
// gets ½(x_i − b_i)(x_j + b_j) (half of x_i·x_j each against a zero baseline).
import * as tf from '@tensorflow/tfjs';
import { normalSamples } from '../../src/random.js';

export const FEATURES = 10;

export interface TabularTask {
  readonly name: string;
  /** What decides the output, in words, for the results table. */
  readonly description: string;
  /** f of a batch `[n, FEATURES]`, `[n]`: also a model whose attributions the tests compare with the truth. */
  readonly f: (x: tf.Tensor2D) => tf.Tensor1D;
  /** Each feature's contribution to f(x) − f(b); they add up to it. */
  readonly contributions: (x: ArrayLike<number>, b: ArrayLike<number>) => number[];
  /** Pairs of features drawn with correlation 0.8 (the first of each pair drives the second). */
  readonly correlated?: ReadonlyArray<readonly [number, number]>;
}

const LINEAR_WEIGHTS = [3, -2, 1.5, 1, -0.5, 0.25, 0, 0, 0, 0];

/** Additive terms g_i with g_i(0) = 0, as numbers and as tensor ops; features 6–9 do not matter. */
const ADDITIVE: ReadonlyArray<readonly [(v: number) => number, (v: tf.Tensor) => tf.Tensor]> = [
  [(v) => 2 * Math.sin(1.5 * v), (v) => v.mul(1.5).sin().mul(2)],
  [(v) => v * v, (v) => v.square()],
  [(v) => 1.5 * Math.tanh(2 * v), (v) => v.mul(2).tanh().mul(1.5)],
  [(v) => Math.abs(v), (v) => v.abs()],
  [(v) => -v, (v) => v.neg()],
  [(v) => Math.exp(0.5 * v) - 1, (v) => v.mul(0.5).exp().sub(1)],
];

/** Column i of a batch, `[n]`. */
const col = (x: tf.Tensor2D, i: number) => x.slice([0, i], [-1, 1]).reshape([-1]);
const sumOf = (terms: tf.Tensor[]) => tf.addN(terms) as tf.Tensor1D;

export const TABULAR_TASKS: readonly TabularTask[] = [
  {
    name: 'linear',
    description: 'f = Σ w_i x_i, w = (3, −2, 1.5, 1, −0.5, 0.25, 0, 0, 0, 0)',
    contributions: (x, b) => LINEAR_WEIGHTS.map((w, i) => w * (x[i] - b[i])),
    f: (x) => tf.tidy(() => x.matMul(tf.tensor2d(LINEAR_WEIGHTS, [FEATURES, 1])).reshape([-1])),
  },
  {
    name: 'additive',
    description: 'f = 2 sin 1.5x₀ + x₁² + 1.5 tanh 2x₂ + |x₃| − x₄ + (e^{x₅/2} − 1)',
    contributions: (x, b) => Array.from({ length: FEATURES }, (_, i) => (ADDITIVE[i] ? ADDITIVE[i][0](x[i]) - ADDITIVE[i][0](b[i]) : 0)),
    f: (x) => tf.tidy(() => sumOf(ADDITIVE.map(([, g], i) => g(col(x, i))))),
  },
  {
    name: 'interactions',
    description: 'f = 2 x₀x₁ + x₂x₃ + x₄ + sin x₅ (products split as Shapley values)',
    contributions: (x, b) => {
      const half = (i: number, j: number) => ((x[i] - b[i]) * (x[j] + b[j])) / 2;
      return [2 * half(0, 1), 2 * half(1, 0), half(2, 3), half(3, 2), x[4] - b[4], Math.sin(x[5]) - Math.sin(b[5]), 0, 0, 0, 0];
    },
    f: (x) => tf.tidy(() => sumOf([col(x, 0).mul(col(x, 1)).mul(2), col(x, 2).mul(col(x, 3)), col(x, 4), col(x, 5).sin()])),
  },
  {
    name: 'correlated',
    description: 'f = 2x₀ + x₂ − x₄; x₁, x₃, x₅ correlate 0.8 with x₀, x₂, x₄ but do not matter',
    correlated: [
      [0, 1],
      [2, 3],
      [4, 5],
    ],
    contributions: (x, b) => [2 * (x[0] - b[0]), 0, x[2] - b[2], 0, b[4] - x[4], 0, 0, 0, 0, 0],
    f: (x) => tf.tidy(() => sumOf([col(x, 0).mul(2), col(x, 2), col(x, 4).neg()])),
  },
];

export interface TabularData {
  /** Row-major `[n, FEATURES]`. */
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly n: number;
}

/** n standard-normal examples (pairs correlated as the task says) and their f values. */
export async function sampleTask(task: TabularTask, n: number, seed: number): Promise<TabularData> {
  const x = normalSamples(n * FEATURES, seed);
  for (const [from, to] of task.correlated ?? []) {
    for (let r = 0; r < n; r++) x[r * FEATURES + to] = 0.8 * x[r * FEATURES + from] + 0.6 * x[r * FEATURES + to];
  }
  const y = tf.tidy(() => task.f(tf.tensor2d(x, [n, FEATURES])));
  const values = (await y.data()) as Float32Array;
  y.dispose();
  return { x, y: values, n };
}
