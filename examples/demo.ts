// The pathlens demo: explain a small digit classifier (shipped in examples/models/) on a few real
// handwritten digits with every method, print how complete each attribution is and how long it took,
// and write report.html (heatmaps, path trajectories, completeness; opens offline in any browser).
// Run: `npm run demo`.
import * as tf from '@tensorflow/tfjs';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { backendInfo, ensureBackend, explain, fileModel } from '../src/index.js';
import { loadDigits } from './digits.js';

const backend = await ensureBackend();
const model = await tf.loadLayersModel(fileModel(new URL('./models/digits-cnn/model.json', import.meta.url).pathname));
const test = loadDigits('test', 1); // one held-out digit per class
const x = test.images.slice(0, 4);
const pool = loadDigits('train', 10).images; // counterfactual references for IG2 come from here

const started = performance.now();
const ex = await explain(model, x)
  .gradient()
  .gradientXInput()
  .smoothGrad({ samples: 16, seed: 1 })
  .ig({ keepPath: true })
  .guidedIG({ keepPath: true })
  .ig2({ references: { pool, count: 8 }, clip: [0, 1], keepPath: true })
  .blurIG({ maxSigma: 8, keepPath: true });
const total = performance.now() - started;

const predicted = (model.predict(x) as tf.Tensor).argMax(1).arraySync() as number[];
console.log(`pathlens demo: digits CNN (${model.countParams()} parameters), ${x.shape[0]} held-out digits`);
console.log(`labels ${test.labels.slice(0, 4).join(' ')}; explained class (predicted) ${predicted.join(' ')}`);
console.log(`backend ${backendInfo().reason}\n`);

const rows = ex.methods.map((name) => {
  const { completeness: c, timeMs, gradientRows } = ex.record(name);
  const meanAbs = (v: number[]) => v.reduce((s, g) => s + Math.abs(g), 0) / v.length;
  const relative = meanAbs(c.gap.map((g, b) => g / (Math.abs(c.delta[b]) || 1)));
  return [name, meanAbs(c.gap).toExponential(2), relative.toExponential(2), String(gradientRows), timeMs.toFixed(0)];
});
const header = ['method', 'mean |gap|', 'mean |gap|/|Δf|', 'gradients', 'time (ms)'];
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
console.log(line(header));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
rows.forEach((r) => console.log(line(r)));
console.log(`\ngap = Σ attribution − (f(x) − f(baseline)); Δf = f(x) − f(baseline). Total ${(total / 1000).toFixed(1)} s on ${backend.name}.`);
console.log('Gradient, gradient × input and SmoothGrad are not path methods: their gap is not expected to be small.');

const report = resolve('report.html');
const html = ex.toHTML({ title: 'pathlens demo: digits CNN', classNames: ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'] });
writeFileSync(report, html);
console.log(`\nWrote ${report} (${(Buffer.byteLength(html) / 1e6).toFixed(1)} MB, self-contained: open it in a browser, no network needed).`);

ex.dispose();
tf.dispose([x, pool, test.images]);
model.dispose();
