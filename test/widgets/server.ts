// Debian's jupyter_server on loopback, with the pathlens kernel installed into a temporary prefix.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { PYTHON } from '../jupyter.js';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

export function installKernel(cli: string, work: string, env: NodeJS.ProcessEnv): void {
  const r = spawnSync(process.execPath, [cli, 'kernel', 'install', '--prefix', join(work, 'prefix')], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`kernel install failed: ${r.stderr}`);
}

export interface Server {
  readonly url: string;
  readonly token: string;
  readonly process: ChildProcess;
  readonly log: string[];
  stop(): Promise<void>;
}

export async function startServer(rootDir: string, env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  const token = randomBytes(16).toString('hex');
  const args = ['-m', 'jupyter_server', '--ServerApp.ip=127.0.0.1', `--ServerApp.port=${port}`, '--ServerApp.port_retries=0', `--ServerApp.token=${token}`, '--ServerApp.open_browser=False', `--ServerApp.root_dir=${rootDir}`, '--allow-root'];
  // Kernels started without a path run in the server's working directory: the root, where notebooks resolve 'pathlens'.
  const child = spawn(PYTHON, args, { env, cwd: rootDir, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  child.stdout!.on('data', (d) => log.push(String(d)));
  child.stderr!.on('data', (d) => log.push(String(d)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`jupyter_server exited (${child.exitCode}): ${log.join('')}`);
    try {
      const r = await fetch(`${url}/api/status`, { headers: { Authorization: `token ${token}` } });
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`jupyter_server did not start: ${log.join('')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    token,
    process: child,
    log,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
        setTimeout(() => child.exitCode === null && child.kill('SIGKILL'), 5000).unref();
      }),
  };
}
