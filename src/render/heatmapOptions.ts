import { COLORMAPS, isDiverging } from './colormap.js';
import type { HeatmapOptions, ResolvedHeatmapOptions } from './heatmapGrid.js';
import { REDUCTIONS, SIGNS } from './normalize.js';

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  throw new Error(`${name}: expected one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${JSON.stringify(value)}`);
}

function number(name: string, value: unknown, lo: number, hi: number): number {
  if (typeof value === 'number' && value >= lo && value <= hi) return value;
  throw new Error(`${name}: expected a number in [${lo}, ${hi}], got ${JSON.stringify(value)}`);
}

/** Fills in the defaults and checks every option; a bad one fails with an Error naming it. */
export function resolveHeatmapOptions(options: HeatmapOptions = {}): ResolvedHeatmapOptions {
  if (options === null || typeof options !== 'object') throw new Error(`options: expected an object, got ${JSON.stringify(options)}`);
  const sign = oneOf('sign', options.sign ?? 'absolute', SIGNS);
  const colormap = oneOf('colormap', options.colormap ?? (sign === 'all' ? 'coolwarm' : 'viridis'), COLORMAPS);
  if (sign === 'all' && !isDiverging(colormap)) throw new Error(`colormap: sign 'all' needs a diverging colormap ('coolwarm'), got '${colormap}'`);
  if (sign !== 'all' && isDiverging(colormap)) throw new Error(`colormap: sign '${sign}' needs a sequential colormap ('viridis', 'magma'), got '${colormap}'`);
  if (options.overlay !== undefined && typeof options.overlay !== 'boolean') throw new Error(`overlay: expected true or false, got ${JSON.stringify(options.overlay)}`);
  if (options.sharedScale !== undefined && typeof options.sharedScale !== 'boolean') throw new Error(`sharedScale: expected true or false, got ${JSON.stringify(options.sharedScale)}`);
  const cellSize = number('cellSize', options.cellSize ?? 128, 8, 1024);
  if (!Number.isInteger(cellSize)) throw new Error(`cellSize: expected an integer, got ${cellSize}`);
  return {
    sign,
    reduce: oneOf('reduce', options.reduce ?? 'sum', REDUCTIONS),
    clip: number('clip', options.clip ?? 99.5, 0, 100),
    colormap,
    overlay: options.overlay ?? true,
    alpha: number('alpha', options.alpha ?? 0.6, 0, 1),
    sharedScale: options.sharedScale ?? false,
    cellSize,
  };
}
