// What the Jupyter-driving tests share: Debian's Python and a Jupyter environment confined to a temporary
// folder, and the rule for what they need: skipped where it is missing, failed under CI.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's own Python, which has Jupyter; the python3 first on PATH may not. PATHLENS_PYTHON overrides it. */
export const PYTHON = process.env.PATHLENS_PYTHON ?? '/usr/bin/python3';

/** Debian's Chromium, driven by playwright-core (which downloads no browser). */
export const CHROMIUM = process.env.PATHLENS_CHROMIUM ?? '/usr/bin/chromium';

/** The Debian packages these tests need, for the messages (.ci/run installs them). */
export const DEBIAN_PACKAGES = 'python3-jupyter-kernel-test python3-jupyter-client python3-nbclient python3-jupyter-server chromium';

const inCI = () => !!process.env.CI && !/^(0|false)$/i.test(process.env.CI);

/**
 * A test file's `skip` when something it needs is missing. Under CI (`CI` set, not 0/false) the file fails
 * instead: a CI run that silently skipped the kernel and notebook tests would prove nothing.
 */
export function skipUnlessAvailable(missing: string | undefined): string | false {
  if (!missing) return false;
  if (inCI()) throw new Error(`${missing}. CI is set, so this fails instead of skipping (apt-get install ${DEBIAN_PACKAGES}; .ci/run does)`);
  return `${missing}; skipped`;
}

/** What of `modules` Debian's Python cannot import, as a sentence, or undefined when all import. */
export function missingPython(modules: string[], debs: string): string | undefined {
  const probe = spawnSync(PYTHON, ['-c', `import ${modules.join(', ')}`], { encoding: 'utf8' });
  if (probe.status === 0) return undefined;
  return `${PYTHON} cannot import ${modules.join(', ')} (Debian: ${debs}): ${(probe.stderr || String(probe.error)).trim().split('\n').at(-1)}`;
}

export function missingChromium(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `Chromium is needed at ${CHROMIUM} (Debian: chromium; or set PATHLENS_CHROMIUM)`;
}

/** Jupyter's paths all inside `work` (kernelspecs under `work/prefix`), so tests never touch the user's. */
export function jupyterEnv(work: string): NodeJS.ProcessEnv {
  for (const d of ['data', 'runtime', 'config']) mkdirSync(join(work, d), { recursive: true });
  return {
    ...process.env,
    JUPYTER_PATH: join(work, 'prefix', 'share', 'jupyter'),
    JUPYTER_DATA_DIR: join(work, 'data'),
    JUPYTER_RUNTIME_DIR: join(work, 'runtime'),
    JUPYTER_CONFIG_DIR: join(work, 'config'),
    JUPYTER_PLATFORM_DIRS: '1',
    PYTHONDONTWRITEBYTECODE: '1',
  };
}
