/**
 * The progress `explain(...).run()` shows when the caller passed no `onProgress`: in the pathlens
 * kernel one bar in the cell's output, updated in place through the kernel hook; in a terminal a text
 * bar on stderr; in tests and CI (no TTY, NODE_TEST_CONTEXT or CI set) nothing.
 */
import type { Progress } from './explain.js';
import { getKernelHook, type KernelHook, type MimeBundle } from './kernelHook.js';

export interface ProgressReporter {
  readonly update: (progress: Progress) => void;
  /** The last state, marked done (or failed); called once when the run ends. */
  readonly finish: (ok: boolean) => void;
}

const MIN_INTERVAL_MS = 150;

interface Writable {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Picks the reporter for where the code runs, or none. */
export function defaultProgress(env: NodeJS.ProcessEnv = process.env, stderr: Writable = process.stderr): ProgressReporter | undefined {
  const hook = getKernelHook();
  if (hook) return notebookProgress(hook);
  if (!stderr.isTTY || env.NODE_TEST_CONTEXT || env.CI) return undefined;
  return terminalProgress(stderr);
}

/** Runs each method one after the other; this keeps the finished ones and the current one. */
class ProgressState {
  readonly done: { method: string; seconds: number }[] = [];
  current: Progress | undefined;
  private readonly started = performance.now();

  set(p: Progress): void {
    if (this.current && this.current.method !== p.method) this.done.push({ method: this.current.method, seconds: this.current.elapsedMs / 1000 });
    this.current = p;
  }

  seconds(): number {
    return (performance.now() - this.started) / 1000;
  }

  describe(p: Progress): string {
    return `${p.method}: step ${p.step}/${p.steps} · ${p.examples} example${p.examples === 1 ? '' : 's'} · ${(p.elapsedMs / 1000).toFixed(1)} s`;
  }

  finished(): string[] {
    return this.done.map((d) => `${d.method} ✓ ${d.seconds.toFixed(1)} s`);
  }
}

function throttled(update: (p: Progress) => void): (p: Progress) => void {
  let last = -Infinity;
  let method = '';
  return (p) => {
    const now = performance.now();
    if (p.method === method && p.step < p.steps && now - last < MIN_INTERVAL_MS) return;
    last = now;
    method = p.method;
    update(p);
  };
}

const escapeHtml = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

export function notebookProgress(hook: KernelHook): ProgressReporter {
  const state = new ProgressState();
  const displayId = `pathlens-progress-${Math.random().toString(36).slice(2)}`;
  let shown = false;
  const bundle = (p: Progress | undefined, footer?: string): MimeBundle => {
    const value = p ? p.step / Math.max(1, p.steps) : 1;
    const lines = [...state.finished(), ...(p && !footer ? [state.describe(p)] : []), ...(footer ? [footer] : [])];
    return {
      'text/html':
        `<div class="pathlens-progress" style="font-family:monospace;font-size:12px">` +
        `<progress value="${value.toFixed(3)}" max="1" style="width:240px"></progress> ` +
        lines.map(escapeHtml).join(' · ') +
        `</div>`,
      'text/plain': lines.join('\n'),
    };
  };
  const show = (b: MimeBundle) => {
    if (shown) hook.updateDisplay(b, displayId);
    else hook.display(b, { displayId });
    shown = true;
  };
  return {
    update: throttled((p) => {
      state.set(p);
      show(bundle(p));
    }),
    finish: (ok) => {
      if (!shown) return;
      if (state.current) state.set({ ...state.current, method: '' });
      show(bundle(undefined, ok ? `done in ${state.seconds().toFixed(1)} s` : `failed after ${state.seconds().toFixed(1)} s`));
    },
  };
}

export function terminalProgress(stderr: Writable): ProgressReporter {
  const state = new ProgressState();
  const width = 24;
  let drawn = false;
  return {
    update: throttled((p) => {
      state.set(p);
      const filled = Math.round((width * p.step) / Math.max(1, p.steps));
      stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${state.describe(p)}\x1b[K`);
      drawn = true;
    }),
    finish: (ok) => {
      if (drawn) stderr.write(`\r${ok ? 'done' : 'failed'} in ${state.seconds().toFixed(1)} s\x1b[K\n`);
    },
  };
}
