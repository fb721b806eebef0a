// Saying when a path method's attributions do not add up to f(x) − f(baseline).
import type { MethodRecord } from './explanation.js';
import { gapScale } from './methods/refine.js';

/** Methods whose attributions should add up (completeness). */
const PATH_METHODS = ['ig', 'guidedIG', 'ig2', 'blurIG'];

/** A gap above this fraction of |f(x) − f(baseline)| (see gapScale for the floor) gets a notice. */
export const NOTICE_GAP = 0.05;

const REMEDY: Record<string, string> = {
  ig: 'more steps',
  guidedIG: 'a smaller maxDist (its gap scales with maxDist, not with steps)',
  ig2: 'a smaller stepSize with more steps',
  blurIG: 'more steps',
};

/** Per example: whether the method is a path method and its |gap| exceeds NOTICE_GAP of the gap scale. */
export function gapFlags(record: MethodRecord): boolean[] {
  const c = record.completeness;
  if (!PATH_METHODS.includes(record.method)) return c.gap.map(() => false);
  return c.gap.map((g, b) => Math.abs(g) > NOTICE_GAP * gapScale(c.fInput[b], c.fBaseline[b]));
}

const EXAMPLES_LISTED = 8;
const num = (v: number) => (Math.abs(v) >= 1e-3 && Math.abs(v) < 1e4 ? v.toFixed(4) : v.toExponential(2));

/** The notice for one method's run, or null when every example adds up. */
export function completenessNotice(record: MethodRecord): string | null {
  const flags = gapFlags(record);
  const bad = flags.flatMap((f, b) => (f ? [b] : []));
  if (bad.length === 0) return null;
  const { sum, delta, gap } = record.completeness;
  const listed = bad.slice(0, EXAMPLES_LISTED).map((b) => {
    const percent = delta[b] === 0 ? '' : `, ${Math.round((100 * Math.abs(gap[b])) / Math.abs(delta[b]))}% of |Δf|`;
    return `example ${b}: Σ attribution ${num(sum[b])} vs f(x) − f(baseline) ${num(delta[b])} (gap ${num(gap[b])}${percent})`;
  });
  if (bad.length > EXAMPLES_LISTED) listed.push(`and ${bad.length - EXAMPLES_LISTED} more`);
  const name = record.label === record.method ? record.method : `'${record.label}' (${record.method})`;
  const refinement = record.trace.refinement;
  const remedy = refinement
    ? `refine stopped at its budget (maxGradients ${refinement.maxGradients} extra gradients per example): raise refine.maxGradients, or use ${REMEDY[record.method]}`
    : `pass refine: true to integrate the same path more exactly, or use ${REMEDY[record.method]}`;
  return `pathlens: ${name}: the attributions do not add up to f(x) − f(baseline) within ${NOTICE_GAP * 100}% for ${listed.join('; ')}. The path is the method's own; its integral is too coarse there: ${remedy}.`;
}

let quiet = 0;

/**
 * Runs `work` without printing completeness notices (they still reach `ex.notices`): for runs whose
 * completeness nobody asked about, such as the randomized models of the model-randomization check.
 */
export async function withoutPrintedNotices<T>(work: () => Promise<T>): Promise<T> {
  quiet++;
  try {
    return await work();
  } finally {
    quiet--;
  }
}

/** The notices of a run's records, once each. */
export function completenessNotices(records: readonly MethodRecord[]): string[] {
  return [...new Set(records.map(completenessNotice).filter((n): n is string => n !== null))];
}

/** Prints each notice as one warning line (stderr in a notebook, not an error), unless made quiet. */
export function printNotices(notices: readonly string[]): void {
  if (quiet === 0) notices.forEach((n) => console.warn(n));
}
