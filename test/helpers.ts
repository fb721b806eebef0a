import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { withInputOnlyGradients } from '../src/backend/inputOnly.js';
import { FILTER_GRADIENT_KERNELS, isInputOnlyWrapped } from '../src/backend/inputOnlyKernels.js';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureBackend, type ModelFunction } from '../src/index.js';
import { seededUniform } from '../src/random.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export function fixtureNames(group: string, prefix: string): string[] {
  return readdirSync(join(FIXTURES, group)).filter((f) => f.startsWith(prefix) && f.endsWith('.json')).sort();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadFixture(group: string, name: string): any {
  return JSON.parse(readFileSync(join(FIXTURES, group, name), 'utf8'));
}

export type TestBackend = 'cpu' | 'wasm' | 'webgpu';

/** The backends the conformance tests run on: cpu and wasm, or webgpu alone in test/webgpu/ (PATHLENS_TEST_BACKEND=webgpu). */
export function testBackends(): TestBackend[] {
  return process.env.PATHLENS_TEST_BACKEND === 'webgpu' ? ['webgpu'] : ['cpu', 'wasm'];
}

/**
 * Switches tfjs to a backend as a user would; pathlens keeps a user's choice. webgpu goes through
 * PATHLENS_BACKEND, which takes a software adapter (llvmpipe) and fails saying why when there is none.
 */
export async function useBackend(name: TestBackend): Promise<void> {
  if (name === 'webgpu') {
    process.env.PATHLENS_BACKEND = 'webgpu';
    await ensureBackend();
    return;
  }
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  if (!(await tf.setBackend(name))) throw new Error(`could not start backend ${name}`);
}

export interface FixtureModel {
  type: 'mlp_tanh_scalar' | 'mlp_tanh_softmax';
  params: { W1: number[][]; b1: number[]; w2?: number[]; b2: number | number[]; W2?: number[][] };
  target_class?: number;
}

/** The fixture MLPs (README §1) as a function model: [B, 4, 4, 3] or [B, 48] → [B, K]. */
export function fixtureFunction(model: FixtureModel): { f: ModelFunction; target: number } {
  const W1 = tf.tensor2d(model.params.W1);
  const b1 = tf.tensor1d(model.params.b1);
  const { W2, b2 } = secondLayer(model);
  const f = (batch: tf.Tensor) =>
    tf.tidy(() => {
      const h = tf.tanh(tf.add(tf.matMul(batch.reshape([batch.shape[0], -1]), W1, false, true), b1));
      const logits = tf.add(tf.matMul(h, W2, false, true), b2);
      return model.type === 'mlp_tanh_softmax' ? tf.softmax(logits) : logits;
    });
  return { f, target: model.target_class ?? 0 };
}

function secondLayer(model: FixtureModel): { W2: tf.Tensor2D; b2: tf.Tensor1D } {
  if (model.type === 'mlp_tanh_softmax') return { W2: tf.tensor2d(model.params.W2!), b2: tf.tensor1d(model.params.b2 as number[]) };
  return { W2: tf.tensor2d([model.params.w2!]), b2: tf.tensor1d([model.params.b2 as number]) };
}

/** The same MLP as a tf.LayersModel: Flatten → Dense(tanh) → Dense(linear | softmax). */
export function fixtureLayersModel(model: FixtureModel, inputShape: number[]): tf.LayersModel {
  const { W2, b2 } = secondLayer(model);
  const m = tf.sequential();
  m.add(tf.layers.flatten({ inputShape }));
  m.add(tf.layers.dense({ units: model.params.b1.length, activation: 'tanh' }));
  m.add(tf.layers.dense({ units: W2.shape[0], activation: model.type === 'mlp_tanh_softmax' ? 'softmax' : 'linear' }));
  m.layers[1].setWeights([tf.tensor2d(model.params.W1).transpose(), tf.tensor1d(model.params.b1)]);
  m.layers[2].setWeights([W2.transpose(), b2]);
  return m;
}

export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Deterministic uniform [0, 1) numbers, as pathlens makes them. */
export const rng = seededUniform;

/** A random smooth model: [B, d] → tanh MLP → softmax over k classes. */
export function randomSmoothModel(random: () => number, d: number, hidden: number, k: number): ModelFunction {
  const W1 = tf.tensor2d(Array.from({ length: d * hidden }, () => (random() - 0.5) * 2), [d, hidden]);
  const W2 = tf.tensor2d(Array.from({ length: hidden * k }, () => (random() - 0.5) * 2), [hidden, k]);
  return (batch) => tf.tidy(() => tf.softmax(tf.matMul(tf.tanh(tf.matMul(batch.reshape([batch.shape[0], d]), W1)), W2)));
}

export function randomTensor(random: () => number, shape: number[], lo = 0, hi = 1): tf.Tensor {
  const size = shape.reduce((a, b) => a * b, 1);
  return tf.tensor(Array.from({ length: size }, () => lo + (hi - lo) * random()), shape);
}

/** Asserts that `fn` leaves tf.memory().numTensors where it found it. */
export async function expectNoLeak<T>(fn: () => Promise<T>): Promise<T> {
  const before = tf.memory().numTensors;
  const out = await fn();
  const after = tf.memory().numTensors;
  if (after !== before) throw new Error(`tensor leak: ${before} tensors before, ${after} after`);
  return out;
}

/**
 * A real tf.GraphModel, loaded by tf.loadGraphModel from a converter-format graph (model.json
 * topology + weights) written here: x [B, d] → MatMul → BiasAdd → Tanh → MatMul → Softmax.
 */
export async function smallGraphModel(W1: number[][], b1: number[], W2: number[][]): Promise<tf.GraphModel> {
  const dim = (shape: number[]) => ({ dim: shape.map((size) => ({ size: String(size) })) });
  const float = { type: 'DT_FLOAT' };
  const constant = (name: string, shape: number[]) => ({
    name,
    op: 'Const',
    attr: { dtype: float, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dim(shape) } } },
  });
  const d = W1.length;
  const h = b1.length;
  const k = W2[0].length;
  const graph = {
    node: [
      { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dim([-1, d]) } } },
      constant('W1', [d, h]),
      constant('b1', [h]),
      constant('W2', [h, k]),
      { name: 'MatMul', op: 'MatMul', input: ['x', 'W1'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'BiasAdd', op: 'BiasAdd', input: ['MatMul', 'b1'], attr: { T: float, data_format: { s: 'TkhXQw==' } } },
      { name: 'Tanh', op: 'Tanh', input: ['BiasAdd'], attr: { T: float } },
      { name: 'MatMul_1', op: 'MatMul', input: ['Tanh', 'W2'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
      { name: 'Softmax', op: 'Softmax', input: ['MatMul_1'], attr: { T: float } },
    ],
    versions: { producer: 1 },
  };
  const weights = new Float32Array([...W1.flat(), ...b1, ...W2.flat()]);
  const weightSpecs = [
    { name: 'W1', shape: [d, h], dtype: 'float32' as const },
    { name: 'b1', shape: [h], dtype: 'float32' as const },
    { name: 'W2', shape: [h, k], dtype: 'float32' as const },
  ];
  return tf.loadGraphModel(tf.io.fromMemory({ modelTopology: graph, weightSpecs, weightData: weights.buffer, format: 'graph-model' }));
}

/**
 * On the active backend (`name`): the filter gradients of a fused Conv2D and a depthwise conv are real
 * outside input-only mode and zeros inside it, through pathlens's wrapped kernels.
 */
export async function checkInputOnlyFilterGradients(name: string): Promise<void> {
  for (const kernel of FILTER_GRADIENT_KERNELS) assert.ok(isInputOnlyWrapped(kernel, name), `${kernel} wrapped on ${name}`);
  const x = randomTensor(rng(3), [2, 5, 5, 3]);
  const filter = randomTensor(rng(4), [3, 3, 3, 2], -1, 1);
  const depthwise = randomTensor(rng(5), [3, 3, 3, 2], -1, 1);
  const conv = (f: tf.Tensor) => tf.fused.conv2d({ x: x as tf.Tensor4D, filter: f as tf.Tensor4D, strides: 1, pad: 'same', activation: 'relu' }).sum();
  const dw = (f: tf.Tensor) => tf.depthwiseConv2d(x as tf.Tensor4D, f as tf.Tensor4D, 1, 'same').square().sum();
  for (const [what, f, w] of [['conv2d', conv, filter], ['depthwise', dw, depthwise]] as const) {
    const full = tf.grad(f)(w);
    const skipped = withInputOnlyGradients(() => tf.grad(f)(w));
    const [fullValues, skippedValues] = [await full.data(), await skipped.data()];
    assert.ok(fullValues.some((v) => v !== 0), `${what}: the filter gradient outside input-only mode`);
    assert.ok(skippedValues.every((v) => v === 0), `${what}: zeros in input-only mode`);
    tf.dispose([full, skipped]);
  }
  tf.dispose([x, filter, depthwise]);
}
