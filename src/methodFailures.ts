import type { PathTrace } from './methods/types.js';

/**
 * After a method ran: where the model's gradient was NaN or Infinity along its path (read from the
 * trace's gradient norms, which every method records per example and point). Throws when some example
 * has no finite point at all (nothing can be attributed there); returns a notice when only some points
 * are affected (those examples' attributions are not finite); null when every point is finite. The same
 * rule for every method: IG, Guided IG, IG2, Blur IG, SmoothGrad and the gradient.
 */
export function nonFiniteNotice(label: string, trace: PathTrace): string | null {
  const bad: Array<{ example: number; count: number; total: number; first: number }> = [];
  trace.gradNorm.forEach((norms, example) => {
    const flags = norms.map((n) => !Number.isFinite(n));
    const count = flags.filter(Boolean).length;
    if (count > 0) bad.push({ example, count, total: norms.length, first: flags.indexOf(true) });
  });
  if (bad.length === 0) return null;
  const remedy = 'check the model on the inputs between the baseline and x, or start elsewhere (baseline)';
  const everywhere = bad.find((e) => e.count === e.total);
  if (everywhere) {
    throw new Error(
      `${label}: the model's gradient is NaN or Infinity at every point of the path of example ${everywhere.example} ` +
        `(${everywhere.total} points, from step ${everywhere.first}), so nothing can be attributed; ${remedy}`,
    );
  }
  const where = bad.slice(0, 3).map((e) => `example ${e.example}: ${e.count} of ${e.total} points, first at step ${e.first}`);
  return (
    `${label}: the model's gradient is NaN or Infinity at some points of the path (${where.join('; ')}${bad.length > 3 ? '; …' : ''}); ` +
    `the attribution of ${bad.length === 1 ? 'that example is' : 'those examples is'} not finite; ${remedy}`
  );
}

/**
 * A method that threw (the model's forward pass or gradient, or the method itself) as one error naming
 * the method and the step it was on: `guidedIG (step 3 of 200): …`. The original error is its `cause`.
 */
export function methodError(label: string, step: { done: number; total: number }, error: unknown): unknown {
  if (!(error instanceof Error) || error.name === 'AbortError') return error;
  const at = step.total > 0 ? ` (step ${Math.min(step.done + 1, step.total)} of ${step.total})` : ' (step 1)';
  return new Error(`${label}${at}: ${error.message}`, { cause: error });
}
