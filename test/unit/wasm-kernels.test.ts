import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { before, describe, it, mock } from 'node:test';
import { isPathlensKernel, pathlensKernels } from '../../src/backend/kernels.js';
import { withInputOnlyGradients } from '../../src/backend/inputOnly.js';
import { maxAbs, maxAbsDiff, rng, useBackend } from '../helpers.js';

// Pathlens is loaded first and the wasm package after it, as in a user's notebook
// (the other order is tested in wasm-kernels-preloaded.test.ts).

type Backend = 'cpu' | 'wasm';
const values = (n: number, seed: number, lo = -0.5, hi = 0.5) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
};

/** Runs `fn` on a backend, checking that it leaves no tensor and no backend data behind. */
async function on<T>(backend: Backend, fn: () => T): Promise<T> {
  await useBackend(backend);
  const tensors = tf.memory().numTensors;
  const data = tf.engine().backend.numDataIds();
  const out = fn();
  assert.equal(tf.memory().numTensors, tensors, `${backend}: tensor leak`);
  assert.equal(tf.engine().backend.numDataIds(), data, `${backend}: backend data leak`);
  return out;
}

const relErr = (a: ArrayLike<number>, b: ArrayLike<number>) => maxAbsDiff(a, b) / Math.max(maxAbs(b), 1e-12);

/** The scalar Σ op(x, w) · R for a fixed random R, and its gradients with respect to x and w. */
function bilinear(op: (x: tf.Tensor4D, w: tf.Tensor4D) => tf.Tensor, xShape: number[], wShape: number[]) {
  const xv = values(tf.util.sizeFromShape(xShape), 1);
  const wv = values(tf.util.sizeFromShape(wShape), 2);
  const loss = (x: tf.Tensor4D, w: tf.Tensor4D) => {
    const y = op(x, w);
    return tf.sum(tf.mul(y, tf.tensor(values(y.size, 3), y.shape)));
  };
  return () =>
    tf.tidy(() => {
      const x = tf.tensor4d(xv, xShape as [number, number, number, number]);
      const w = tf.tensor4d(wv, wShape as [number, number, number, number]);
      const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => loss(a as tf.Tensor4D, b as tf.Tensor4D))([x, w]);
      // The loss is linear in x (and in w), so a central difference along any direction is exact up to rounding.
      const v = tf.tensor4d(values(xv.length, 4), x.shape);
      const u = tf.tensor4d(values(wv.length, 5), w.shape);
      const fdX = (loss(tf.add(x, v), w).dataSync()[0] - loss(tf.sub(x, v), w).dataSync()[0]) / 2;
      const fdW = (loss(x, tf.add(w, u)).dataSync()[0] - loss(x, tf.sub(w, u)).dataSync()[0]) / 2;
      return {
        gx: gx.dataSync().slice(),
        gw: gw.dataSync().slice(),
        gxDotV: tf.sum(tf.mul(gx, v)).dataSync()[0],
        gwDotU: tf.sum(tf.mul(gw, u)).dataSync()[0],
        fdX,
        fdW,
      };
    });
}

interface ConvCase {
  kernel: number;
  stride: number;
  pad: 'same' | 'valid';
  height: number;
  width: number;
  multiplier: number;
}

function grid(multipliers: number[]): ConvCase[] {
  const cases: ConvCase[] = [];
  let i = 0;
  for (const kernel of [1, 3, 5])
    for (const stride of [1, 2, 3])
      for (const pad of ['same', 'valid'] as const)
        for (const multiplier of multipliers) {
          // Odd and even heights and widths, alternating.
          const [height, width] = i++ % 2 ? [8, 7] : [7, 10];
          cases.push({ kernel, stride, pad, height, width, multiplier });
        }
  return cases;
}

const worst = { conv: { cpu: 0, fd: 0 }, depthwise: { cpu: 0, fd: 0 } };

async function checkConv(kind: 'conv' | 'depthwise', c: ConvCase): Promise<void> {
  const inChannels = 3;
  const wShape = kind === 'conv' ? [c.kernel, c.kernel, inChannels, 4] : [c.kernel, c.kernel, inChannels, c.multiplier];
  const op = (x: tf.Tensor4D, w: tf.Tensor4D) =>
    kind === 'conv' ? tf.conv2d(x, w, c.stride, c.pad) : tf.depthwiseConv2d(x, w, c.stride, c.pad);
  const run = bilinear(op, [2, c.height, c.width, inChannels], wShape);
  const cpu = await on('cpu', run);
  const wasm = await on('wasm', run);
  const label = `${kind} ${JSON.stringify(c)}`;
  const vsCpu = Math.max(relErr(wasm.gx, cpu.gx), relErr(wasm.gw, cpu.gw));
  const vsFd = Math.max(Math.abs(wasm.gxDotV - wasm.fdX) / Math.abs(wasm.fdX), Math.abs(wasm.gwDotU - wasm.fdW) / Math.abs(wasm.fdW));
  worst[kind].cpu = Math.max(worst[kind].cpu, vsCpu);
  worst[kind].fd = Math.max(worst[kind].fd, vsFd);
  assert.ok(vsCpu < 1e-5, `${label}: wasm vs cpu relative error ${vsCpu}`);
  assert.ok(vsFd < 1e-4, `${label}: wasm vs finite differences relative error ${vsFd}`);
}

const warnings: string[] = [];
before(async () => {
  const warn = mock.method(console, 'warn', (...args: unknown[]) => warnings.push(args.join(' ')));
  try {
    await useBackend('wasm');
  } finally {
    warn.mock.restore();
  }
});

describe('pathlens wasm kernels', () => {
  it('are the registered ones once the wasm backend runs, and the wasm package loading after pathlens printed no warning', () => {
    assert.equal(warnings.length, 0, warnings.join('; '));
    for (const name of pathlensKernels().wasm) assert.ok(isPathlensKernel(name, 'wasm'), `wasm ${name} is not pathlens's`);
    assert.ok(isPathlensKernel('AvgPoolGrad', 'cpu'));
  });

  it('conv2d input and filter gradients match cpu and finite differences (kernel 1/3/5, stride 1/2/3, same/valid, odd/even)', async () => {
    for (const c of grid([1])) await checkConv('conv', c);
    console.log(`conv2d: max relative error vs cpu ${worst.conv.cpu.toExponential(2)}, vs finite differences ${worst.conv.fd.toExponential(2)}`);
  });

  it('depthwise conv input and filter gradients match cpu and finite differences (channel multipliers 1 and 2)', async () => {
    for (const c of grid([1, 2])) await checkConv('depthwise', c);
    console.log(`depthwise: max relative error vs cpu ${worst.depthwise.cpu.toExponential(2)}, vs finite differences ${worst.depthwise.fd.toExponential(2)}`);
  });

  it('fused conv2d (bias, linear): the input gradient is the same with the filter gradient skipped; weight gradients stay real outside', async () => {
    const xv = values(2 * 9 * 9 * 3, 6);
    const wv = values(3 * 3 * 3 * 5, 7);
    const run = (inputOnly: boolean) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [2, 9, 9, 3]);
        const w = tf.tensor4d(wv, [3, 3, 3, 5]);
        const bias = tf.tensor1d([0.1, -0.2, 0.3, 0, 0.5]);
        const f = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: b as tf.Tensor4D, strides: 2, pad: 'same', bias })));
        const grads = () => tf.grads(f)([x, w]).map((g) => g.dataSync().slice());
        return inputOnly ? withInputOnlyGradients(grads) : grads();
      });
    const cpu = await on('cpu', () => run(false));
    const full = await on('wasm', () => run(false));
    const inputOnly = await on('wasm', () => run(true));
    assert.ok(relErr(full[0], cpu[0]) < 1e-5 && relErr(full[1], cpu[1]) < 1e-5);
    assert.deepEqual(inputOnly[0], full[0]);
    assert.equal(maxAbs(inputOnly[1]), 0, 'in input-only mode the filter gradient is skipped');
    assert.ok(maxAbs(full[1]) > 0.1, 'outside it, the filter gradient is computed');
  });

  it('max pool: windows whose maximum is below zero send the gradient to the maximum', async () => {
    const run = () => tf.tidy(() => tf.grad((x: tf.Tensor) => tf.sum(tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid')))(tf.tensor4d([-3, -1, -2, -4], [1, 2, 2, 1])).dataSync().slice());
    assert.deepEqual(Array.from(await on('wasm', run)), [0, 1, 0, 0]);
    assert.deepEqual(Array.from(await on('cpu', run)), [0, 1, 0, 0]);
  });

  for (const kind of ['max', 'avg'] as const) {
    it(`${kind} pool gradients match cpu and per-coordinate finite differences (window 2/3, stride 1/2, same/valid)`, async () => {
      const shape: [number, number, number, number] = [2, 7, 6, 2];
      const n = tf.util.sizeFromShape(shape);
      // Distinct values 0.01 apart around zero (no ties; many windows entirely below zero), shuffled.
      const r = rng(8);
      const order = Array.from({ length: n }, (_, i) => i).sort(() => r() - 0.5);
      const xv = Float32Array.from(order, (k) => (k - n / 2) * 0.01);
      let worstFd = 0;
      for (const size of [2, 3])
        for (const stride of [1, 2])
          for (const pad of ['same', 'valid'] as const) {
            const pool = (x: tf.Tensor) => (kind === 'max' ? tf.maxPool(x as tf.Tensor4D, size, stride, pad) : tf.avgPool(x as tf.Tensor4D, size, stride, pad));
            const weights = (y: tf.Tensor) => tf.tensor(values(y.size, 9, 0.5, 1.5), y.shape);
            const terms = (x: tf.Tensor) => tf.mul(pool(x), weights(pool(x)));
            const loss = (x: tf.Tensor) => tf.sum(terms(x));
            // Summed in float64 on the host, so the differences are not drowned in float32 rounding.
            const hostSum = (t: tf.Tensor) => Array.from(t.dataSync()).reduce((a, b) => a + b, 0);
            const run = () =>
              tf.tidy(() => {
                const g = tf.grad(loss)(tf.tensor4d(xv, shape)).dataSync().slice();
                // avgPool is linear, so a large step is exact; maxPool's step stays below the 0.01 gaps between values.
                const eps = kind === 'avg' ? 0.25 : 2e-3;
                const fd = new Float32Array(n);
                for (let i = 0; i < n; i++) {
                  const plus = xv.slice();
                  const minus = xv.slice();
                  plus[i] += eps;
                  minus[i] -= eps;
                  fd[i] = (hostSum(terms(tf.tensor4d(plus, shape))) - hostSum(terms(tf.tensor4d(minus, shape)))) / (2 * eps);
                }
                return { g, fd };
              });
            const cpu = await on('cpu', run);
            const wasm = await on('wasm', run);
            const label = `${kind}Pool ${size}/${stride} ${pad}`;
            assert.ok(maxAbsDiff(wasm.g, cpu.g) < 1e-5, `${label}: wasm vs cpu ${maxAbsDiff(wasm.g, cpu.g)}`);
            const fdErr = Math.max(maxAbsDiff(wasm.g, wasm.fd), maxAbsDiff(cpu.g, cpu.fd));
            worstFd = Math.max(worstFd, fdErr);
            assert.ok(fdErr < 1e-3, `${label}: gradient vs finite differences ${fdErr}`);
          }
      console.log(`${kind}Pool: max abs error vs finite differences ${worstFd.toExponential(2)} (float32 central differences)`);
    });
  }

  it('gather gradient (UnsortedSegmentSum) matches cpu', async () => {
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor2d(values(5 * 3, 10), [5, 3]);
        const f = (a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, tf.tensor1d([4, 0, 4, 2, 4], 'int32')), tf.tensor2d(values(15, 11), [5, 3])));
        return tf.grad(f)(x).dataSync().slice();
      });
    const cpu = await on('cpu', run);
    const wasm = await on('wasm', run);
    assert.ok(maxAbsDiff(wasm, cpu) < 1e-6);
    assert.equal(maxAbs(wasm.slice(3, 6)), 0, 'row 1 is never gathered');
  });

  it('batch-norm gradients (all five inputs) equal those of the same formula written with plain ops', async () => {
    const shape: [number, number, number, number] = [2, 3, 4, 5];
    const run = () =>
      tf.tidy(() => {
        const x = tf.tensor4d(values(120, 12), shape);
        const mean = tf.tensor1d(values(5, 13));
        const variance = tf.tensor1d(values(5, 14, 0.5, 2));
        const scale = tf.tensor1d(values(5, 15, 0.5, 2));
        const offset = tf.tensor1d(values(5, 16));
        const r = tf.tensor4d(values(120, 17), shape);
        const fused = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
          tf.sum(tf.mul(tf.batchNorm(a, m as tf.Tensor1D, v as tf.Tensor1D, o as tf.Tensor1D, s as tf.Tensor1D, 1e-3), r));
        const plain = (a: tf.Tensor, m: tf.Tensor, v: tf.Tensor, s: tf.Tensor, o: tf.Tensor) =>
          tf.sum(tf.mul(tf.add(tf.mul(tf.mul(tf.sub(a, m), tf.rsqrt(tf.add(v, 1e-3))), s), o), r));
        const inputs = [x, mean, variance, scale, offset];
        return [tf.grads(fused)(inputs), tf.grads(plain)(inputs)].map((gs) => gs.map((g) => g.dataSync().slice()));
      });
    for (const backend of ['cpu', 'wasm'] as const) {
      const [fused, plain] = await on(backend, run);
      fused.forEach((g, i) => assert.ok(relErr(g, plain[i]) < 1e-5, `${backend} input ${i}: ${relErr(g, plain[i])}`));
    }
  });
});
