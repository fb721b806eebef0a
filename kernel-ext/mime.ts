/**
 * Mime bundles: a cell's value → `execute_result` data, and user bundles → wire-ready data.
 * A value with a `[Symbol.for('Jupyter.display')]()` method (the convention Deno's kernel uses) renders
 * itself; it may return the bundle or a promise of it. Anything else is shown as `util.inspect` text.
 */
import { inspect } from 'node:util';
import type { JsonObject } from './wire.js';

export const JUPYTER_DISPLAY = Symbol.for('Jupyter.display');

const isObject = (v: unknown): v is JsonObject => v !== null && typeof v === 'object' && !Array.isArray(v);

export function plainText(value: unknown): string {
  return inspect(value, { depth: 4, maxArrayLength: 50, breakLength: 100 });
}

/** Checks a bundle and makes it JSON-ready: binary data becomes base64, a text/plain fallback is added. */
export function wireBundle(bundle: unknown, fallbackText?: string): JsonObject {
  if (!isObject(bundle) || Object.keys(bundle).length === 0) {
    throw new TypeError(`a mime bundle must be a non-empty object { 'text/html': '...', ... }, got ${plainText(bundle)}`);
  }
  const data: JsonObject = {};
  for (const [mime, value] of Object.entries(bundle)) {
    if (!mime.includes('/')) throw new TypeError(`mime bundle key '${mime}' is not a mime type (e.g. 'text/html')`);
    if (value === undefined) continue;
    data[mime] = ArrayBuffer.isView(value) ? Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64') : value;
  }
  if (!('text/plain' in data) && fallbackText !== undefined) data['text/plain'] = fallbackText;
  return data;
}

/** The `execute_result` data of a cell's last value. */
export async function resultBundle(value: unknown): Promise<JsonObject> {
  const render = (value as { [JUPYTER_DISPLAY]?: unknown } | null | undefined)?.[JUPYTER_DISPLAY];
  if (typeof render === 'function') {
    const bundle: unknown = await render.call(value);
    return wireBundle(bundle, `[${(value as object).constructor?.name ?? 'object'}]`);
  }
  return { 'text/plain': plainText(value) };
}
