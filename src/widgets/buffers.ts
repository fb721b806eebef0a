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

/** Puts received buffers back at their paths (in place). Throws on a count mismatch or a bad path. */
export function putBuffers(state: Record<string, unknown>, bufferPaths: unknown, buffers: readonly Uint8Array[]): void {
  const paths = bufferPaths ?? [];
  if (!Array.isArray(paths)) throw new Error(`buffer_paths: expected an array, got ${typeof paths}`);
  if (paths.length !== buffers.length) throw new Error(`buffer_paths: ${paths.length} path(s) for ${buffers.length} buffer(s)`);
  paths.forEach((path, i) => {
    if (!Array.isArray(path) || path.length === 0 || !path.every((p) => typeof p === 'string' || (typeof p === 'number' && Number.isInteger(p) && p >= 0))) {
      throw new Error(`buffer_paths[${i}]: expected a non-empty list of keys and indices, got ${JSON.stringify(path)}`);
    }
    let at: Record<string | number, unknown> = state;
    for (const key of path.slice(0, -1)) {
      const next = at[key];
      if (next === null || typeof next !== 'object') throw new Error(`buffer_paths[${i}]: ${JSON.stringify(path)} does not exist in the state`);
      at = next as Record<string | number, unknown>;
    }
    at[path[path.length - 1]] = buffers[i];
  });
}
