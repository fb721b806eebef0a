// Drives the real `pathlens` kernel: installs it into a temporary prefix with the CLI, then runs
// Jupyter's kernel test suite, the comm/robustness tests, the interrupt and hostile-input tests and every notebook with Debian's Python
// (jupyter_kernel_test, jupyter_client, nbclient). Needs those Debian packages (.ci/run installs them);
// without them the tests are skipped, except under CI where they fail.
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { jupyterEnv, PYTHON } from '../jupyter.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const CLI = join(ROOT, 'dist', 'kernel-ext', 'cli.js');

const probe = spawnSync(PYTHON, ['-c', 'import jupyter_kernel_test, jupyter_client, nbclient'], { encoding: 'utf8' });
const missing = probe.status === 0 ? undefined : `Debian's python3-jupyter-kernel-test and python3-nbclient are needed (${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)})`;
if (missing && process.env.CI) throw new Error(missing);
const skip = missing ? `${missing}; skipped` : false;

let work = '';
let env: NodeJS.ProcessEnv = {};

function run(command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd: options.cwd ?? ROOT, env: options.env ?? env, encoding: 'utf8', timeout: options.timeoutMs ?? 300_000 });
}

function explainFailure(r: SpawnSyncReturns<string>): string {
  return `exit ${r.status}${r.error ? ` (${r.error.message})` : ''}\n--- stdout\n${r.stdout.slice(-6000)}\n--- stderr\n${r.stderr.slice(-6000)}`;
}

before(() => {
  if (skip) return;
  // Test what the sources say now, not a stale build.
  const build = run(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')], { env: process.env });
  assert.equal(build.status, 0, `build failed: ${explainFailure(build)}`);
  const link = run(process.execPath, [join(ROOT, 'notebooks', 'link-pathlens.mjs')], { env: process.env });
  assert.equal(link.status, 0, explainFailure(link));
  work = mkdtempSync(join(tmpdir(), 'pathlens-kernel-'));
  env = jupyterEnv(work);
  const install = run(process.execPath, [CLI, 'kernel', 'install', '--prefix', join(work, 'prefix')]);
  assert.equal(install.status, 0, explainFailure(install));
});

after(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

test('kernel install/uninstall write and remove the pathlens kernelspec; bad arguments are usage errors', { skip }, () => {
  const prefix = join(work, 'cli-prefix');
  const spec = join(prefix, 'share', 'jupyter', 'kernels', 'pathlens', 'kernel.json');
  assert.equal(run(process.execPath, [CLI, 'kernel', 'install', `--prefix=${prefix}`]).status, 0);
  const kernel = JSON.parse(readFileSync(spec, 'utf8'));
  assert.equal(kernel.display_name, 'TypeScript (pathlens)');
  assert.equal(kernel.language, 'typescript');
  assert.equal(kernel.interrupt_mode, 'signal');
  assert.deepEqual(kernel.argv.slice(1), [join(ROOT, 'dist', 'kernel-ext', 'main.js'), '{connection_file}']);
  const user = run(process.execPath, [CLI, 'kernel', 'install', '--user']);
  assert.equal(user.status, 0, explainFailure(user));
  assert.ok(existsSync(join(env.JUPYTER_DATA_DIR!, 'kernels', 'pathlens', 'kernel.json')), '--user honours JUPYTER_DATA_DIR');
  assert.match(run(process.execPath, [CLI, 'kernel', 'uninstall', '--prefix', prefix]).stdout, /Removed kernelspec pathlens/);
  assert.ok(!existsSync(spec));
  assert.match(run(process.execPath, [CLI, 'kernel', 'uninstall', '--prefix', prefix]).stdout, /nothing removed/);
  const bad = run(process.execPath, [CLI, 'kernel', 'install', '--global']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option '--global'/);
});

test("Jupyter's kernel test suite (jupyter_kernel_test) passes against the pathlens kernel", { skip }, () => {
  const r = run(PYTHON, ['-m', 'unittest', '-v', 'test_kernel_suite'], { cwd: HERE });
  assert.equal(r.status, 0, explainFailure(r));
  assert.match(r.stderr, /Ran \d+ tests/);
  console.log(r.stderr.split('\n').filter((l) => /^(Ran|OK|FAILED)/.test(l)).join('; '));
});

test('comms with binary buffers, malformed/unknown messages, stop-on-error, interrupt and shutdown', { skip }, () => {
  const r = run(PYTHON, ['-m', 'unittest', '-v', 'test_comms'], { cwd: HERE });
  assert.equal(r.status, 0, explainFailure(r));
  assert.match(r.stderr, /\nOK/);
});

test('interrupts stop the work (Guided IG, loops, pending awaits); hostile messages and cells cannot corrupt or end the kernel', { skip }, () => {
  const r = run(PYTHON, ['-m', 'unittest', '-v', 'test_hardening'], { cwd: HERE });
  assert.equal(r.status, 0, explainFailure(r));
  assert.match(r.stderr, /\nOK/);
  console.log(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('TIMING')).map((l) => l.slice(l.indexOf('TIMING'))).join('\n'));
});

test('every notebook runs on the pathlens kernel without errors and shows its expected mime types', { skip }, () => {
  const r = run(PYTHON, [join(HERE, 'run_notebooks.py')], { timeoutMs: 600_000 });
  assert.equal(r.status, 0, explainFailure(r));
  console.log(r.stdout.split('\n').filter((l) => /^(ok|FAIL)/.test(l)).join('\n'));
});

test('the notebook check fails on a cell error and on a missing expected mime type', { skip }, () => {
  const dir = join(work, 'broken-notebooks');
  mkdirSync(dir, { recursive: true });
  const notebook = (source: string, expect: string[]) => ({
    cells: [{ cell_type: 'code', id: 'c0', metadata: {}, execution_count: null, outputs: [], source }],
    metadata: { kernelspec: { name: 'pathlens', display_name: 'TypeScript (pathlens)', language: 'typescript' }, pathlens: { expect_mime: expect } },
    nbformat: 4,
    nbformat_minor: 5,
  });
  writeFileSync(join(dir, 'a-error.ipynb'), JSON.stringify(notebook("throw new Error('broken on purpose')", ['text/plain'])));
  writeFileSync(join(dir, 'b-mime.ipynb'), JSON.stringify(notebook('1 + 1', ['image/png'])));
  const r = run(PYTHON, [join(HERE, 'run_notebooks.py')], { env: { ...env, PATHLENS_NOTEBOOKS: dir } });
  assert.equal(r.status, 1, explainFailure(r));
  assert.match(r.stdout, /FAIL a-error\.ipynb[\s\S]*broken on purpose/);
  assert.match(r.stdout, /FAIL b-mime\.ipynb[\s\S]*missing from the outputs: \['image\/png'\]/);
});
