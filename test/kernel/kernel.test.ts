// Drives the real `pathlens` kernel: installs it into a temporary prefix with the CLI, then runs
// Jupyter's kernel test suite, the comm/robustness tests, the interrupt and hostile-input tests and every notebook with Debian's Python
// (jupyter_kernel_test, jupyter_client, nbclient). Needs those Debian packages (.ci/run installs them);
// without them the tests are skipped, except under CI where they fail (test/jupyter.ts).
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { jupyterEnv, missingPython, PYTHON, skipUnlessAvailable } from '../jupyter.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const CLI = join(ROOT, 'dist', 'kernel-ext', 'cli.js');

const skip = skipUnlessAvailable(missingPython(['jupyter_kernel_test', 'jupyter_client', 'nbclient'], 'python3-jupyter-kernel-test python3-jupyter-client python3-nbclient'));

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

test('kernel install/uninstall write and remove the kernelspec and the labextension beside it; --help prints usage; bad arguments are usage errors', { skip }, () => {
  const prefix = join(work, 'cli-prefix');
  const spec = join(prefix, 'share', 'jupyter', 'kernels', 'pathlens', 'kernel.json');
  const labextension = join(prefix, 'share', 'jupyter', 'labextensions', 'pathlens-jupyterlab');
  const installed = run(process.execPath, [CLI, 'kernel', 'install', `--prefix=${prefix}`]);
  assert.equal(installed.status, 0, explainFailure(installed));
  assert.match(installed.stdout, /Installed JupyterLab extension pathlens-jupyterlab in .*labextensions[\\/]pathlens-jupyterlab/);
  const kernel = JSON.parse(readFileSync(spec, 'utf8'));
  assert.equal(kernel.display_name, 'TypeScript (pathlens)');
  assert.equal(kernel.language, 'typescript');
  assert.equal(kernel.interrupt_mode, 'signal');
  assert.deepEqual(kernel.argv.slice(1), [join(ROOT, 'dist', 'kernel-ext', 'main.js'), '{connection_file}']);
  // The labextension as JupyterLab finds it: its package.json names the federated entry, which is there.
  const meta = JSON.parse(readFileSync(join(labextension, 'package.json'), 'utf8'));
  assert.equal(meta.name, 'pathlens-jupyterlab');
  assert.ok(existsSync(join(labextension, meta.jupyterlab._build.load)), 'the remoteEntry is installed');
  assert.deepEqual(readdirSync(join(labextension, 'static')).sort(), readdirSync(join(ROOT, 'dist', 'labextension', 'static')).sort());
  const user = run(process.execPath, [CLI, 'kernel', 'install', '--user']);
  assert.equal(user.status, 0, explainFailure(user));
  assert.ok(existsSync(join(env.JUPYTER_DATA_DIR!, 'kernels', 'pathlens', 'kernel.json')), '--user honours JUPYTER_DATA_DIR');
  assert.ok(existsSync(join(env.JUPYTER_DATA_DIR!, 'labextensions', 'pathlens-jupyterlab', 'package.json')), 'and puts the labextension there too');
  const removed = run(process.execPath, [CLI, 'kernel', 'uninstall', '--prefix', prefix]).stdout;
  assert.match(removed, /Removed kernelspec pathlens/);
  assert.match(removed, /Removed JupyterLab extension pathlens-jupyterlab/);
  assert.ok(!existsSync(spec) && !existsSync(labextension));
  assert.match(run(process.execPath, [CLI, 'kernel', 'uninstall', '--prefix', prefix]).stdout, /nothing removed/);
  for (const help of [['--help'], ['-h'], ['kernel', '--help'], ['kernel', 'install', '--help']]) {
    const r = run(process.execPath, [CLI, ...help]);
    assert.equal(r.status, 0, `${help.join(' ')}: ${explainFailure(r)}`);
    assert.match(r.stdout, /^usage: pathlens kernel install \[--user \| --prefix DIR\][\s\S]*--prefix DIR/, help.join(' '));
  }
  const bad = run(process.execPath, [CLI, 'kernel', 'install', '--global']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown option '--global'[\s\S]*usage: pathlens/);
  assert.equal(run(process.execPath, [CLI]).status, 2, 'no command is a usage error');
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

test("a graceful shutdown after the automatic backend choice (Dawn loaded) exits 0, without 'terminate called'", { skip }, () => {
  const r = run(PYTHON, ['-m', 'unittest', '-v', 'test_shutdown'], { cwd: HERE });
  assert.equal(r.status, 0, explainFailure(r));
  assert.match(r.stderr, /\nOK/);
  console.log(`${r.stdout}${r.stderr}`.split('\n').filter((l) => l.includes('TIMING') || l.includes('backend:')).join('\n'));
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
