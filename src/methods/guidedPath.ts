/**
 * The Guided IG path schedule (Kapishnikov et al. 2021; pathlens spec guided-ig.md §1.3), for one
 * example, in plain float64. Everything here must stay float64: in float32 the 1e-9 closeness test
 * can never succeed and the reference schedule loops forever.
 */
export interface GuidedPathOptions {
  readonly steps: number;
  readonly fraction: number;
  readonly maxDist: number;
}

const EPSILON = 1e-9;

function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= Math.max(EPSILON * Math.max(Math.abs(a), Math.abs(b)), EPSILON);
}

/** The path state of one example: its position p moves from the baseline b to the input x. */
export class GuidedPath {
  readonly position: Float64Array;
  readonly attribution: Float64Array;
  /** Total L1 distance from the baseline to the input. */
  readonly length: number;
  /** What the last step added to Σ attribution. */
  stepSum = 0;
  private readonly delta: Float64Array;
  private readonly scratch: Float64Array;
  private readonly excluded: Float64Array;
  private readonly start: Float64Array;

  constructor(
    private readonly input: Float64Array,
    private readonly baseline: Float64Array,
    private readonly options: GuidedPathOptions,
  ) {
    const n = input.length;
    this.position = Float64Array.from(baseline);
    this.attribution = new Float64Array(n);
    this.delta = new Float64Array(n);
    let length = 0;
    for (let i = 0; i < n; i++) {
      this.delta[i] = input[i] - baseline[i];
      length += Math.abs(this.delta[i]);
    }
    this.length = length;
    this.scratch = new Float64Array(n);
    this.excluded = new Float64Array(n);
    this.start = new Float64Array(n);
  }

  /** True when input and baseline coincide: the attribution is zero and no gradient is needed. */
  get empty(): boolean {
    return this.length === 0;
  }

  /** L1 distance still to go, as a fraction: 0 at the baseline, 1 at the input. */
  progress(): number {
    return this.empty ? 1 : 1 - this.distanceToInput() / this.length;
  }

  private distanceToInput(): number {
    let d = 0;
    for (let i = 0; i < this.position.length; i++) d += Math.abs(this.position[i] - this.input[i]);
    return d;
  }

  /**
   * Step t (0-based) with the gradient taken at the current position. Moves the position, adds
   * (p_end − p_start) ⊙ G to the attribution (a left Riemann term) and returns the fraction of
   * features that moved.
   */
  step(t: number, gradient: ArrayLike<number>): number {
    const { steps, fraction, maxDist } = this.options;
    const { position: p, baseline: b, delta: d, excluded } = this;
    const n = p.length;
    const alpha = (t + 1) / steps;
    const alphaLo = Math.max(alpha - maxDist, 0);
    const alphaHi = Math.min(alpha + maxDist, 1);
    const target = this.length * (1 - (t + 1) / steps);
    // The k-th smallest |G'| (0-based), numpy quantile(..., 'lower') over all N features.
    const k = Math.floor((n - 1) * fraction);
    this.start.set(p);
    for (let i = 0; i < n; i++) {
      // A NaN gradient is ranked like an infinite one (never selected); the attribution stays NaN and
      // explain() reports it as it does for every method.
      excluded[i] = Number.isNaN(gradient[i]) ? Infinity : Math.abs(gradient[i]);
    }

    for (;;) {
      // Lagging features catch up with the lower bound of the band around the straight line.
      for (let i = 0; i < n; i++) {
        if (d[i] === 0) continue;
        if ((p[i] - b[i]) / d[i] < alphaLo) p[i] = b[i] + d[i] * alphaLo;
      }
      const current = this.distanceToInput();
      if (isClose(target, current)) break;
      // Features at the upper bound cannot move further in this step.
      for (let i = 0; i < n; i++) if (p[i] === b[i] + d[i] * alphaHi) excluded[i] = Infinity;
      const threshold = kthSmallest(excluded, k, this.scratch);
      let reach = 0;
      for (let i = 0; i < n; i++) {
        if (excluded[i] <= threshold && excluded[i] !== Infinity) reach += Math.abs(p[i] - (b[i] + d[i] * alphaHi));
      }
      const gamma = reach > 0 ? (current - target) / reach : Infinity;
      // The reference loops forever (nothing selectable) or asserts (overshoot) here; we stop the step.
      if (reach === 0 || !(gamma > 0)) break;
      const last = gamma <= 1;
      for (let i = 0; i < n; i++) {
        if (excluded[i] > threshold || excluded[i] === Infinity) continue;
        const hi = b[i] + d[i] * alphaHi;
        p[i] = last ? p[i] + (hi - p[i]) * gamma : hi;
      }
      if (last) break;
    }

    let moved = 0;
    let added = 0;
    for (let i = 0; i < n; i++) {
      const change = p[i] - this.start[i];
      if (change !== 0) moved++;
      this.attribution[i] += change * gradient[i];
      added += change * gradient[i];
    }
    this.stepSum = added;
    return moved / n;
  }
}

/** The k-th smallest value (0-based) of `values`, by quickselect on `scratch`; `values` is unchanged. */
export function kthSmallest(values: Float64Array, k: number, scratch: Float64Array): number {
  scratch.set(values);
  let lo = 0;
  let hi = scratch.length - 1;
  while (hi > lo) {
    // Median of three as pivot, then a Hoare partition.
    const mid = (lo + hi) >>> 1;
    const a = scratch[lo];
    const b = scratch[mid];
    const c = scratch[hi];
    const pivot = a < b ? (b < c ? b : a < c ? c : a) : a < c ? a : b < c ? c : b;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (scratch[i] < pivot) i++;
      while (scratch[j] > pivot) j--;
      if (i <= j) {
        const tmp = scratch[i];
        scratch[i] = scratch[j];
        scratch[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return scratch[k];
  }
  return scratch[k];
}
