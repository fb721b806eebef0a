/** Integration rules for path integrals over α ∈ [0, 1], as Captum defines them. */
export const RULES = ['riemannLeft', 'riemannRight', 'riemannMiddle', 'riemannTrapezoid', 'gaussLegendre'] as const;
export type Rule = (typeof RULES)[number];

/** Points α_k (ascending) and weights w_k such that ∫₀¹ g(α) dα ≈ Σ w_k g(α_k). */
export function quadrature(rule: Rule, steps: number): { alphas: number[]; weights: number[] } {
  const n = steps;
  const range = (f: (k: number) => number) => Array.from({ length: n }, (_, k) => f(k));
  switch (rule) {
    case 'riemannLeft':
      return { alphas: range((k) => k / n), weights: range(() => 1 / n) };
    case 'riemannRight':
      return { alphas: range((k) => (k + 1) / n), weights: range(() => 1 / n) };
    case 'riemannMiddle':
      return { alphas: range((k) => (k + 0.5) / n), weights: range(() => 1 / n) };
    case 'riemannTrapezoid': {
      if (n < 2) throw new Error(`steps: expected at least 2 for rule 'riemannTrapezoid', got ${n}`);
      return {
        alphas: range((k) => k / (n - 1)),
        weights: range((k) => (k === 0 || k === n - 1 ? 1 / (2 * (n - 1)) : 1 / (n - 1))),
      };
    }
    case 'gaussLegendre': {
      const { nodes, weights } = gaussLegendre(n);
      return { alphas: nodes.map((z) => 0.5 * (1 + z)), weights: weights.map((w) => 0.5 * w) };
    }
  }
}

/** Gauss–Legendre nodes on [-1, 1] (ascending) and weights, by Newton's method on P_n. */
export function gaussLegendre(n: number): { nodes: number[]; weights: number[] } {
  // P_n(z) and P_n'(z) by the three-term recurrence.
  const legendre = (z: number): [number, number] => {
    let p0 = 1;
    let p1 = z;
    for (let j = 2; j <= n; j++) {
      const p2 = ((2 * j - 1) * z * p1 - (j - 1) * p0) / j;
      p0 = p1;
      p1 = p2;
    }
    return [p1, (n * (z * p1 - p0)) / (z * z - 1)];
  };
  const nodes = new Array<number>(n);
  const weights = new Array<number>(n);
  for (let i = 0; i < Math.ceil(n / 2); i++) {
    let z = Math.cos((Math.PI * (i + 0.75)) / (n + 0.5));
    for (let iteration = 0; iteration < 100; iteration++) {
      const [p, dp] = legendre(z);
      const next = z - p / dp;
      // Newton converges quadratically from this guess; near ±1 a step can bounce between two neighbouring
      // doubles, so "converged" is a step of a few ulps, not exactly zero.
      const done = Math.abs(next - z) <= 4 * Number.EPSILON;
      z = next;
      if (done) break;
    }
    const [, dp] = legendre(z);
    const w = 2 / ((1 - z * z) * dp * dp);
    nodes[i] = -z;
    nodes[n - 1 - i] = z;
    weights[i] = w;
    weights[n - 1 - i] = w;
  }
  return { nodes, weights };
}
