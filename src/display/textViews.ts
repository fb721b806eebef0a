// Token views of attributions on sequences `[B, T, D]` (e.g. at an embedding layer): per-token scores
// (summed over the embedding axis) and sentences coloured by them.
import type { Explanation } from '../explanation.js';
import { resolveHeatmapOptions } from '../render/heatmapOptions.js';
import { layoutOf, reduceChannels, type Sign } from '../render/normalize.js';
import { tokenTextHtml, tokenTextPng } from '../render/tokenText.js';
import { checkExample, checkMethods, exampleLabel, exampleValues } from './explanationViews.js';
import { TextView } from './views.js';

/** Token strings: one array per example (each of T tokens), or a vocabulary indexed by the explained token ids. */
export type TokenLabels = readonly (readonly string[])[] | readonly string[];

export interface TokenOptions {
  /** What to call each position (default: the token ids when explained at a layer, else the positions). */
  readonly tokens?: TokenLabels;
}

/** One method's attribution per token. */
export interface TokenScores {
  readonly method: string;
  /** `[B][T]`. */
  readonly tokens: string[][];
  /** Σ over the embedding axis, `[B][T]`: what the token added to (or took from) the explained output. */
  readonly signed: number[][];
  /** Σ of |attribution| over the embedding axis, `[B][T]`. */
  readonly absolute: number[][];
}

export interface TextViewOptions extends TokenOptions {
  /** Which methods, one row each (default: all). */
  readonly methods?: readonly string[];
  /** Which examples (default: all). */
  readonly examples?: readonly number[];
  /** `'all'` (default: red adds, blue takes away), `'absolute'`, `'positive'` or `'negative'`. */
  readonly sign?: Sign;
  /** One colour scale for all methods of an example (default false: one per method). */
  readonly sharedScale?: boolean;
  readonly classNames?: readonly string[];
}

/** `[T, D]` or `[T]` per example: the sequence length and the values per token. */
function sequenceShape(ex: Explanation): { length: number; perToken: number } {
  const shape = ex.inputShape.slice(1);
  if (shape.length === 1) return { length: shape[0], perToken: 1 };
  if (shape.length === 2) return { length: shape[0], perToken: shape[1] };
  throw new Error(`tokens: expected attributions of a sequence, [B, T, D] (e.g. explain(model, ids, { layer: '<embedding>' })) or [B, T], got [${ex.inputShape.join(', ')}]`);
}

/** The token ids the explanation was made on: the model input at a layer, `[B, T]`. */
function tokenIds(ex: Explanation, b: number, length: number): number[] | undefined {
  const input = ex.layer?.input;
  if (!input || input.rank !== 2 || input.shape[1] !== length) return undefined;
  return Array.from(exampleValues(input, b));
}

function labelsOf(ex: Explanation, spec: TokenLabels | undefined, b: number, length: number): string[] {
  const ids = tokenIds(ex, b, length);
  if (spec === undefined) return ids ? ids.map(String) : Array.from({ length }, (_, t) => String(t));
  if (!Array.isArray(spec)) throw new Error(`tokens: expected an array of token strings per example, or a vocabulary (string[]), got ${JSON.stringify(spec)}`);
  if (spec.every((s) => typeof s === 'string')) {
    if (!ids) throw new Error(`tokens: a vocabulary needs the token ids, which this explanation does not have (explain(model, ids, { layer }) keeps them); pass one array of ${length} tokens per example instead`);
    return ids.map((id) => (spec as readonly string[])[id] ?? `#${id}`);
  }
  const row = (spec as readonly (readonly string[])[])[b];
  if (!Array.isArray(row) || row.length !== length || row.some((s) => typeof s !== 'string')) {
    throw new Error(`tokens[${b}]: expected ${length} token strings (one per position), got ${JSON.stringify(row)}`);
  }
  return [...row];
}

/**
 * Labels of one example's positions for views that are not images: tokens for a sequence `[T, D]` (the
 * given ones, else the explained token ids, else the positions), `featureNames` (else indices) for a flat
 * vector; none for images.
 */
export function positionLabels(ex: Explanation, b: number, options: { tokens?: TokenLabels; featureNames?: readonly string[] }): string[] | undefined {
  const layout = layoutOf(ex.inputShape.slice(1));
  if (layout.kind === 'image') return undefined;
  const names = options.featureNames;
  if (names !== undefined && (!Array.isArray(names) || names.length !== layout.width || names.some((n) => typeof n !== 'string'))) {
    throw new Error(`featureNames: expected ${layout.width} names (one per ${layout.kind === 'sequence' ? 'position' : 'feature'}), got ${JSON.stringify(names)}`);
  }
  if (layout.kind === 'vector') return names ? [...names] : Array.from({ length: layout.width }, (_, i) => String(i));
  return names ? [...names] : labelsOf(ex, options.tokens, b, layout.width);
}

/** Per-token scores of one method, every example. */
export function tokenScores(ex: Explanation, name: string, options: TokenOptions = {}): TokenScores {
  const { length, perToken } = sequenceShape(ex);
  const attribution = ex.attribution(name);
  const layout = { kind: 'sequence', height: 1, width: length, channels: perToken } as const;
  const examples = Array.from({ length: ex.inputShape[0] }, (_, b) => b);
  const values = examples.map((b) => exampleValues(attribution, b));
  return {
    method: name,
    tokens: examples.map((b) => labelsOf(ex, options.tokens, b, length)),
    signed: values.map((v) => Array.from(reduceChannels(v, layout, 'sum'))),
    absolute: values.map((v) => Array.from(reduceChannels(v, layout, 'sumAbs'))),
  };
}

/** Sentences coloured by attribution: one block per example, one row per method. */
export function textView(ex: Explanation, options: TextViewOptions = {}): TextView {
  const { sign } = resolveHeatmapOptions({ sign: options.sign ?? 'all' });
  if (options.sharedScale !== undefined && typeof options.sharedScale !== 'boolean') throw new Error(`sharedScale: expected true or false, got ${JSON.stringify(options.sharedScale)}`);
  const methods = checkMethods(ex, options.methods);
  const examples = options.examples === undefined ? Array.from({ length: ex.inputShape[0] }, (_, i) => i) : [...options.examples];
  if (examples.length === 0) throw new Error('examples: expected at least one example index, got []');
  examples.forEach((b) => checkExample(ex, 'examples', b));
  const scores = methods.map((m) => tokenScores(ex, m, options));
  const blocks = examples.map((b) => ({
    title: exampleLabel(ex, b, options.classNames),
    tokens: scores[0].tokens[b],
    rows: scores.map((s) => ({ label: s.method, scores: s.signed[b] })),
  }));
  const how = { sign, sharedScale: options.sharedScale ?? false };
  const png = tokenTextPng(blocks, how);
  const description = `pathlens tokens: ${examples.length} example(s) × ${methods.length} method(s) (${methods.join(', ')}); ${sign} per-token attributions (Σ over the embedding axis)`;
  return new TextView(png.png, png.width, png.height, description, tokenTextHtml(blocks, how));
}
