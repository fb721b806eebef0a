import * as tf from '@tensorflow/tfjs';
import { checkInRange, checkOneOf, checkPositiveInteger, describe, fail } from './validate.js';

/** Checks one option's value and throws an error naming `argument` (e.g. `'steps'`, `'refine.tolerance'`). */
export type OptionCheck = (argument: string, value: unknown) => void;
/** The options a method takes: every known key and how its value is checked (`undefined` always means the default). */
export type OptionSchema = Readonly<Record<string, OptionCheck>>;

export const positiveInteger: OptionCheck = (argument, value) => void checkPositiveInteger(argument, value);
export const boolean: OptionCheck = (argument, value) => {
  if (typeof value !== 'boolean') fail(argument, 'true or false', describe(value));
};
export const finiteNumber: OptionCheck = (argument, value) => {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(argument, 'a finite number', describe(value));
};
export const anything: OptionCheck = () => {};

/** A number in [lo, hi] (or (lo, hi] with `loOpen`). */
export function inRange(lo: number, hi: number, loOpen = false): OptionCheck {
  return (argument, value) => void checkInRange(argument, value, lo, hi, loOpen);
}

export function oneOf(values: readonly string[]): OptionCheck {
  return (argument, value) => void checkOneOf(argument, value, values);
}

/** An options object with its own keys, e.g. `refine: { tolerance, maxGradients }`. */
export function nested(schema: OptionSchema, expected: string): OptionCheck {
  return (argument, value) => {
    if (!isPlainObject(value)) fail(argument, expected, describe(value));
    checkKeys(value, schema, `${argument}.`);
  };
}

/** `refine` of the path methods: `true`, `false` or `{ tolerance, maxGradients }` (checked here for shape only). */
export const refineOption: OptionCheck = (argument, value) => {
  if (typeof value === 'boolean') return;
  nested({ tolerance: inRange(0, Infinity, true), maxGradients: positiveInteger }, 'true, false or { tolerance, maxGradients }')(argument, value);
};

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) && !(value instanceof tf.Tensor);
}

/**
 * Checks every key of `options` against `schema`: an unknown key fails with the closest known one
 * ("unknown option 'stpes' for ig(); did you mean 'steps'?"), a bad value with its own error, prefixed
 * by `where` (e.g. `ig()`).
 */
export function checkOptions(where: string, options: unknown, schema: OptionSchema): void {
  if (options === undefined) return;
  if (!isPlainObject(options)) fail(where, `an options object such as { ${Object.keys(schema)[0]}: … }`, describe(options));
  try {
    checkKeys(options, schema, '');
  } catch (error) {
    if (error instanceof UnknownOption) throw new Error(`unknown option '${error.key}' for ${where}; ${error.hint}`);
    if (error instanceof Error) error.message = `${where}: ${error.message}`;
    throw error;
  }
}

class UnknownOption extends Error {
  constructor(
    readonly key: string,
    readonly hint: string,
  ) {
    super(`unknown option '${key}'; ${hint}`);
  }
}

function checkKeys(options: Record<string, unknown>, schema: OptionSchema, prefix: string): void {
  for (const [key, value] of Object.entries(options)) {
    const check = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (!check) throw new UnknownOption(prefix + key, suggest(key, Object.keys(schema), prefix));
    if (value !== undefined) check(prefix + key, value);
  }
}

function suggest(key: string, known: string[], prefix: string): string {
  const scored = known.map((k) => ({ k, d: editDistance(key.toLowerCase(), k.toLowerCase()) })).sort((a, b) => a.d - b.d);
  const best = scored[0];
  if (best && best.d <= Math.max(1, Math.floor(best.k.length / 3))) return `did you mean '${prefix}${best.k}'?`;
  return `the known options are ${known.map((k) => `'${prefix}${k}'`).join(', ')}`;
}

/** Edit distance with adjacent transpositions counting 1 ('stpes' → 'steps'). */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
