// A notebook on the pathlens kernel with PATHLENS_BACKEND=webgpu: the backend line, the default view,
// a heatmap, a trajectory, the report and the path player come out on webgpu (llvmpipe without a GPU).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { jupyterEnv, PYTHON } from '../jupyter.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');

test('a notebook cell\'s backend line, heatmap, trajectory, report and player come out on webgpu', () => {
  const work = mkdtempSync(join(tmpdir(), 'pathlens-webgpu-nb-'));
  try {
    const env = { ...jupyterEnv(work), PATHLENS_BACKEND: 'webgpu', PATHLENS_NOTEBOOKS: join(HERE, 'notebook') };
    const node = (args: string[]) => spawnSync(process.execPath, args, { cwd: ROOT, env, encoding: 'utf8', timeout: 300_000 });
    const build = node([join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', join(ROOT, 'tsconfig.build.json')]);
    assert.equal(build.status, 0, build.stdout + build.stderr);
    const install = node([join(ROOT, 'dist', 'kernel-ext', 'cli.js'), 'kernel', 'install', '--prefix', join(work, 'prefix')]);
    assert.equal(install.status, 0, install.stdout + install.stderr);
    const out = join(work, 'executed');
    const r = spawnSync(PYTHON, [join(ROOT, 'test', 'kernel', 'run_notebooks.py'), out], { cwd: ROOT, env, encoding: 'utf8', timeout: 600_000 });
    assert.equal(r.status, 0, `${r.stdout.slice(-4000)}\n${r.stderr.slice(-4000)}`);
    console.log(`# ${r.stdout.split('\n').find((l) => l.startsWith('ok'))}`);
    const executed = JSON.parse(readFileSync(join(out, 'webgpu.ipynb'), 'utf8')) as { cells: Array<{ outputs: Array<{ data?: Record<string, unknown> }> }> };
    const text = (cell: number) => executed.cells[cell].outputs.map((o) => [o.data?.['text/plain']].flat().join('')).join('\n');
    assert.match(text(0), /webgpu: .+; PATHLENS_BACKEND=webgpu/);
    assert.match(text(4), /webgpu: report of \d+ characters/);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
});
