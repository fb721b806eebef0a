import * as tf from '@tensorflow/tfjs';

/** Throws an Error that names the argument and says what was expected. */
export function fail(argument: string, expected: string, got?: string): never {
  throw new Error(`${argument}: expected ${expected}${got === undefined ? '' : `, got ${got}`}`);
}

export function describe(value: unknown): string {
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return `'${value}'`;
  return String(value);
}

export function checkPositiveInteger(argument: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) fail(argument, 'a positive integer', describe(value));
  return value;
}

export function checkInRange(argument: string, value: unknown, lo: number, hi: number, loOpen: boolean): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && (loOpen ? value > lo : value >= lo) && value <= hi;
  if (!ok) fail(argument, `a number in ${loOpen ? '(' : '['}${lo}, ${hi}]`, describe(value));
  return value as number;
}

export function checkOneOf<T extends string>(argument: string, value: unknown, allowed: readonly T[]): T {
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(argument, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, describe(value));
  return value as T;
}

/** Index of the first example that holds a NaN or an infinity, or -1; one host read. */
export async function firstNonFiniteExample(batch: tf.Tensor): Promise<number> {
  const bad = tf.tidy(() => tf.any(tf.logicalNot(tf.isFinite(batch.reshape([batch.shape[0], -1]))), 1));
  const flags = await bad.data();
  bad.dispose();
  return flags.findIndex((f) => f !== 0);
}

export async function checkFinite(argument: string, batch: tf.Tensor): Promise<void> {
  const b = await firstNonFiniteExample(batch);
  if (b >= 0) fail(argument, 'finite values', `NaN or Infinity in example ${b}`);
}

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
