/**
 * From one example's attribution values to numbers in [0, 1] ready for a colormap: channel reduction,
 * sign selection, percentile clipping. Plain arrays in, plain arrays out.
 */
export const SIGNS = ['absolute', 'positive', 'negative', 'all'] as const;
export type Sign = (typeof SIGNS)[number];
export const REDUCTIONS = ['sum', 'sumAbs'] as const;
export type Reduction = (typeof REDUCTIONS)[number];

/**
 * How one example is laid out: `[H, W, C]` is an image (channels reduced), `[T, F]` a sequence
 * (features reduced: one value per position, drawn as a strip), `[F]` or anything else a flat vector
 * (drawn as bars).
 */
export interface MapLayout {
  readonly kind: 'image' | 'sequence' | 'vector';
  readonly height: number;
  readonly width: number;
  /** Values reduced into each cell of the map. */
  readonly channels: number;
}

export function layoutOf(exampleShape: readonly number[]): MapLayout {
  const size = exampleShape.reduce((a, b) => a * b, 1);
  if (exampleShape.length === 3) return { kind: 'image', height: exampleShape[0], width: exampleShape[1], channels: exampleShape[2] };
  if (exampleShape.length === 2) return { kind: 'sequence', height: 1, width: exampleShape[0], channels: exampleShape[1] };
  return { kind: 'vector', height: 1, width: size, channels: 1 };
}

/** Reduces each cell's `channels` consecutive values by their sum or the sum of their absolute values. */
export function reduceChannels(values: ArrayLike<number>, layout: MapLayout, reduction: Reduction): Float64Array {
  const cells = layout.height * layout.width;
  if (values.length !== cells * layout.channels) {
    throw new Error(`values: expected ${cells * layout.channels} numbers for this layout, got ${values.length}`);
  }
  const out = new Float64Array(cells);
  for (let i = 0; i < cells; i++) {
    let s = 0;
    for (let c = 0; c < layout.channels; c++) {
      const v = values[i * layout.channels + c];
      s += reduction === 'sumAbs' ? Math.abs(v) : v;
    }
    out[i] = s;
  }
  return out;
}

/** Keeps what `sign` asks for: |v|, max(v, 0), max(−v, 0), or v itself (`'all'`). */
export function applySign(map: ArrayLike<number>, sign: Sign): Float64Array {
  const out = new Float64Array(map.length);
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    out[i] = sign === 'absolute' ? Math.abs(v) : sign === 'positive' ? Math.max(v, 0) : sign === 'negative' ? Math.max(-v, 0) : v;
  }
  return out;
}

/** The p-th percentile (0–100) of |values|, linearly interpolated (numpy's default). NaN values are ignored; none left: 0. */
export function percentileOfAbs(values: ArrayLike<number>, p: number): number {
  const sorted = Float64Array.from(values, Math.abs).filter((v) => !Number.isNaN(v)).sort();
  if (sorted.length === 0) return 0;
  const at = (Math.min(Math.max(p, 0), 100) / 100) * (sorted.length - 1);
  const lo = Math.floor(at);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/**
 * The scale of one or more signed maps: the `clip`-th percentile of their absolute values (over all of
 * them together, for a shared scale). Values beyond it saturate, so that one hot pixel does not wash
 * the map out. If that percentile is 0 (an all-zero map, or mostly zeros), the largest |value|; 0 if
 * all are 0.
 */
export function scaleOf(maps: readonly ArrayLike<number>[], clip: number): number {
  const all = new Float64Array(maps.reduce((n, m) => n + m.length, 0));
  let offset = 0;
  for (const m of maps) {
    all.set(Array.from(m), offset);
    offset += m.length;
  }
  const scale = percentileOfAbs(all, clip);
  if (scale > 0 && Number.isFinite(scale)) return scale;
  let max = 0;
  for (const v of all) if (Number.isFinite(v)) max = Math.max(max, Math.abs(v));
  return max;
}

/**
 * Maps signed values to [0, 1] for a colormap. Sequential signs: v / scale. `'all'`: 0.5 + v / (2·scale),
 * so that 0 sits at the centre of a diverging map. Clamped; a zero scale gives 0 (or 0.5): no division by 0.
 */
export function toUnit(map: ArrayLike<number>, scale: number, sign: Sign): Float64Array {
  const out = new Float64Array(map.length);
  const centre = sign === 'all' ? 0.5 : 0;
  const gain = scale > 0 && Number.isFinite(scale) ? (sign === 'all' ? 0.5 : 1) / scale : 0;
  for (let i = 0; i < map.length; i++) {
    const v = map[i];
    out[i] = Number.isNaN(v) ? centre : Math.min(1, Math.max(0, centre + v * gain));
  }
  return out;
}

/** Grayscale in [0, 1] from an input image's values (channels averaged, min–max stretched; constant: 0.5). */
export function grayscale(values: ArrayLike<number>, layout: MapLayout): Float64Array {
  const mean = reduceChannels(values, layout, 'sum').map((v) => v / layout.channels);
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of mean) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  return hi > lo ? mean.map((v) => (v - lo) / (hi - lo)) : mean.fill(0.5);
}

/** A scale for a label: two significant digits, exponent notation when very small or large. */
export function formatScale(v: number): string {
  if (v === 0) return '0';
  return Math.abs(v) >= 1e-2 && Math.abs(v) < 1e4 ? String(Number(v.toPrecision(2))) : v.toExponential(1);
}
