// Faithfulness of every method on real digits: insertion/deletion AUC, SIC/AIC (PIC) and completeness,
// mean with a 95% interval over N held-out MNIST digits, explained by the repo's digits CNN; plus the
// model-randomization sanity check. Writes bench/RESULTS-faithfulness.md and bench/faithfulness-chart.{json,html}.
// Run: `npm run bench:faithfulness` (wasm backend by default; env N = digits (default 100),
// IG2_REFERENCES (default 8), IG2_STEPS (default 201, the authors' settings), PATHLENS_BACKEND=cpu for cpu).
import * as tf from '@tensorflow/tfjs';
import { plotlyFigureHtml, plotlyLoaderHtml } from '../src/display/plotlyHtml.js';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { ensureBackend, evaluateAttributions, explain, fileModel, meanInterval, metricsFigure, modelRandomization, summaryCurves, type EvaluationResult } from '../src/index.js';
import { loadDigits } from '../examples/digits.js';

const N = Number(process.env.N ?? 100);
const R = Number(process.env.IG2_REFERENCES ?? 8);
const IG2_STEPS = Number(process.env.IG2_STEPS ?? 201);
const started = performance.now();
const load = loadavg()[0];
const backend = await ensureBackend();
const model = await tf.loadLayersModel(fileModel('examples/models/digits-cnn/model.json'));
const perClass = Math.ceil(N / 10);
const test = loadDigits('test', perClass);
const x = test.images.slice(0, N);
const labels = test.labels.slice(0, N);
const pool = loadDigits('train', 20).images; // IG2's counterfactual references come from training digits

const methodsNote: Record<string, string> = {
  gradient: 'input gradient',
  smoothGrad: 'SmoothGrad of the gradient, 25 samples, σ = 0.15 · range',
  ig: 'IG, 50 Gauss–Legendre steps, black baseline',
  blurIG: 'Blur IG, σ up to 50, 100 steps',
  guidedIG: 'Guided IG, 200 steps, fraction 0.05, maxDist 0.02, black baseline (fraction counts all 784 pixels, as the reference does; only ~19% differ from black, so the default 0.25 would select them all at every step and give IG)',
  ig2: `IG2, ${R} references from 200 training digits, ${IG2_STEPS} steps (the authors' ImageNet setting is 8 × 201), explaining the model output (softmax)`,
  random: 'control: uniform random attribution (seed 1)',
};

console.log(`faithfulness: ${N} digits, backend ${backend.name}`);
const explainStarted = performance.now();
const ex = await explain(model, x, { internalBatchSize: 64 })
  .gradient()
  .smoothGrad({ seed: 1 })
  .ig()
  .blurIG()
  .guidedIG({ fraction: 0.05 })
  .ig2({ references: { pool, count: R }, steps: IG2_STEPS })
  .run({ onProgress: (p) => p.step === p.steps && console.log(`  ${p.method}: ${(p.elapsedMs / 1000).toFixed(1)} s`) });
const explainSeconds = (performance.now() - explainStarted) / 1000;
const accuracy = labels.filter((l, b) => ex.targets[b] === l).length / N;

const attributions: Record<string, tf.Tensor> = Object.fromEntries(ex.methods.map((m) => [m, ex.attribution(m)]));
attributions.random = tf.randomUniform(x.shape, 0, 1, 'float32', 1);
const evaluateStarted = performance.now();
const r: EvaluationResult = await evaluateAttributions(model, x, attributions, {
  target: ex.targets,
  // 1% of a 28×28 digit is 7 random pixels: a stroke pixel among them turns the "fully blurred" image
  // into grey ramps that compress worse than the digit, and most digits are skipped (19 of 30 in a trial).
  // The corners only, here.
  randomMaskFraction: 0,
});
const evaluateSeconds = (performance.now() - evaluateStarted) / 1000;

const randomizationStarted = performance.now();
const sanityX = x.slice(0, Math.min(N, 20));
const plan = (b: ReturnType<typeof explain>) => b.gradient().smoothGrad({ seed: 1 }).ig().blurIG().guidedIG({ fraction: 0.05 }).ig2({ references: { pool, count: R }, steps: IG2_STEPS });
const sanityAbs = await modelRandomization(model, sanityX, plan, { seed: 5 });
const sanitySigned = await modelRandomization(model, sanityX, plan, { seed: 5, absolute: false });
const randomizationSeconds = (performance.now() - randomizationStarted) / 1000;
const wallSeconds = (performance.now() - started) / 1000;

// ---- tables
const methods = r.methods;
const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '–');
const cell = (values: number[]) => {
  const m = meanInterval(values);
  return m.n === 0 ? '–' : `${fmt(m.mean)} [${fmt(m.low)}, ${fmt(m.high)}]${m.n < N ? ` (n=${m.n})` : ''}`;
};
const diffID = (m: string) => r.scores[m].insertion!.map((v, b) => v - r.scores[m].deletion![b]);
const completeness = (m: string) => (m === 'random' ? [] : ex.completeness(m).gap.map((g, b) => Math.abs(g) / Math.max(1e-12, Math.abs(ex.completeness(m).delta[b]))));
const rows = methods.map((m) => {
  const med = (metric: 'sic' | 'aic') => fmt(r.aggregate[m][metric]?.auc ?? NaN);
  return `| ${m} | ${cell(r.scores[m].insertion!)} | ${cell(r.scores[m].deletion!)} | ${cell(diffID(m))} | ${cell(r.scores[m].sic!)} | ${med('sic')} | ${cell(r.scores[m].aic!)} | ${med('aic')} | ${cell(completeness(m))} |`;
});
/** Mean of a − b per example with its 95% interval (paired). */
const paired = (a: number[], b: number[]) => meanInterval(a.map((v, i) => v - b[i]));
const claim = (label: string, a: string, b: string, metric: 'sic' | 'aic' | 'insertion' | 'deletion' | 'diffID', higherIsBetter = true) => {
  const [va, vb] = metric === 'diffID' ? [diffID(a), diffID(b)] : [r.scores[a][metric]!, r.scores[b][metric]!];
  const d = paired(va, vb);
  // Holds if the whole interval of the difference is on the better side; reversed if it is all on the worse side.
  const [better, worse] = higherIsBetter ? [d.low > 0, d.high < 0] : [d.high < 0, d.low > 0];
  const v = better ? 'holds' : worse ? 'reversed (significantly)' : 'not significant (the interval contains 0)';
  return `| ${label} | ${metric} | ${fmt(d.mean)} [${fmt(d.low)}, ${fmt(d.high)}] (n=${d.n}) | ${v} |`;
};
const claims = [
  claim('Guided IG beats IG', 'guidedIG', 'ig', 'sic'),
  claim('Guided IG beats IG', 'guidedIG', 'ig', 'aic'),
  claim('Guided IG beats IG', 'guidedIG', 'ig', 'insertion'),
  claim('Guided IG beats IG', 'guidedIG', 'ig', 'deletion', false),
  ...['ig', 'guidedIG', 'gradient', 'smoothGrad', 'blurIG'].flatMap((other) => [
    claim(`IG2 beats ${other}`, 'ig2', other, 'insertion'),
    claim(`IG2 beats ${other}`, 'ig2', other, 'deletion', false),
    claim(`IG2 beats ${other}`, 'ig2', other, 'diffID'),
  ]),
];
const sanityRow = (res: typeof sanityAbs, m: string) => `| ${m} | ${res.meanCorrelation[m].map(fmt).join(' | ')} |`;
const skippedSic = r.skipped.sic!.filter((s) => s !== null);
const skippedAic = r.skipped.aic!.filter((s) => s !== null);
const date = new Date().toISOString().slice(0, 10);
const md = `# bench/faithfulness results

Date: ${date}. Backend: **${backend.name}**. Machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, load average at start ${load.toFixed(2)}. Node ${process.version}, @tensorflow/tfjs ${tf.version.tfjs}.
Wall time: **${wallSeconds.toFixed(0)} s** (attributions ${explainSeconds.toFixed(0)} s, metrics ${evaluateSeconds.toFixed(0)} s, sanity check ${randomizationSeconds.toFixed(0)} s).
Command: \`npm run bench:faithfulness\` (N=${N}, IG2_REFERENCES=${R}, IG2_STEPS=${IG2_STEPS}).

Data: the first ${N} held-out MNIST digits of \`examples/digits.ts\` (${perClass} per class, test split), explained for the class the
digits CNN (\`examples/models/digits-cnn\`, 7k parameters) predicts; it classifies ${(accuracy * 100).toFixed(0)}% of them correctly.

Methods: ${Object.entries(methodsNote).map(([k, v]) => `\`${k}\` = ${v}`).join('; ')}.

Metrics (\`ex.evaluate\` defaults unless said): insertion and deletion = AUC of the class probability while the pixels are revealed into / removed
from a Gaussian blur of the digit (σ = 5) in order of Σ_channels attribution (signed), 51 points; DiffID = insertion − deletion;
SIC and AIC as in the Guided IG paper (PAIR \`compute_pic_metric\`, 13 thresholds, |attribution| saliency, min prediction 0.8,
1001-point curves), per-example AUC (mean [95% CI] over the scored digits) and the AUC of the per-point **median** curve (the papers'
aggregate); random mask: corners only (\`randomMaskFraction: 0\`, see below). Entropy = lossless WebP size (libwebp in WebAssembly, \`@jsquash/webp\`; it reproduces the reference's
byte counts on the PIC fixtures exactly). Completeness = |Σ attribution − (f(x) − f(baseline))| / |f(x) − f(baseline)| per example
(the method's own baseline; IG2: its GradCF end points; not meaningful for gradient and SmoothGrad, which are not path methods).
Intervals: mean ± t₀.₉₇₅ · s/√n.

| method | insertion ↑ | deletion ↓ | DiffID ↑ | SIC ↑ (per digit) | SIC ↑ (median curve) | AIC ↑ (per digit) | AIC ↑ (median curve) | completeness error ↓ |
|---|---|---|---|---|---|---|---|---|
${rows.join('\n')}

SIC/AIC skipped digits (the reference's ComputePicMetricError): SIC ${skippedSic.length} of ${N}, AIC ${skippedAic.length} of ${N}
(${[...new Set([...skippedSic, ...skippedAic].map((s) => s!.replace(/[\d.]+/g, '#')))].join('; ')}).

## The papers' claims here (paired differences, mean [95% CI])

| claim | metric | difference | verdict |
|---|---|---|---|
${claims.join('\n')}

## Model-randomization sanity check (Adebayo et al. 2018, cascading from the top)

Mean Spearman ρ between the attributions of the trained CNN and of the CNN with its top layers randomized (${sanityX.shape[0]} digits;
columns: after randomizing ${sanityAbs.layers.map((l, i) => `${i + 1}: + ${l}`).join(', ')}). Low = the method depends on the learned weights.

|absolute| attributions:

| method | ${sanityAbs.layers.map((_, i) => `${i + 1} layer${i ? 's' : ''}`).join(' | ')} |
|---|${sanityAbs.layers.map(() => '---').join('|')}|
${sanityAbs.methods.map((m) => sanityRow(sanityAbs, m)).join('\n')}

signed attributions:

| method | ${sanitySigned.layers.map((_, i) => `${i + 1} layer${i ? 's' : ''}`).join(' | ')} |
|---|${sanitySigned.layers.map(() => '---').join('|')}|
${sanitySigned.methods.map((m) => sanityRow(sanitySigned, m)).join('\n')}
`;
// Notes written by hand below the marker survive a re-run.
const MARKER = '<!-- notes: kept across runs -->';
const previous = existsSync('bench/RESULTS-faithfulness.md') ? readFileSync('bench/RESULTS-faithfulness.md', 'utf8') : '';
const notes = previous.includes(MARKER) ? previous.slice(previous.indexOf(MARKER)) : `${MARKER}\n`;
writeFileSync('bench/RESULTS-faithfulness.md', `${md}\n${notes}`);

// ---- chart: the metric curves (mean / median) and the per-metric means with their intervals
const curves = metricsFigure(summaryCurves(r), `Faithfulness on ${N} MNIST digits (${backend.name}, ${date})`);
const bars = {
  data: methods.map((m) => {
    const metrics = ['insertion', 'deletion', 'sic', 'aic'] as const;
    const stats = metrics.map((k) => meanInterval(r.scores[m][k]!));
    return { type: 'bar', name: m, x: metrics.map((k) => k.toUpperCase()), y: stats.map((s) => s.mean), error_y: { type: 'data', symmetric: false, array: stats.map((s) => s.high - s.mean), arrayminus: stats.map((s) => s.mean - s.low) } };
  }),
  layout: { title: { text: `Mean AUC per digit with 95% intervals (N = ${N}; deletion: lower is better)` }, barmode: 'group', yaxis: { range: [0, 1] }, height: 420 },
};
const rounded = (_: string, v: unknown) => (typeof v === 'number' ? Number(v.toPrecision(4)) : v);
writeFileSync('bench/faithfulness-chart.json', JSON.stringify({ curves, bars }, rounded));
// Offline: plotly.js goes inline (about 4.8 MB), so the page is generated, not committed.
writeFileSync(
  'bench/faithfulness-chart.html',
  `<!doctype html><meta charset="utf-8"><title>pathlens faithfulness</title>\n${plotlyLoaderHtml()}` +
    [bars, curves].map((figure) => plotlyFigureHtml(JSON.parse(JSON.stringify(figure, rounded)))).join('\n'),
);
console.log(md);
ex.dispose();
tf.dispose([x, test.images, pool, attributions.random, sanityX]);
