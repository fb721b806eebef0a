/** Binary traits arrive as DataView (live comms), ArrayBuffer or a typed array (saved state): all become Float32Array. */
export function toFloat32(value: unknown): Float32Array | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Float32Array) return value;
  if (ArrayBuffer.isView(value)) {
    // Copy: a view into a message's buffer may not be 4-byte aligned.
    const bytes = new Uint8Array(value.buffer, value.byteOffset, value.byteLength).slice();
    return new Float32Array(bytes.buffer, 0, bytes.byteLength >> 2);
  }
  if (value instanceof ArrayBuffer) return new Float32Array(value.slice(0, value.byteLength - (value.byteLength % 4)));
  throw new Error(`expected binary data, got ${typeof value}`);
}

export const float32 = {
  deserialize: (value: unknown) => toFloat32(value),
  // The front end never sends these back; if it does, as bytes.
  serialize: (value: Float32Array | null) => value,
};
