/** Deterministic uniform numbers in [0, 1) from a 32-bit seed (mulberry32): fast and repeatable in plain JS. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Standard normal samples (Box–Muller over {@link seededUniform}); a random seed when none is given. */
export function normalSamples(count: number, seed: number = (Math.random() * 2 ** 32) >>> 0): Float32Array {
  const uniform = seededUniform(seed);
  const open = () => uniform() + 0.5 / 4294967296; // in (0, 1): log never sees 0
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const radius = Math.sqrt(-2 * Math.log(open()));
    const angle = 2 * Math.PI * open();
    out[i] = radius * Math.cos(angle);
    if (i + 1 < count) out[i + 1] = radius * Math.sin(angle);
  }
  return out;
}
