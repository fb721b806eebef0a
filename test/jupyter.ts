// What the Jupyter-driving tests share: Debian's Python and a Jupyter environment confined to a temporary folder.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

/** Debian's own Python, which has Jupyter; the python3 first on PATH may not. */
export const PYTHON = '/usr/bin/python3';

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
