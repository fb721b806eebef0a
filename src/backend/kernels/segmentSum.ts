/**
 * out[s, ...] = Σ over i with ids[i] = s of x[i, ...]; ids outside [0, numSegments) are dropped (as in
 * TensorFlow). `inner` is the number of values per id. `out` must be zeroed by the caller.
 */
export function unsortedSegmentSum(x: ArrayLike<number>, ids: ArrayLike<number>, inner: number, numSegments: number, out: { [i: number]: number }): void {
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * inner;
    const to = s * inner;
    for (let j = 0; j < inner; j++) out[to + j] += x[from + j];
  }
}
