import { colormapTable, lutIndex, type ColormapName } from './colormap.js';

/**
 * RGBA pixels (row-major, opaque) of a map in [0, 1] through a colormap, optionally blended over a
 * grayscale image in [0, 1]: out = (1 − alpha)·gray + alpha·colour.
 */
export function colorize(unit: ArrayLike<number>, colormap: ColormapName, background?: ArrayLike<number>, alpha = 1): Uint8ClampedArray {
  if (background && background.length !== unit.length) {
    throw new Error(`background: expected ${unit.length} values (one per map cell), got ${background.length}`);
  }
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`alpha: expected a number in [0, 1], got ${alpha}`);
  const table = colormapTable(colormap);
  const out = new Uint8ClampedArray(unit.length * 4);
  for (let i = 0; i < unit.length; i++) {
    const k = lutIndex(unit[i]) * 3;
    const gray = background ? 255 * background[i] : 0;
    const a = background ? alpha : 1;
    for (let c = 0; c < 3; c++) out[i * 4 + c] = Math.round((1 - a) * gray + a * table[k + c]);
    out[i * 4 + 3] = 255;
  }
  return out;
}
