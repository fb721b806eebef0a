/**
 * Binary values in widget state (protocol 2): they leave the JSON as `null` (list slots) or are dropped
 * (object keys), their paths go to `buffer_paths` and their bytes to the message's buffers, in order.
 * Only top-level and nested plain objects/arrays are walked.
 */
export type BufferPath = (string | number)[];

const isBinary = (v: unknown): v is ArrayBufferView | ArrayBuffer => ArrayBuffer.isView(v) || v instanceof ArrayBuffer;

export interface SplitState {
  readonly state: Record<string, unknown>;
  readonly bufferPaths: BufferPath[];
  readonly buffers: (ArrayBufferView | ArrayBuffer)[];
}

export function removeBuffers(state: Record<string, unknown>): SplitState {
  const bufferPaths: BufferPath[] = [];
  const buffers: (ArrayBufferView | ArrayBuffer)[] = [];
  const walk = (value: unknown, path: BufferPath): unknown => {
    if (Array.isArray(value)) {
      return value.map((v, i) => {
        if (isBinary(v)) {
          bufferPaths.push([...path, i]);
          buffers.push(v);
          return null;
        }
        return walk(v, [...path, i]);
      });
    }
    if (value !== null && typeof value === 'object' && !isBinary(value)) {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        if (isBinary(v)) {
          bufferPaths.push([...path, k]);
          buffers.push(v);
        } else out[k] = walk(v, [...path, k]);
      }
      return out;
    }
    return value;
  };
  return { state: walk(state, []) as Record<string, unknown>, bufferPaths, buffers };
}

/** Keys that would reach a prototype (or its constructor) instead of the state's own data. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Puts received buffers back at their paths (in place). Throws on a count mismatch or a bad path: every
 * step of a path must be an own key (or index) of the plain object or array it names, and no key may be
 * `__proto__`, `constructor` or `prototype`, so nothing from the wire reaches a prototype.
 */
export function putBuffers(state: Record<string, unknown>, bufferPaths: unknown, buffers: readonly Uint8Array[]): void {
  const paths = bufferPaths ?? [];
  if (!Array.isArray(paths)) throw new Error(`buffer_paths: expected an array, got ${typeof paths}`);
  if (paths.length !== buffers.length) throw new Error(`buffer_paths: ${paths.length} path(s) for ${buffers.length} buffer(s)`);
  const checked = paths.map((path: unknown, i) => {
    if (!Array.isArray(path) || path.length === 0 || !path.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p) && p >= 0))) {
      throw new Error(`buffer_paths[${i}]: expected a non-empty list of keys and indices, got ${JSON.stringify(path)}`);
    }
    const bad = path.find((p) => typeof p === 'string' && FORBIDDEN_KEYS.has(p));
    if (bad !== undefined) throw new Error(`buffer_paths[${i}]: key '${bad}' is not allowed`);
    let at: unknown = state;
    for (const key of path.slice(0, -1)) {
      const next = isContainer(at) && Object.hasOwn(at, key) ? (at as Record<string | number, unknown>)[key] : undefined;
      if (!isContainer(next)) throw new Error(`buffer_paths[${i}]: ${JSON.stringify(path)} does not exist in the state`);
      at = next;
    }
    // The last key may be new (a dropped binary key); whether a top-level one is a trait is the widget's check.
    return { at: at as Record<string | number, unknown>, last: path[path.length - 1] as string | number };
  });
  // All paths checked before any is written: a bad message changes nothing.
  checked.forEach(({ at, last }, i) => Object.defineProperty(at, last, { value: buffers[i], enumerable: true, writable: true, configurable: true }));
}

/** A plain object or an array (what JSON makes), never a typed array or a class instance's prototype chain. */
function isContainer(value: unknown): value is object {
  if (Array.isArray(value)) return true;
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
