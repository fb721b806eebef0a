/**
 * Writes and removes the `pathlens` kernelspec (`<data dir>/kernels/pathlens/kernel.json`) and the prebuilt
 * JupyterLab extension (`<data dir>/labextensions/pathlens-jupyterlab/`: the widgets and a Plotly renderer)
 * without Python, following Jupyter's data-directory conventions. JupyterLab 4 and Notebook 7 load prebuilt
 * extensions from every Jupyter data directory, the user's included.
 */
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_NAME = 'pathlens';
export const DISPLAY_NAME = 'TypeScript (pathlens)';

/** The labextension's package name (widgets/lab/package.json), which JupyterLab expects as its folder's name. */
export const LABEXTENSION_NAME = 'pathlens-jupyterlab';

export type Location = { kind: 'user' } | { kind: 'prefix'; prefix: string };

/** The built labextension shipped in the package (`npm run build:widgets`). */
const LABEXTENSION_BUILD = fileURLToPath(new URL('../labextension', import.meta.url));

/** Jupyter's per-user data directory (`jupyter --data-dir`). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'jupyter');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter');
}

function dataDir(location: Location): string {
  return location.kind === 'user' ? userDataDir() : join(resolve(location.prefix), 'share', 'jupyter');
}

export function kernelDir(location: Location): string {
  return join(dataDir(location), 'kernels', KERNEL_NAME);
}

export function labExtensionDir(location: Location): string {
  return join(dataDir(location), 'labextensions', LABEXTENSION_NAME);
}

export function kernelSpec(): Record<string, unknown> {
  const main = fileURLToPath(new URL('./main.js', import.meta.url));
  return {
    argv: [process.execPath, main, '{connection_file}'],
    display_name: DISPLAY_NAME,
    language: 'typescript',
    interrupt_mode: 'signal',
    metadata: { pathlens: { kernel: 'kernel-ext' } },
  };
}

export interface Installed {
  kernel: string;
  labextension: string;
}

/** Writes the kernelspec and copies the labextension (replacing an older copy); returns both directories. */
export function install(location: Location): Installed {
  const kernel = kernelDir(location);
  const labextension = labExtensionDir(location);
  const main = (kernelSpec().argv as string[])[1];
  for (const built of [main, join(LABEXTENSION_BUILD, 'package.json')]) {
    if (!existsSync(built)) throw new Error(`${built} is missing: build first (npm run build)`);
  }
  mkdirSync(kernel, { recursive: true });
  writeFileSync(join(kernel, 'kernel.json'), `${JSON.stringify(kernelSpec(), null, 2)}\n`);
  // A copy, not a link: it must outlive a reinstall of node_modules; the old one goes first (hashed file names).
  rmSync(labextension, { recursive: true, force: true });
  cpSync(LABEXTENSION_BUILD, labextension, { recursive: true });
  return { kernel, labextension };
}

/** Removes the kernelspec and the labextension; returns the directories that were there. */
export function uninstall(location: Location): Partial<Installed> {
  const removed: Partial<Installed> = {};
  const kernel = kernelDir(location);
  if (existsSync(join(kernel, 'kernel.json'))) {
    rmSync(kernel, { recursive: true, force: true });
    removed.kernel = kernel;
  }
  const labextension = labExtensionDir(location);
  if (existsSync(join(labextension, 'package.json'))) {
    rmSync(labextension, { recursive: true, force: true });
    removed.labextension = labextension;
  }
  return removed;
}
