import { getKernelHook } from './kernelHook.js';

// Mime bundles and how they reach a notebook. Nothing here imports a kernel: the pathlens kernel's hook
// and tslab are looked up at call time, so that no second copy of tslab is ever loaded.

/** The rich-display method Deno's kernel calls, and the pathlens kernel honours for a cell's last value. */
export const JUPYTER_DISPLAY: unique symbol = Symbol.for('Jupyter.display') as never;

/** Output data by mime type; `text/plain` is always there. Binary data is base64, as Jupyter sends it. */
export interface MimeBundle {
  readonly 'text/plain': string;
  readonly [mime: string]: unknown;
}

export interface Displayable {
  [JUPYTER_DISPLAY](): MimeBundle;
}

interface TslabDisplay {
  raw(contentType: string, data: unknown): void;
}

export interface DisplayOptions {
  /** Lets a later `display(..., { displayId, update: true })` replace this output (pathlens kernel only). */
  readonly displayId?: string;
  /** Replace the output shown under `displayId` instead of adding one. */
  readonly update?: boolean;
}

/** What plain tslab can show, best first: it sends one mime type per output. */
const TSLAB_PREFERENCE = ['text/html', 'image/png', 'image/svg+xml', 'text/markdown', 'text/plain'];

export function isDisplayable(value: unknown): value is Displayable {
  return value !== null && (typeof value === 'object' || typeof value === 'function') && typeof (value as Displayable)[JUPYTER_DISPLAY] === 'function';
}

export function bundleOf(value: MimeBundle | Displayable): MimeBundle {
  const bundle = isDisplayable(value) ? value[JUPYTER_DISPLAY]() : value;
  if (bundle === null || typeof bundle !== 'object' || typeof bundle['text/plain'] !== 'string') {
    throw new Error(`value: expected a mime bundle with 'text/plain' or an object with [Symbol.for('Jupyter.display')](), got ${typeof bundle}`);
  }
  return bundle;
}

/** The running tslab kernel's own display functions (never a copy from our node_modules). */
export function tslabDisplay(): TslabDisplay | undefined {
  try {
    const tslab = (globalThis as { __tslab__?: { require?: (id: string) => unknown } }).__tslab__?.require?.('tslab') as { display?: TslabDisplay } | undefined;
    return tslab?.display && typeof tslab.display.raw === 'function' ? tslab.display : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Shows a bundle (or anything with `[Symbol.for('Jupyter.display')]()`) in the notebook: through the
 * pathlens kernel's hook when present (the whole bundle), else through tslab (the richest single mime
 * type tslab can send). Outside a notebook nothing is shown and the bundle is returned.
 */
export function display(value: MimeBundle | Displayable, options: DisplayOptions = {}): MimeBundle | undefined {
  const bundle = bundleOf(value);
  const hook = getKernelHook();
  if (hook) {
    if (options.update && options.displayId) hook.updateDisplay(bundle, options.displayId);
    else hook.display(bundle, options.displayId ? { displayId: options.displayId } : undefined);
    return undefined;
  }
  const tslab = tslabDisplay();
  if (tslab) {
    const mime = TSLAB_PREFERENCE.find((m) => typeof bundle[m] === 'string') ?? 'text/plain';
    tslab.raw(mime, bundle[mime]);
    return undefined;
  }
  return bundle;
}
