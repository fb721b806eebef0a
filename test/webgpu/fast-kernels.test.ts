import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { startWebgpu } from '../../bench/webgpuDevice.js';
// pathlens's gradients (its FusedBatchNorm one among them), registered as when pathlens is imported.
import '../../src/backend/kernels.js';
import { directLimitsForTests, fastConv2DBackpropInput, type WebgpuBackendLike } from '../../src/backend/webgpu/conv2dBackpropInput.js';
import { registerFastWebgpuKernels, setConv2DBackpropInputVariant, unregisterFastWebgpuKernels } from '../../src/backend/webgpu/fastKernels.js';
import { maxAbs, maxAbsDiff, rng } from '../helpers.js';

// pathlens's own webgpu kernels against tfjs's cpu backend, on any adapter: without a GPU through
// Dawn's OpenGL ES backend on Mesa's llvmpipe (bench/webgpuDevice.ts finds that route). A machine
// without an adapter fails here with the reason; it does not skip.

const values = (n: number, seed: number, lo = -1, hi = 1) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
};
const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => maxAbsDiff(a, b) / Math.max(maxAbs(b), 1e-12);

/** Runs `fn` on a backend with the same input data; returns the result's values and shape. */
async function on(backend: 'cpu' | 'webgpu', fn: () => tf.Tensor): Promise<{ values: Float32Array; shape: number[] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = fn();
  const result = { values: (await out.data()) as Float32Array, shape: out.shape };
  out.dispose();
  assert.equal(tf.memory().numTensors, before, `${backend}: tensor leak`);
  return result;
}

/** The number of GPU programs `fn` dispatches. */
async function dispatches(fn: () => tf.Tensor): Promise<number> {
  const backend = tf.backend() as unknown as { runWebGPUProgram: (...a: unknown[]) => unknown };
  const run = backend.runWebGPUProgram;
  let count = 0;
  backend.runWebGPUProgram = function (this: unknown, ...a: unknown[]) {
    count++;
    return run.apply(this, a);
  };
  try {
    const out = fn();
    await out.data();
    out.dispose();
  } finally {
    backend.runWebGPUProgram = run;
  }
  return count;
}

/** Dispatches of `fn` with pathlens's kernels registered, then with tfjs's own. */
async function fastAndStockDispatches(fn: () => tf.Tensor): Promise<[number, number]> {
  const fast = await dispatches(fn);
  unregisterFastWebgpuKernels();
  try {
    return [fast, await dispatches(fn)];
  } finally {
    registerFastWebgpuKernels();
  }
}

/** The input gradient of Σ after(conv2d(x, w, stride 2, 'same')) on webgpu equals cpu's. */
async function convGradientMatchesCpu(xShape: [number, number, number, number], wShape: [number, number, number, number], after: (y: tf.Tensor) => tf.Tensor) {
  const xv = values(tf.util.sizeFromShape(xShape), 21);
  const wv = values(tf.util.sizeFromShape(wShape), 22);
  const grad = () =>
    tf.tidy(() => {
      const w = tf.tensor4d(wv, wShape);
      return tf.grad((x: tf.Tensor) => tf.sum(after(tf.conv2d(x as tf.Tensor4D, w, 2, 'same'))))(tf.tensor4d(xv, xShape));
    });
  const expected = await on('cpu', grad);
  const got = await on('webgpu', grad);
  const err = relErr(got.values, expected.values);
  assert.ok(err < 1e-5, `conv2d input gradient, x ${xShape}, w ${wShape}: relative error ${err}`);
}

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
interface ConvCase {
  x: [number, number, number, number];
  f: [number, number];
  co: number;
  stride: [number, number];
  pad: Pad;
}

// Odd sizes, every tile width (ci < 16, 16–31, 32–63, ≥ 64), strides 1–3, 1×1 to 7×7, explicit padding.
const CASES: ConvCase[] = [
  { x: [2, 7, 9, 3], f: [3, 3], co: 5, stride: [1, 1], pad: 'same' },
  { x: [1, 9, 7, 5], f: [3, 3], co: 17, stride: [2, 2], pad: 'same' },
  { x: [2, 8, 8, 16], f: [3, 3], co: 8, stride: [2, 2], pad: 'same' },
  { x: [1, 11, 10, 3], f: [7, 7], co: 9, stride: [2, 2], pad: 'same' },
  { x: [1, 6, 6, 33], f: [3, 3], co: 20, stride: [1, 1], pad: 'valid' },
  { x: [2, 5, 5, 64], f: [1, 1], co: 24, stride: [1, 1], pad: 'same' },
  { x: [1, 9, 9, 65], f: [1, 1], co: 40, stride: [2, 2], pad: 'same' },
  { x: [1, 10, 7, 6], f: [2, 3], co: 3, stride: [3, 2], pad: 'valid' },
  { x: [1, 8, 9, 4], f: [3, 3], co: 6, stride: [1, 2], pad: [[0, 0], [2, 1], [0, 1], [0, 0]] },
  { x: [3, 4, 4, 1], f: [3, 3], co: 2, stride: [1, 1], pad: 'same' },
  // dy's channels in 4s (the direct variant's cases), x's in 4s or not.
  { x: [1, 13, 12, 3], f: [7, 7], co: 8, stride: [2, 2], pad: 'same' },
  { x: [2, 7, 9, 5], f: [3, 3], co: 4, stride: [1, 1], pad: 'same' },
  { x: [1, 9, 7, 8], f: [3, 3], co: 12, stride: [2, 2], pad: 'same' },
  { x: [2, 7, 7, 4], f: [1, 1], co: 8, stride: [2, 2], pad: 'same' },
  { x: [1, 10, 11, 12], f: [5, 5], co: 4, stride: [2, 1], pad: [[0, 0], [1, 2], [2, 0], [0, 0]] },
  { x: [3, 6, 5, 36], f: [3, 3], co: 20, stride: [1, 1], pad: 'valid' },
];

describe('pathlens webgpu kernels agree with cpu', () => {
  let adapter = '';
  before(async () => {
    adapter = (await startWebgpu()).adapter;
    registerFastWebgpuKernels();
  });

  // The direct variant also with one workgroup row, so that its loop over pixel groups runs.
  for (const [variant, maxGroupsY] of [['tiled'], ['direct'], ['direct', 1]] as Array<['tiled' | 'direct', number?]>) {
  it(`Conv2DBackpropInput (${variant}${maxGroupsY ? `, ${maxGroupsY} workgroup row` : ''}) over shapes, strides, paddings and filter sizes`, async () => {
    setConv2DBackpropInputVariant(variant);
    directLimitsForTests.maxGroupsY = maxGroupsY;
    for (const c of CASES) {
      const [b, h, w, ci] = c.x;
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.f, ci, c.co]) as tf.Tensor4D, c.stride, c.pad).shape);
      const dyValues = values(tf.util.sizeFromShape(outShape), 11);
      const wValues = values(c.f[0] * c.f[1] * ci * c.co, 12);
      const run = () =>
        tf.tidy(() =>
          tf.engine().runKernel(
            'Conv2DBackpropInput',
            { dy: tf.tensor(dyValues, outShape), filter: tf.tensor(wValues, [...c.f, ci, c.co]) },
            { inputShape: [b, h, w, ci], strides: c.stride, pad: c.pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap,
          ) as tf.Tensor,
        );
      const expected = await on('cpu', run);
      const got = await on('webgpu', run);
      assert.deepEqual(got.shape, expected.shape);
      const err = relErr(got.values, expected.values);
      assert.ok(err < 1e-5, `${variant} ${JSON.stringify(c)} on ${adapter}: relative error ${err}`);
    }
    setConv2DBackpropInputVariant('direct');
    directLimitsForTests.maxGroupsY = undefined;
  });
  }

  it('Conv2DBackpropInput with every tile shape, including the 1×1 stride-1 case that otherwise goes to BatchMatMul', async () => {
    const tiles = [{ tn: 64, tm: 64 }, { tn: 64, tm: 16 }, { tn: 32, tm: 64 }, { tn: 32, tm: 16 }, { tn: 16, tm: 64 }, { tn: 16, tm: 32 }, { tn: 4, tm: 128 }];
    const cases: ConvCase[] = [
      { x: [2, 9, 7, 70], f: [3, 3], co: 19, stride: [2, 2], pad: 'same' },
      { x: [1, 6, 5, 37], f: [1, 1], co: 21, stride: [1, 1], pad: 'valid' },
    ];
    for (const c of cases) {
      const outShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros([...c.f, c.x[3], c.co]) as tf.Tensor4D, c.stride, c.pad).shape);
      const dyValues = values(tf.util.sizeFromShape(outShape), 13);
      const wValues = values(c.f[0] * c.f[1] * c.x[3] * c.co, 14);
      const attrs = { inputShape: c.x, strides: c.stride, pad: c.pad, dataFormat: 'NHWC' as const };
      const expected = await on('cpu', () =>
        tf.tidy(() => tf.engine().runKernel('Conv2DBackpropInput', { dy: tf.tensor(dyValues, outShape), filter: tf.tensor(wValues, [...c.f, c.x[3], c.co]) }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor),
      );
      for (const tile of tiles) {
        const got = await on('webgpu', () =>
          tf.tidy(() => {
            const dy = tf.tensor(dyValues, outShape);
            const filter = tf.tensor(wValues, [...c.f, c.x[3], c.co]);
            const out = fastConv2DBackpropInput({ inputs: { dy, filter }, backend: tf.backend() as unknown as WebgpuBackendLike, attrs }, 'tiled', tile);
            return tf.engine().makeTensorFromTensorInfo(out!);
          }),
        );
        const err = relErr(got.values, expected.values);
        assert.ok(err < 1e-5, `${JSON.stringify(c)}, tile ${JSON.stringify(tile)}: relative error ${err}`);
      }
    }
  });

  it('the input gradient of conv2d goes through the replaced kernel and matches cpu', async () => {
    await convGradientMatchesCpu([2, 9, 9, 8], [3, 3, 8, 16], (y) => tf.square(y));
  });

  it('Relu, Relu6 and ClipByValue gradients: equal to cpu, at the range edges too, in one dispatch each', async () => {
    // Lengths 4k and not, values on the edges 0 and 6 and either side of them.
    for (const length of [4 * 37, 4 * 37 + 3]) {
      const xv = values(length, 31, -3, 9);
      [0, 6, -0, 1e-7, 6 + 1e-6].forEach((v, i) => (xv[i * 7] = v));
      const gv = values(length, 32);
      for (const [name, op] of [
        ['relu', (x: tf.Tensor) => tf.relu(x)],
        ['relu6', (x: tf.Tensor) => tf.relu6(x)],
        ['clip', (x: tf.Tensor) => tf.clipByValue(x, -0.5, 6)],
        ['ReLU6 layer', (x: tf.Tensor) => tf.clipByValue(tf.relu(x), 0, 6)],
      ] as const) {
        const grad = () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.mul(op(x), tf.tensor1d(gv))))(tf.tensor1d(xv)));
        const expected = await on('cpu', grad);
        const got = await on('webgpu', grad);
        // tfjs multiplies by a 0/1 mask, giving −0 where dy < 0; the fused kernel writes 0.
        const plain = (v: Float32Array) => Array.from(v, (e) => e + 0);
        assert.deepEqual(plain(got.values), plain(expected.values), `${name}, length ${length}`);
      }
    }
    await tf.setBackend('webgpu');
    const x = tf.tensor1d(values(64, 33));
    const dy = tf.tensor1d(values(64, 34));
    const vjp = (op: (x: tf.Tensor) => tf.Tensor) => () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(op(t), dy)))(x));
    const [clipFast, clipStock] = await fastAndStockDispatches(vjp((t) => tf.clipByValue(t, 0, 6)));
    tf.dispose([x, dy]);
    assert.ok(clipFast + 4 <= clipStock, `ClipByValue's gradient: ${clipFast} dispatches with pathlens's kernel, ${clipStock} stock`);
  });

  it('FusedBatchNorm input gradient: equal to cpu, channels in 4s or not, in one dispatch', async () => {
    for (const shape of [[2, 5, 3, 8], [2, 3, 3, 6], [3, 7]]) {
      const c = shape[shape.length - 1];
      const xv = values(tf.util.sizeFromShape(shape), 51, -2, 3);
      const stats = [values(c, 52), values(c, 53, 0.2, 2), values(c, 54), values(c, 55, 0.5, 1.5)];
      const gv = values(xv.length, 56);
      const grad = () =>
        tf.tidy(() => {
          const [mean, variance, offset, scale] = stats.map((v) => tf.tensor1d(v));
          const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(x, mean, variance, offset, scale, 1e-3), tf.tensor(gv, shape)));
          return tf.grad(f)(tf.tensor(xv, [...shape]));
        });
      const expected = await on('cpu', grad);
      const got = await on('webgpu', grad);
      const err = relErr(got.values, expected.values);
      assert.ok(err < 1e-6, `shape ${shape}: relative error ${err}`);
    }
    await tf.setBackend('webgpu');
    const [x, dy] = [tf.tensor2d(values(64, 57), [8, 8]), tf.tensor2d(values(64, 58), [8, 8])];
    const [mean, variance, offset, scale] = [tf.tensor1d(values(8, 59)), tf.tensor1d(values(8, 60, 0.5, 1)), tf.tensor1d(values(8, 62)), tf.tensor1d(values(8, 61))];
    const vjp = () => tf.tidy(() => tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(t, mean, variance, offset, scale, 1e-3), dy)))(x));
    const [fast, stock] = await fastAndStockDispatches(vjp);
    tf.dispose([x, dy, mean, variance, offset, scale]);
    // pathlens's own gradient: Add, Rsqrt and two Multiplys; the fused kernel: one.
    assert.equal(stock - fast, 3, `batch norm's input gradient: ${fast} dispatches with pathlens's kernel, ${stock} without`);
  });

  it('elementwise kernels past 65,535 workgroups (tfjs folds the grid): masked and batch-norm gradients stay exact', async () => {
    await tf.setBackend('webgpu');
    const rows = 65536 + 100; // × 64 channels = 4 · 64 · (65536 + 100) elements: vec4 workgroups above the limit
    const x = tf.randomNormal([rows, 64], 0, 4, 'float32', 71);
    const dy = tf.randomNormal([rows, 64], 0, 1, 'float32', 72);
    const [mean, variance, offset, scale] = [tf.zeros([64]), tf.randomUniform([64], 0.5, 2, 'float32', 73), tf.zeros([64]), tf.randomNormal([64], 0, 1, 'float32', 74)];
    const relu6 = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.clipByValue(tf.relu(v), 0, 6), dy)))(x);
    const bn = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(v, mean, variance, offset, scale, 1e-3), dy)))(x);
    const [g, b, xv, dv, vv, sv] = await Promise.all([relu6, bn, x, dy, variance, scale].map((t) => t.data()));
    tf.dispose([x, dy, mean, variance, offset, scale, relu6, bn]);
    let masked = 0;
    let worst = 0;
    for (let i = 0; i < xv.length; i++) {
      if (g[i] !== (xv[i] > 0 && xv[i] <= 6 ? dv[i] : 0)) masked++;
      const c = i % 64;
      const e = (dv[i] * sv[c]) / Math.sqrt(vv[c] + 1e-3);
      worst = Math.max(worst, Math.abs(b[i] - e) / (Math.abs(e) + 1e-6));
    }
    assert.equal(masked, 0, 'ReLU6 gradient: elements that differ');
    assert.ok(worst < 1e-5, `batch norm input gradient: worst relative error ${worst}`);
  });

  it('unregistering restores tfjs\'s own kernels and gradients', async () => {
    unregisterFastWebgpuKernels();
    try {
      await convGradientMatchesCpu([2, 7, 7, 4], [3, 3, 4, 5], (y) => tf.relu6(y));
    } finally {
      registerFastWebgpuKernels();
    }
  });
});
