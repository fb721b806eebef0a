// pathlens on webgpu (Dawn's Node binding; llvmpipe through OpenGL ES where there is no GPU) agrees with
// cpu: the whole chain, completeness, views, the report, evaluate(), widget data; the user's own
// tf.setBackend('webgpu'); input-only filter gradients; chunks split under the device's buffer limit.
import * as tf from '@tensorflow/tfjs';
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backendInfo, ensureBackend, explain, type Explanation } from '../../src/index.js';
import { webgpuAdapter } from '../../src/backend/webgpu/adapter.js';
import { adaptModel } from '../../src/model.js';
import { scoresOf } from '../../src/oracle.js';
import { readAll } from '../../src/tensors.js';
import { widgetData } from '../../src/widgets/pathData.js';
import { checkInputOnlyFilterGradients, maxAbsDiff, randomTensor, rng } from '../helpers.js';

/** conv (fused relu) → depthwise → max pool → dense 'features' → dense logits, seeded. */
function smallConvNet(): tf.LayersModel {
  const init = (s: number) => tf.initializers.glorotUniform({ seed: 7 + s });
  const m = tf.sequential();
  m.add(tf.layers.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: init(1) }));
  m.add(tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'tanh', depthwiseInitializer: init(2) }));
  m.add(tf.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  m.add(tf.layers.flatten());
  m.add(tf.layers.dense({ units: 8, activation: 'relu', kernelInitializer: init(3), name: 'features' }));
  m.add(tf.layers.dense({ units: 3, kernelInitializer: init(4), name: 'logits' }));
  return m;
}

function relativeL2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += b[i] ** 2;
  }
  return Math.sqrt(d / Math.max(n, 1e-30));
}

interface Run {
  ex: Explanation;
  attributions: Record<string, Float32Array>;
  widgetFrames: number[];
  widgetCumulative: Float32Array;
  insertion: number[];
  deletion: number[];
}

async function runChain(model: tf.LayersModel, x: tf.Tensor, references: tf.Tensor): Promise<Run> {
  const ex = await explain(model, x)
    .ig({ steps: 8, keepPath: true })
    .guidedIG({ steps: 12, keepPath: true })
    .ig2({ references, steps: 6 })
    .smoothGrad({ samples: 3, seed: 5 })
    .blurIG({ steps: 6, maxSigma: 4 });
  const attributions = Object.fromEntries(await Promise.all(ex.methods.map(async (m) => [m, (await ex.attribution(m).data()) as Float32Array])));
  const widget = await widgetData(ex, (ex as unknown as { evaluation: never }).evaluation, 1, true);
  const r = await ex.evaluate({ metrics: ['insertion', 'deletion'], steps: 6, baseline: 'black' });
  return { ex, attributions, widgetFrames: widget.frames, widgetCumulative: widget.pathCumulative, insertion: r.scores.ig.insertion!, deletion: r.scores.guidedIG.deletion! };
}

test('the chain, completeness, views, report, evaluate and widget data on webgpu agree with cpu', async () => {
  delete process.env.PATHLENS_BACKEND;
  await tf.setBackend('cpu');
  const model = smallConvNet();
  const x = randomTensor(rng(11), [2, 8, 8, 3]);
  const references = randomTensor(rng(12), [3, 8, 8, 3]);
  const onCpu = await runChain(model, x, references);
  assert.equal(onCpu.ex.backend, 'cpu');

  // The user's own choice, as in a notebook: pathlens registered the factory; llvmpipe is taken when asked for by name.
  assert.ok(await tf.setBackend('webgpu'), 'tf.setBackend(\'webgpu\') started');
  const info = await ensureBackend();
  assert.equal(info.name, 'webgpu');
  assert.match(info.reason, /^webgpu: .+ \((vulkan|metal|d3d12|opengles)(, software)?\); set by the user \(tf\.setBackend\('webgpu'\)\)$/);
  assert.equal(backendInfo().device, `${webgpuAdapter()!.name} (${webgpuAdapter()!.route}${webgpuAdapter()!.software ? ', software' : ''})`);
  assert.equal(tf.env().getBool('WEBGPU_CPU_FORWARD'), false, 'no CPU forwarding: it reads GPU data synchronously');
  console.log(`# ${info.reason}`);

  const before = tf.memory().numTensors;
  const started = performance.now();
  const onGpu = await runChain(model, x, references);
  console.log(`# chain + widget data + evaluate on webgpu: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const { ex } = onGpu;
  assert.equal(ex.backend, 'webgpu');
  assert.equal(tf.getBackend(), 'webgpu', 'nothing moved the work to another backend');
  for (const m of ex.methods) {
    const error = relativeL2(onGpu.attributions[m], onCpu.attributions[m]);
    console.log(`# ${m}: relative L2 to cpu ${error.toExponential(2)}`);
    assert.ok(error < 1e-4, `${m}: relative L2 ${error}`);
    const [gpu, cpu] = [ex.completeness(m), onCpu.ex.completeness(m)];
    assert.ok(maxAbsDiff(gpu.gap, cpu.gap) < 1e-4, `${m} completeness gap ${gpu.gap} vs ${cpu.gap}`);
    assert.ok(maxAbsDiff(ex.path(m).output.flat(), onCpu.ex.path(m).output.flat()) < 1e-4, `${m} path outputs`);
  }
  assert.ok(Math.abs(ex.completeness('ig').gap[0]) < 0.05, 'IG adds up');

  const heatmap = ex.heatmap({ sign: 'all' });
  const cpuHeatmap = onCpu.ex.heatmap({ sign: 'all' });
  assert.deepEqual([heatmap.width, heatmap.height], [cpuHeatmap.width, cpuHeatmap.height]);
  assert.ok(heatmap.png.length > 1000);
  const trajectory = ex.trajectory({ example: 1 });
  assert.equal(trajectory.figure.data.length, onCpu.ex.trajectory({ example: 1 }).figure.data.length);
  const html = ex.toHTML({ title: 'webgpu report' });
  assert.match(html, /webgpu report/);
  for (const m of ex.methods) assert.ok(html.includes(m), `the report names ${m}`);
  const json = ex.toJSON() as { methods: Array<{ attribution: { values: number[] } }> };
  assert.deepEqual(json.methods[0].attribution.values, Array.from(onGpu.attributions.ig));

  assert.deepEqual(onGpu.widgetFrames, onCpu.widgetFrames);
  assert.ok(maxAbsDiff(onGpu.widgetCumulative, onCpu.widgetCumulative) < 1e-4, 'widget path frames');
  assert.ok(maxAbsDiff(onGpu.insertion, onCpu.insertion) < 1e-4 && maxAbsDiff(onGpu.deletion, onCpu.deletion) < 1e-4, 'insertion / deletion AUCs');

  onGpu.ex.dispose();
  assert.equal(tf.memory().numTensors, before, 'tensors leaked on webgpu');
  onCpu.ex.dispose();
});

test('input-only mode skips the filter gradients of Conv2D and depthwise convs on webgpu, and only while on', async () => {
  process.env.PATHLENS_BACKEND = 'webgpu';
  await ensureBackend();
  await checkInputOnlyFilterGradients('webgpu');
});

test('a chunk whose tensors would exceed the device\'s buffer limit is split, with a notice; unsplit, the GPU error is thrown', async () => {
  process.env.PATHLENS_BACKEND = 'webgpu';
  process.env.PATHLENS_GPU_MEMORY_MB = '65536'; // the memory budget out of the way: the buffer limit decides
  await ensureBackend();
  const limit = webgpuAdapter()!.maxStorageBufferBindingSize;
  // What happens without the split: WebGPU reports a validation error as an event and reads back zeros; readAll throws it.
  const tooBig = tf.tidy(() => tf.mul(tf.ones([Math.ceil(limit / 4 / 4096) + 1, 1]), tf.ones([1, 4096])).sum());
  await assert.rejects(readAll([tooBig]), /webgpu: the GPU reported .*maximum storage buffer binding size/);
  // f(x) = Σ_j (x ⊗ w)²_j per class: a [rows, 64, width] intermediate of `perRow` bytes a row.
  const width = Math.ceil(limit / 20 / 64 / 4); // 20 rows of it would not fit in one buffer
  const perRow = 64 * width * 4;
  const w = tf.randomUniform([1, 1, width], -1, 1, 'float32', 9);
  const model = (b: tf.Tensor) => tf.tidy(() => tf.square(tf.mul(b.reshape([b.shape[0], 64, 1]), w)).sum(2).reshape([b.shape[0], 2, 32]).sum(2));
  const x = tf.randomUniform([1, 64], 0, 1, 'float32', 10);
  const steps = 24;
  assert.ok(steps * perRow > limit, 'one chunk of every step would not fit');
  const ex = await explain(model, x, { target: 0 }).ig({ steps, rule: 'riemannLeft' });
  assert.match(ex.notices.join('\n'), new RegExp(`internalBatchSize 256 lowered to \\d+: .* the GPU binds at most ${Math.round(limit / 2 ** 20)} MB at once`));
  const rows = ex.record('ig').gradientRows / ex.record('ig').gradientCalls;
  assert.ok(rows * perRow <= limit, `${rows} rows per call`);
  // Exact: f is quadratic in x, so IG adds up to f(x) − f(0) = f(x) up to rounding of the left Riemann sum.
  const attribution = await ex.attribution('ig').data();
  assert.ok(attribution.every(Number.isFinite) && attribution.some((v) => v !== 0), 'numbers, not the zeros of a failed dispatch');
  assert.ok(Math.abs(ex.completeness('ig').gap[0]) < 0.2 * Math.abs(ex.completeness('ig').delta[0]));
  ex.dispose();
  // Forward passes alone (the scores of a batch, evaluate's rows) are split the same way.
  const batch = tf.randomUniform([steps, 64], 0, 1, 'float32', 11);
  const [whole, rowByRow] = await readAll([scoresOf(adaptModel(model), batch, 256), tf.concat(Array.from({ length: steps }, (_, i) => model(batch.slice(i, 1))))]);
  assert.ok(maxAbsDiff(whole, rowByRow) <= 1e-5 * Math.max(...rowByRow.map(Math.abs)), 'scores in chunks that fit');
  tf.dispose([w, x, batch]);
  delete process.env.PATHLENS_GPU_MEMORY_MB;
});
