/**
 * Input gradients per second on wasm and cpu through pathlens's oracle (what explain() runs), next to
 * PyTorch on the same architectures and CPU (bench/torch_gradients.py, Debian's python3-torch).
 * Usage: node --import tsx bench/gradients.ts [--write]   (--write updates bench/RESULTS-gradients.md)
 * BENCH_CPU_224=1 also times one cpu gradient of each 224×224 model (about 100 s each).
 */
import * as tf from '@tensorflow/tfjs';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { adaptModel } from '../src/model.js';
import { createOracle } from '../src/oracle.js';
import { loadEmotionModel } from '../test/pretrained.js';
import { cnn32, mlp784, mobilenet224, resnet10 } from './models.js';

const here = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

interface Subject {
  name: string;
  inputShape: number[];
  classes: number;
  model: tf.LayersModel | tf.GraphModel;
  batches: number[];
  /** Batch for the cpu backend, or null to skip it (with the reason). */
  cpu: number | string;
  torch: boolean;
}

interface Row {
  model: string;
  batch: number;
  wasm?: number;
  cpu?: number | string;
  torch1?: number;
  torch2?: number;
}

/** Median gradients/s of `run` (which computes `batch` gradients), within a time budget. */
function gradientsPerSecond(batch: number, run: () => void, budgetMs = 4000, minRuns = 3): number {
  let t = performance.now();
  run();
  if (performance.now() - t < 2000) run();
  const times: number[] = [];
  const started = performance.now();
  while (times.length < minRuns || (times.length < 9 && performance.now() - started < budgetMs)) {
    t = performance.now();
    run();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return batch / (times[Math.floor(times.length / 2)] / 1000);
}

async function timeOn(backend: 'wasm' | 'cpu', subject: Subject, batch: number, single = false): Promise<number> {
  await tf.setBackend(backend);
  const oracle = createOracle(adaptModel(subject.model), subject.classes, 64);
  const x = tf.randomUniform([batch, ...subject.inputShape], 0, 1, 'float32', 7);
  const targets = Array.from({ length: batch }, (_, i) => i % subject.classes);
  const run = () => {
    const { value, grad } = oracle.valueAndGrad(x, targets);
    grad.dataSync();
    tf.dispose([value, grad]);
  };
  try {
    if (single) {
      const t = performance.now();
      run();
      return batch / ((performance.now() - t) / 1000);
    }
    return gradientsPerSecond(batch, run);
  } finally {
    x.dispose();
  }
}

// Without OpenBLAS, Debian's torch runs on the reference BLAS and is 8–20× slower (measured here):
// a flattering and meaningless comparison. The BLAS in use is printed with the table.
const OPENBLAS = '/usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3';

function torchAvailable(): boolean {
  const ok = () => spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0 && existsSync(OPENBLAS);
  if (ok()) return true;
  if (process.getuid?.() === 0) {
    console.log('installing python3-torch and libopenblas0-pthread (apt-get)...');
    spawnSync('apt-get', ['install', '-y', '-qq', 'python3-torch', 'libopenblas0-pthread'], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  }
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

function blasInUse(): string {
  const r = spawnSync('readlink', ['-f', '/etc/alternatives/libblas.so.3-x86_64-linux-gnu'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown BLAS';
}

function fmt(v: number | string | undefined): string {
  if (v === undefined) return '–';
  if (typeof v === 'string') return v;
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

async function main(): Promise<void> {
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  const subjects: Subject[] = [
    { ...cnn32(), classes: 10, batches: [1, 8, 32], cpu: 8, torch: true },
    { ...mlp784(), classes: 10, batches: [1, 8, 64], cpu: 8, torch: true },
    { ...mobilenet224(), classes: 1000, batches: [1, 8], cpu: process.env.BENCH_CPU_224 ? 1 : 'skipped (≈100 s per gradient)', torch: true },
    { ...resnet10(), name: 'resnet10_224', classes: 1000, batches: [1, 8], cpu: process.env.BENCH_CPU_224 ? 1 : 'skipped (≈140 s per gradient)', torch: true },
    { name: 'human-emotion', inputShape: [64, 64, 1], classes: 7, model: await loadEmotionModel(), batches: [1, 8], cpu: 1, torch: false },
  ];
  const rows: Row[] = [];
  for (const s of subjects) {
    for (const batch of s.batches) {
      const row: Row = { model: s.name, batch, wasm: await timeOn('wasm', s, batch) };
      if (typeof s.cpu === 'number' && batch === s.batches[Math.min(1, s.batches.length - 1)]) {
        const single = s.inputShape.length === 3 && s.inputShape[0] >= 64;
        row.cpu = await timeOn('cpu', s, s.cpu, single);
        if (s.cpu !== batch) row.cpu = `${fmt(row.cpu)} (b=${s.cpu}${single ? ', one timed gradient' : ''})`;
      } else if (typeof s.cpu === 'string' && batch === 1) row.cpu = s.cpu;
      rows.push(row);
      console.log(JSON.stringify(row));
    }
  }

  const plan = subjects.filter((s) => s.torch).flatMap((s) => s.batches.map((batch) => ({ model: s.name, batch })));
  let torchVersion = 'not available';
  if (torchAvailable()) {
    torchVersion = execFileSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' }).trim();
    const out = execFileSync(PYTHON, [join(here, 'torch_gradients.py'), JSON.stringify(plan)], { encoding: 'utf8' });
    for (const line of out.trim().split('\n')) {
      const r = JSON.parse(line) as { model: string; batch: number; threads: number; gradsPerSec: number };
      const row = rows.find((x) => x.model === r.model && x.batch === r.batch)!;
      if (r.threads === 1) row.torch1 = r.gradsPerSec;
      else row.torch2 = r.gradsPerSec;
    }
  }

  const cpuModel = os.cpus()[0]?.model ?? 'unknown CPU';
  const header = [
    `Date: ${new Date().toISOString().slice(0, 10)}. Machine: ${os.cpus().length} × ${cpuModel}, ${Math.round(os.totalmem() / 2 ** 30)} GiB, load average at start ${os.loadavg()[0].toFixed(2)}.`,
    `Node ${process.version}, @tensorflow/tfjs ${tf.version.tfjs}, wasm backend with 1 thread (SIMD), pathlens kernels and input-only gradients; PyTorch ${torchVersion} (Debian python3-torch, BLAS ${blasInUse()}) with 1 and 2 threads. cpu for 224 models: see the notes in the row.`,
    '',
    'Gradients per second of one class probability with respect to the input (median); ratio = wasm ÷ the better of torch t1 and t2.',
    '',
    '| model | batch | wasm | cpu | torch t1 | torch t2 | wasm ÷ torch |',
    '|---|---|---|---|---|---|---|',
  ];
  const lines = rows.map((r) => {
    const best = Math.max(r.torch1 ?? 0, r.torch2 ?? 0);
    const ratio = best > 0 && r.wasm ? (r.wasm / best).toFixed(3) : '–';
    return `| ${r.model} | ${r.batch} | ${fmt(r.wasm)} | ${fmt(r.cpu)} | ${fmt(r.torch1)} | ${fmt(r.torch2)} | ${ratio} |`;
  });
  const table = [...header, ...lines].join('\n');
  console.log('\n' + table);
  if (process.argv.includes('--write')) {
    const path = join(here, 'RESULTS-gradients.md');
    writeFileSync(path, `# bench/gradients results\n\n${table}\n`);
    console.log(`\nwritten to ${path}${existsSync(path) ? '' : ' (failed)'}`);
  }
}

await main();
