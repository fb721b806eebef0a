// Refinement of a path integral that is shared by every path method (IG, Guided IG, IG2, Blur IG).
//
// A path is K segments, each parameterised by t ∈ [0, 1]. The method's own rule gives one scalar per
// segment; f at the segment ends is known, so each segment's local error
// f(end) − f(start) − (the rule's Σ over features) is known for free. Refinement replaces the worst
// segments' rule by adaptive Simpson on the same segment (bisection: each split costs two gradients,
// at the quarter points), until every example's gap is within tolerance or its budget is spent.
// The path points never change: only more points on the same segments are evaluated.
import * as tf from '@tensorflow/tfjs';
import { readAll } from '../tensors.js';
import { describe, fail } from '../validate.js';

/** `refine: true` or `{ tolerance, maxGradients }`. */
export interface RefineOptions {
  /** Allowed |gap| as a fraction of |f(x) − f(baseline)| (default 0.01). */
  readonly tolerance?: number;
  /** Extra gradient evaluations per example at most (default: 4 × the gradients the method itself took per example). */
  readonly maxGradients?: number;
}
export type RefineSpecInput = boolean | RefineOptions;

export interface RefineSpec {
  readonly tolerance: number;
  /** null: the method's default budget. */
  readonly maxGradients: number | null;
}

export const DEFAULT_REFINE_TOLERANCE = 0.01;
/** The default budget, as a multiple of the method's own gradients per example. */
export const DEFAULT_BUDGET_FACTOR = 4;
/** Pieces narrower than this (in t) are not split again: float32 cannot tell their ends apart. */
const MIN_WIDTH = 2 ** -20;
const REFINE_KEYS = ['tolerance', 'maxGradients'];
/** Model calls' worth of rows in one refinement round. */
const CALLS_PER_ROUND = 4;
/** Integrand values (floats) one refinement round may bring to the host. */
const HOST_FLOATS_PER_ROUND = 2 ** 25;

/** Parses the `refine` option; null when refinement is off. */
export function parseRefine(value: unknown): RefineSpec | null {
  if (value === undefined || value === false) return null;
  if (value === true) return { tolerance: DEFAULT_REFINE_TOLERANCE, maxGradients: null };
  if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof tf.Tensor) {
    fail('refine', 'true, false or { tolerance, maxGradients }', describe(value));
  }
  const unknown = Object.keys(value).find((k) => !REFINE_KEYS.includes(k));
  if (unknown !== undefined) fail('refine', `only the keys 'tolerance' and 'maxGradients'`, `'${unknown}'`);
  const { tolerance = DEFAULT_REFINE_TOLERANCE, maxGradients } = value as RefineOptions;
  if (typeof tolerance !== 'number' || !(tolerance > 0 && tolerance < 1)) fail('refine.tolerance', 'a number in (0, 1): the allowed |gap| as a fraction of |f(x) − f(baseline)|', describe(tolerance));
  if (maxGradients !== undefined && (typeof maxGradients !== 'number' || !Number.isInteger(maxGradients) || maxGradients < 0)) {
    fail('refine.maxGradients', 'a whole number ≥ 0 (extra gradients per example)', describe(maxGradients));
  }
  return { tolerance, maxGradients: maxGradients ?? null };
}

/**
 * The scale a completeness gap is measured against: |f(x) − f(baseline)|, but never below 2% of the
 * larger |f| at the two ends (where the output barely changes, a relative gap means nothing).
 */
export function gapScale(fInput: number, fBaseline: number): number {
  return Math.max(Math.abs(fInput - fBaseline), 0.02 * Math.max(Math.abs(fInput), Math.abs(fBaseline)));
}

/** One point asked for: segment `segment` of path `path`, at t ∈ [0, 1]. */
export interface PathQuery {
  readonly path: number;
  readonly segment: number;
  readonly t: number;
}

/** What a method tells the refinement about its paths (all in the path's own direction of travel). */
export interface RefinablePaths {
  /** f at the segment ends γ_0 … γ_K, per path `[P][K + 1]`. */
  readonly values: ReadonlyArray<ArrayLike<number>>;
  /** The method's estimate of ∫ ∇f · dγ over each segment, per path `[P][K]` (≈ values[k + 1] − values[k]). */
  readonly own: ReadonlyArray<ArrayLike<number>>;
  /** Paths per example (IG2: its references; their gaps are averaged, like its attribution). Path p is example ⌊p / perExample⌋'s. */
  readonly perExample: number;
  /** The explained class of each path. */
  readonly targets: readonly number[];
  /** Features per example. */
  readonly features: number;
  /** The points γ(t) and the derivatives dγ/dt there, `[Q, ...]` each (owned by the caller of `at`). */
  at(queries: readonly PathQuery[]): { points: tf.Tensor; directions: tf.Tensor };
  /** The explained output and its input gradient at points `[Q, ...]`. */
  valueAndGrad(points: tf.Tensor, targets: readonly number[]): { value: tf.Tensor; grad: tf.Tensor };
  /**
   * How the method's estimate of a segment is made: `'leftPoint'` (default: ∇f at t = 0, weight 1, as
   * Guided IG, IG2 and Blur IG do), or a function giving the estimate's vector (IG's whole rule).
   */
  readonly ownRule?: 'leftPoint' | ((path: number, segment: number) => ArrayLike<number>);
  /** Simpson pieces a segment becomes when first refined (default 1; IG: ⌈steps / 2⌉). */
  readonly firstPieces?: number;
  /** The oracle's rows per model call; a refinement round asks for a few calls' worth. */
  readonly rowsPerCall: number;
}

/** A refined part [a, c] of a segment, with f and the integrand ∇f ⊙ dγ/dt at a, its midpoint and c. */
interface Piece {
  readonly a: number;
  readonly c: number;
  readonly fa: number;
  readonly fm: number;
  readonly fc: number;
  readonly va: Float32Array;
  readonly vm: Float32Array;
  readonly vc: Float32Array;
}

/** What refinement did, per example (in the method's attribution's sign: gap = Σ attribution − Δf). */
export interface RefinementRecord {
  readonly tolerance: number;
  readonly maxGradients: number;
  /** Extra gradient evaluations per example. */
  readonly extraGradients: number[];
  readonly gapBefore: number[];
  readonly gapAfter: number[];
  /** Segments integrated by more than the method's rule, per example (all paths of the example). */
  readonly segmentsRefined: number[];
  /** Whether |gap| ended within tolerance. */
  readonly withinTolerance: boolean[];
}

export interface RefineResult {
  /** Per path: what to add to its Σ_k estimate vectors (path direction), or null where nothing changed. */
  readonly correction: Array<Float64Array | null>;
  /** Per path and segment: the scalar estimate now (refined or the method's own). */
  readonly segmentSums: number[][];
  /** Per path and segment: the refined pieces' [a, c, scalar], or null for untouched segments. */
  readonly pieces: Array<Array<Array<[number, number, number]> | null>>;
  /** The record, with the gaps in the path's direction times `sign`. */
  record(sign: 1 | -1): RefinementRecord;
}

const simpsonSum = (p: Piece, features: number): number => {
  let s = 0;
  for (let i = 0; i < features; i++) s += p.va[i] + 4 * p.vm[i] + p.vc[i];
  return ((p.c - p.a) / 6) * s;
};

function addSimpson(into: Float64Array, p: Piece, sign: number): void {
  const w = (sign * (p.c - p.a)) / 6;
  for (let i = 0; i < into.length; i++) into[i] += w * (p.va[i] + 4 * p.vm[i] + p.vc[i]);
}

/** One segment's state: the method's own estimate until first refined, then Simpson pieces. */
interface Segment {
  readonly path: number;
  readonly index: number;
  pieces: Array<{ piece: Piece; sum: number }> | null;
  sum: number;
  /** The pieces' errors, or the segment's own, for picking the worst. */
  error: number;
}

interface Task {
  readonly segment: Segment;
  /** null: the whole segment's first refinement. */
  readonly piece: { piece: Piece; sum: number } | null;
  readonly queries: PathQuery[];
}

/**
 * Refines the paths until every example's |gap| ≤ tolerance · gapScale or its budget (`spec.maxGradients`,
 * or `defaultBudget`) is spent. One batched gradient call per round over all examples and segments.
 */
export async function refinePaths(paths: RefinablePaths, spec: RefineSpec, defaultBudget: number): Promise<RefineResult> {
  const { values, own, perExample, features } = paths;
  const P = values.length;
  const examples = Math.ceil(P / perExample);
  const budget = spec.maxGradients ?? Math.ceil(DEFAULT_BUDGET_FACTOR * defaultBudget);
  const K = own.map((o) => o.length);
  const usable = values.map((v) => Array.from(v).every(Number.isFinite));
  const segments: Segment[][] = own.map((o, p) =>
    Array.from({ length: o.length }, (_, k) => ({ path: p, index: k, pieces: null, sum: o[k], error: usable[p] ? values[p][k + 1] - values[p][k] - o[k] : 0 })),
  );
  const correction: Array<Float64Array | null> = new Array(P).fill(null);
  const spent = new Array<number>(examples).fill(0);
  const refined = new Array<number>(examples).fill(0);
  const pathsOf = (b: number) => Array.from({ length: perExample }, (_, r) => b * perExample + r).filter((p) => p < P && usable[p]);
  const mean = (b: number, f: (p: number) => number) => {
    const ps = pathsOf(b);
    return ps.length ? ps.reduce((s, p) => s + f(p), 0) / ps.length : 0;
  };
  const delta = Array.from({ length: examples }, (_, b) => mean(b, (p) => values[p][K[p]] - values[p][0]));
  const allowed = Array.from({ length: examples }, (_, b) => spec.tolerance * gapScale(mean(b, (p) => values[p][0]), mean(b, (p) => values[p][K[p]])));
  const gapOf = (b: number) => mean(b, (p) => segments[p].reduce((s, seg) => s + seg.sum, 0)) - delta[b];
  const gapBefore = Array.from({ length: examples }, (_, b) => gapOf(b));

  const pieceError = (p: Piece, sum: number) => p.fc - p.fa - sum;
  const firstPieces = paths.firstPieces ?? 1;
  const firstCost = 2 * firstPieces + 1;
  // Rows per round: the method's share of model calls, and at most HOST_FLOATS_PER_ROUND integrand values.
  const cap = Math.max(1, Math.min(CALLS_PER_ROUND * paths.rowsPerCall, Math.floor(HOST_FLOATS_PER_ROUND / features)));
  for (;;) {
    const tasks: Task[] = [];
    // The examples furthest off first; each gets its share of the round (at least one task while it fits).
    const order = Array.from({ length: examples }, (_, b) => b)
      .filter((b) => Math.abs(gapOf(b)) > allowed[b])
      .sort((u, v) => Math.abs(gapOf(v)) / allowed[v] - Math.abs(gapOf(u)) / allowed[u]);
    const share = Math.ceil(cap / Math.max(1, order.length));
    let roundRows = 0;
    for (const b of order) {
      const gap = gapOf(b);
      // The worst parts first, until their errors cover the excess (at least one).
      const candidates: Array<{ error: number; segment: Segment; piece: { piece: Piece; sum: number } | null }> = [];
      for (const p of pathsOf(b)) {
        for (const segment of segments[p]) {
          if (segment.pieces === null) candidates.push({ error: segment.error, segment, piece: null });
          else for (const piece of segment.pieces) if (piece.piece.c - piece.piece.a > MIN_WIDTH) candidates.push({ error: pieceError(piece.piece, piece.sum), segment, piece });
        }
      }
      candidates.sort((u, v) => Math.abs(v.error) - Math.abs(u.error));
      let covered = 0;
      let rows = 0;
      const excess = (Math.abs(gap) - allowed[b]) * perExample;
      for (const { error, segment, piece } of candidates) {
        if (covered >= excess || error === 0) break;
        const cost = piece ? 2 : firstCost;
        if (spent[b] + cost > budget) continue;
        if ((rows > 0 && rows + cost > share) || (roundRows > 0 && roundRows + cost > cap)) break;
        spent[b] += cost;
        rows += cost;
        roundRows += cost;
        covered += Math.abs(error);
        const { path, index } = segment;
        const queries = piece
          ? [(piece.piece.a + (piece.piece.a + piece.piece.c) / 2) / 2, ((piece.piece.a + piece.piece.c) / 2 + piece.piece.c) / 2].map((t) => ({ path, segment: index, t }))
          : Array.from({ length: firstCost }, (_, j) => ({ path, segment: index, t: j / (firstCost - 1) }));
        tasks.push({ segment, piece, queries });
      }
    }
    if (tasks.length === 0) break;
    const queries = tasks.flatMap((t) => t.queries);
    const [integrand, value] = await evaluate(paths, queries);
    let q = 0;
    for (const task of tasks) {
      const at = (j: number) => integrand.subarray((q + j) * features, (q + j + 1) * features);
      const { segment } = task;
      const path = segment.path;
      const fix = (correction[path] ??= new Float64Array(features));
      if (task.piece === null) {
        const n = firstPieces;
        const f = (j: number) => (j === 0 ? values[path][segment.index] : j === 2 * n ? values[path][segment.index + 1] : value[q + j]);
        segment.pieces = Array.from({ length: n }, (_, i) => {
          const piece: Piece = { a: (2 * i) / (2 * n), c: (2 * i + 2) / (2 * n), fa: f(2 * i), fm: f(2 * i + 1), fc: f(2 * i + 2), va: at(2 * i), vm: at(2 * i + 1), vc: at(2 * i + 2) };
          addSimpson(fix, piece, 1);
          return { piece, sum: simpsonSum(piece, features) };
        });
        // Take the method's own estimate of this segment out.
        const ownVector = typeof paths.ownRule === 'function' ? paths.ownRule(path, segment.index) : at(0);
        for (let i = 0; i < features; i++) fix[i] -= ownVector[i];
        refined[Math.floor(path / perExample)]++;
      } else {
        const parent = task.piece.piece;
        const m = (parent.a + parent.c) / 2;
        const left: Piece = { a: parent.a, c: m, fa: parent.fa, fm: value[q], fc: parent.fm, va: parent.va, vm: at(0), vc: parent.vm };
        const right: Piece = { a: m, c: parent.c, fa: parent.fm, fm: value[q + 1], fc: parent.fc, va: parent.vm, vm: at(1), vc: parent.vc };
        addSimpson(fix, parent, -1);
        addSimpson(fix, left, 1);
        addSimpson(fix, right, 1);
        const list = segment.pieces!;
        list.splice(list.indexOf(task.piece), 1, { piece: left, sum: simpsonSum(left, features) }, { piece: right, sum: simpsonSum(right, features) });
      }
      segment.sum = segment.pieces!.reduce((s, p) => s + p.sum, 0);
      q += task.queries.length;
    }
  }
  const gapAfter = Array.from({ length: examples }, (_, b) => gapOf(b));
  return {
    correction,
    segmentSums: segments.map((s) => s.map((seg) => seg.sum)),
    pieces: segments.map((s) => s.map((seg) => (seg.pieces ? seg.pieces.map(({ piece, sum }) => [piece.a, piece.c, sum] as [number, number, number]) : null))),
    record: (sign) => ({
      tolerance: spec.tolerance,
      maxGradients: budget,
      extraGradients: spent,
      gapBefore: gapBefore.map((g) => sign * g),
      gapAfter: gapAfter.map((g) => sign * g),
      segmentsRefined: refined,
      withinTolerance: gapAfter.map((g, b) => Math.abs(g) <= allowed[b]),
    }),
  };
}

/** Integrand ∇f ⊙ dγ/dt `[Q · features]` and f `[Q]` at the queried points, in one (chunked) gradient call. */
async function evaluate(paths: RefinablePaths, queries: readonly PathQuery[]): Promise<[Float32Array, Float32Array]> {
  const [integrand, value] = tf.tidy(() => {
    const { points, directions } = paths.at(queries);
    const { value: v, grad } = paths.valueAndGrad(points, queries.map((q) => paths.targets[q.path]));
    return [tf.mul(grad, directions).reshape([queries.length, paths.features]), v];
  });
  const [a, b] = await readAll([integrand, value]);
  return [a, b];
}

/** Linear path geometry from host copies of the knots γ_0 … γ_K of every path (`knots(p, k)`). */
export function linearGeometry(
  knots: (path: number, k: number) => ArrayLike<number>,
  exampleShape: readonly number[],
): (queries: readonly PathQuery[]) => { points: tf.Tensor; directions: tf.Tensor } {
  return (queries) => {
    const features = exampleShape.reduce((a, d) => a * d, 1);
    const points = new Float32Array(queries.length * features);
    const directions = new Float32Array(queries.length * features);
    queries.forEach(({ path, segment, t }, q) => {
      const start = knots(path, segment);
      const end = knots(path, segment + 1);
      for (let i = 0; i < features; i++) {
        const d = end[i] - start[i];
        directions[q * features + i] = d;
        points[q * features + i] = start[i] + t * d;
      }
    });
    return { points: tf.tensor(points, [queries.length, ...exampleShape]), directions: tf.tensor(directions, [queries.length, ...exampleShape]) };
  };
}
