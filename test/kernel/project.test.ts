// A notebook project of one's own, as the README tells a new user to make it before pathlens is on npm:
// a fresh folder, `npm install <packed pathlens tarball> @tensorflow/tfjs@4.22.0` (npm's cache first, as
// CI filled it with `npm ci`), `pathlens kernel install` from that folder's bin, and a notebook there run
// with nbclient on that kernel. Checked: one copy of tfjs-core, a heatmap (image/png), no cell writes to
// stderr (no "already registered", no tfjs banner), the labextension installed beside the kernelspec; and
// a notebook in a folder outside the project still imports pathlens and tfjs (from the kernel's
// installation). Needs Debian's python3-nbclient and npm's registry or cache; under CI a missing nbclient fails.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { jupyterEnv, missingPython, PYTHON, skipUnlessAvailable } from '../jupyter.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const TFJS = '@tensorflow/tfjs@4.22.0';

const skip = skipUnlessAvailable(missingPython(['nbclient', 'nbformat'], 'python3-nbclient'));

let work = '';
let project = '';
let env: NodeJS.ProcessEnv = {};
const seconds: Record<string, number> = {};

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): SpawnSyncReturns<string> {
  const started = Date.now();
  const r = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? env, encoding: 'utf8', timeout: options.timeoutMs ?? 300_000 });
  const what = [command, ...args.slice(0, 2)].map((a) => a.split(/[\\/]/).at(-1)).join(' ');
  seconds[what] = (seconds[what] ?? 0) + (Date.now() - started) / 1000;
  assert.equal(r.status, 0, `${what}: exit ${r.status}${r.error ? ` (${r.error.message})` : ''}\n--- stdout\n${r.stdout?.slice(-5000)}\n--- stderr\n${r.stderr?.slice(-5000)}`);
  return r;
}

type Output = { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> };
type Notebook = { cells: { cell_type: string; source: string; outputs?: Output[] }[]; metadata: Record<string, unknown> };

function notebook(cells: string[], expectMime: string[]): Notebook {
  return {
    cells: cells.map((source, i) => ({ cell_type: 'code', id: `c${i}`, metadata: {}, execution_count: null, outputs: [], source })),
    metadata: { kernelspec: { name: 'pathlens', display_name: 'TypeScript (pathlens)', language: 'typescript' }, pathlens: { expect_mime: expectMime } },
    nbformat: 4,
    nbformat_minor: 5,
  } as Notebook;
}

/** Runs every notebook in `dir` with run_notebooks.py (no errors, no stderr, expected mime types); returns the executed copies. */
function execute(dir: string): Notebook[] {
  const out = join(work, `executed-${dir.split(/[\\/]/).at(-1)}`);
  const r = run(PYTHON, [join(HERE, 'run_notebooks.py'), out], { cwd: dir, env: { ...env, PATHLENS_NOTEBOOKS: dir }, timeoutMs: 300_000 });
  assert.doesNotMatch(r.stderr, /already registered/, 'the kernel log has no duplicate-registration noise');
  return readdirSync(out).map((f) => JSON.parse(readFileSync(join(out, f), 'utf8')) as Notebook);
}

function cellText(nb: Notebook): string {
  return nb.cells.flatMap((c) => c.outputs ?? []).map((o) => [o.text ?? '', String(o.data?.['text/plain'] ?? '')].flat().join('')).join('\n');
}

before(() => {
  if (skip) return;
  // The package as it is now: library and kernel, widget bundles and labextension, then packed.
  run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { cwd: ROOT, env: process.env });
  run('npm', ['run', '--silent', 'build:widgets'], { cwd: ROOT, env: process.env });
  work = mkdtempSync(join(tmpdir(), 'pathlens-project-'));
  env = jupyterEnv(work);
  const packed = run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, env: process.env });
  const tarball = join(work, (JSON.parse(packed.stdout) as { filename: string }[])[0].filename);
  project = join(work, 'my-notebooks');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'my-notebooks', private: true }, null, 2));
  const npmEnv = { ...process.env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
  const installed = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, TFJS], { cwd: project, env: npmEnv, timeoutMs: 600_000 });
  const warnings = `${installed.stdout}\n${installed.stderr}`.split('\n').filter((l) => /\bwarn\b/i.test(l) && !/install-scripts/.test(l));
  console.log(`npm install: ${seconds['npm install --prefer-offline'].toFixed(1)} s, ${warnings.length} warning line(s)${warnings.length ? `:\n${warnings.join('\n')}` : ''}`);
  run(join(project, 'node_modules', '.bin', 'pathlens'), ['kernel', 'install', '--prefix', join(work, 'prefix')], { cwd: project });
});

after(() => {
  if (work && !process.env.PATHLENS_KEEP) rmSync(work, { recursive: true, force: true });
  if (Object.keys(seconds).length) console.log(`times (s): ${JSON.stringify(Object.fromEntries(Object.entries(seconds).map(([k, v]) => [k, Math.round(v * 10) / 10])))}`);
});

test("a fresh project folder with the packed tarball and tfjs has one tfjs-core, and its notebook shows a heatmap on the project's kernel without noise", { skip, timeout: 900_000 }, () => {
  const ls = spawnSync('npm', ['ls', '--all', '--parseable', '@tensorflow/tfjs-core'], { cwd: project, encoding: 'utf8' });
  const copies = new Set(ls.stdout.split('\n').filter(Boolean));
  assert.equal(copies.size, 1, `one tfjs-core: ${[...copies].join(', ')}`);
  const kernel = JSON.parse(readFileSync(join(work, 'prefix/share/jupyter/kernels/pathlens/kernel.json'), 'utf8'));
  assert.equal(kernel.argv[1], join(project, 'node_modules/pathlens/dist/kernel-ext/main.js'), "the kernel is the project's pathlens");
  assert.ok(existsSync(join(work, 'prefix/share/jupyter/labextensions/pathlens-jupyterlab/package.json')), 'the labextension is installed beside the kernelspec');
  const help = run(join(project, 'node_modules', '.bin', 'pathlens'), ['kernel', '--help'], { cwd: project });
  assert.match(help.stdout, /^usage: pathlens kernel install/);

  // What a user writes: tfjs first (touching the cpu backend, which prints tfjs's Node.js banner), then pathlens.
  const nb = notebook(
    [
      "import * as tf from '@tensorflow/tfjs';\nimport { explain } from 'pathlens';",
      "await tf.setBackend('cpu');\nconst x = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 7);\nx.shape",
      'const W = tf.randomNormal([64, 3], 0, 1, "float32", 3);\nconst model = (b: tf.Tensor) => tf.tidy(() => tf.softmax(tf.matMul(b.reshape([b.shape[0], 64]), W)));\nconst ex = await explain(model, x).gradient().ig({ steps: 16 });\nex.heatmap()',
    ],
    ['image/png', 'text/plain'],
  );
  writeFileSync(join(project, 'heatmap.ipynb'), JSON.stringify(nb));
  const [executed] = execute(project);
  const heatmap = executed.cells[2].outputs!.find((o) => o.data?.['image/png']);
  assert.ok(heatmap && String(heatmap.data!['image/png']).length > 1000, 'the last cell shows a heatmap');
  const text = cellText(executed);
  assert.doesNotMatch(text, /already registered/);
  assert.doesNotMatch(text, /looks like you are running TensorFlow\.js in Node\.js/);
});

test('a notebook in a folder outside the project imports pathlens and tfjs from the kernel’s installation (one copy)', { skip, timeout: 300_000 }, () => {
  const elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  const nb = notebook(
    [
      "import * as tf from '@tensorflow/tfjs';\nimport { explain } from 'pathlens';\nconst x = tf.tensor2d([[0.2, 0.7, 0.1]]);\nconst ex = await explain((b: tf.Tensor) => b.mul(tf.tensor1d([1, 2, 3])).sum(1, true), x).ig({ steps: 8 });\nconsole.log(JSON.stringify(await ex.attribution('ig').array()))",
      "require.resolve('@tensorflow/tfjs-core')",
    ],
    ['text/plain'],
  );
  writeFileSync(join(elsewhere, 'elsewhere.ipynb'), JSON.stringify(nb));
  const [executed] = execute(elsewhere);
  const printed = (executed.cells[0].outputs ?? []).map((o) => [o.text ?? ''].flat().join('')).join('');
  const attribution = JSON.parse(printed.trim()) as number[][];
  for (const [i, a] of attribution[0].entries()) assert.ok(Math.abs(a - [0.2, 1.4, 0.3][i]) < 1e-4, `IG of a linear model is w·x: ${printed}`);
  const resolved = String(executed.cells[1].outputs?.find((o) => o.data)?.data?.['text/plain'] ?? '');
  assert.ok(resolved.includes(join(project, 'node_modules', '@tensorflow', 'tfjs-core')), `tfjs-core comes from the project's installation: ${resolved}`);
});
