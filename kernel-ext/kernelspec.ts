/**
 * Writes and removes the `pathlens` kernelspec (`<data dir>/kernels/pathlens/kernel.json`) without
 * Python, following Jupyter's data-directory conventions.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const KERNEL_NAME = 'pathlens';
export const DISPLAY_NAME = 'TypeScript (pathlens)';

export type Location = { kind: 'user' } | { kind: 'prefix'; prefix: string };

/** Jupyter's per-user data directory (`jupyter --data-dir`). */
export function userDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
  if (process.platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'jupyter');
  if (process.platform === 'darwin') return join(homedir(), 'Library', 'Jupyter');
  return join(env.XDG_DATA_HOME || join(homedir(), '.local', 'share'), 'jupyter');
}

export function kernelDir(location: Location): string {
  const dataDir = location.kind === 'user' ? userDataDir() : join(resolve(location.prefix), 'share', 'jupyter');
  return join(dataDir, 'kernels', KERNEL_NAME);
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

/** Writes the kernelspec; returns its directory. */
export function install(location: Location): string {
  const dir = kernelDir(location);
  const main = (kernelSpec().argv as string[])[1];
  if (!existsSync(main)) throw new Error(`${main} is missing: build first (npm run build)`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'kernel.json'), `${JSON.stringify(kernelSpec(), null, 2)}\n`);
  return dir;
}

/** Removes the kernelspec; returns its directory, or undefined if none was installed there. */
export function uninstall(location: Location): string | undefined {
  const dir = kernelDir(location);
  if (!existsSync(join(dir, 'kernel.json'))) return undefined;
  rmSync(dir, { recursive: true, force: true });
  return dir;
}
