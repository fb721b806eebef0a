/**
 * Perceptually uniform colormaps as 257-entry lookup tables (odd, so that 0.5 has its own entry). `viridis` and `magma` (sequential) are
 * matplotlib's, sampled at 11 stops; `coolwarm` (diverging, white-grey centre) is Moreland's
 * (2009), sampled at 9 stops. Between stops the colour is interpolated linearly in sRGB.
 */
export const SEQUENTIAL = ['viridis', 'magma'] as const;
export const DIVERGING = ['coolwarm'] as const;
export const COLORMAPS = [...SEQUENTIAL, ...DIVERGING] as const;
export type ColormapName = (typeof COLORMAPS)[number];

const STOPS: Record<ColormapName, string[]> = {
  viridis: ['440154', '482475', '414487', '355f8d', '2a788e', '21918c', '22a884', '44bf70', '7ad151', 'bddf26', 'fde725'],
  magma: ['000004', '140e36', '3b0f70', '641a80', '8c2981', 'b73779', 'de4968', 'f7705c', 'fe9f6d', 'fecf92', 'fcfdbf'],
  coolwarm: ['3b4cc0', '6282ea', '8db0fe', 'b8d0f9', 'dddddd', 'f5c4ad', 'f49a7b', 'de604d', 'b40426'],
};

export type RGB = readonly [number, number, number];

const tables = new Map<ColormapName, Uint8Array>();

export const LUT_SIZE = 257;

/** The colormap's 257 colours, RGB interleaved. */
export function colormapTable(name: ColormapName): Uint8Array {
  let table = tables.get(name);
  if (table) return table;
  const stops = STOPS[name].map((hex) => [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)));
  table = new Uint8Array(LUT_SIZE * 3);
  for (let i = 0; i < LUT_SIZE; i++) {
    const at = (i / (LUT_SIZE - 1)) * (stops.length - 1);
    const lo = Math.min(Math.floor(at), stops.length - 2);
    const f = at - lo;
    for (let c = 0; c < 3; c++) table[i * 3 + c] = Math.round(stops[lo][c] * (1 - f) + stops[lo + 1][c] * f);
  }
  tables.set(name, table);
  return table;
}

/** The colour of t ∈ [0, 1] (clamped; NaN counts as 0). */
export function colorAt(name: ColormapName, t: number): RGB {
  const table = colormapTable(name);
  const i = lutIndex(t);
  return [table[i * 3], table[i * 3 + 1], table[i * 3 + 2]];
}

export function lutIndex(t: number): number {
  if (!(t > 0)) return 0;
  if (t >= 1) return LUT_SIZE - 1;
  return Math.round(t * (LUT_SIZE - 1));
}

export function isDiverging(name: ColormapName): boolean {
  return (DIVERGING as readonly string[]).includes(name);
}

/** `#rrggbb` for CSS and Plotly. */
export function cssColor([r, g, b]: RGB): string {
  return `#${[r, g, b].map((v) => v.toString(16).padStart(2, '0')).join('')}`;
}
