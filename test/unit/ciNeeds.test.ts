// The Jupyter and browser test files skip where Debian's packages are missing, but under CI they must
// fail: each file is run here with CI=true and a Python and a Chromium that do not exist.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FILES = ['test/kernel/kernel.test.ts', 'test/kernel/project.test.ts', 'test/widgets/widgets.test.ts', 'test/widgets/labextension.test.ts'];

function runFile(file: string, ci: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, PATHLENS_PYTHON: '/nonexistent/python3', PATHLENS_CHROMIUM: '/nonexistent/chromium' };
  delete env.CI;
  delete env.NODE_TEST_CONTEXT; // else node:test sees a nested run and skips the file
  if (ci !== undefined) env.CI = ci;
  // Under CI the file should stop at its needs; should it not, the name pattern keeps its tests from running.
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...(ci ? ['--test-name-pattern=^$'] : []), file], { cwd: ROOT, env, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

for (const file of FILES) {
  test(`${file} fails under CI=true when what it needs is missing`, { timeout: 120_000 }, () => {
    const r = runFile(file, 'true');
    assert.notEqual(r.status, 0, r.output.slice(-2000));
    assert.match(r.output, /CI is set, so this fails instead of skipping/);
  });
}

test('without CI the same file skips, naming what is missing', { timeout: 120_000 }, () => {
  const r = runFile('test/kernel/kernel.test.ts', undefined);
  assert.equal(r.status, 0, r.output.slice(-2000));
  assert.match(r.output, /\/nonexistent\/python3 cannot import jupyter_kernel_test.*python3-jupyter-kernel-test.*; skipped/);
});
