import type * as tf from '@tensorflow/tfjs';
import type { ModelAdapter } from '../model.js';
import type { GradientOracle } from '../oracle.js';
import type { RefinementRecord } from './refine.js';

/** What every method is given: the model (through the oracle), the inputs and where the path starts. */
export interface MethodInput {
  readonly oracle: GradientOracle;
  /** The explicands, `[B, ...]`. */
  readonly x: tf.Tensor;
  /** Where paths start, with x's shape. */
  readonly baseline: tf.Tensor;
  /** The class explained for each example. */
  readonly targets: readonly number[];
  /** Called after each batch of gradient evaluations. */
  readonly onStep?: (done: number, total: number) => void;
  /** The model itself, for methods that need more than the oracle's explained output (IG2's representation). */
  readonly model?: ModelAdapter;
}

/**
 * Per example and per gradient evaluation along the path (arrays `[B][T]`, T in path order).
 * A non-path method (the plain gradient) has T = 1, at the input.
 */
export interface PathTrace {
  /** Where along the path the gradient was taken: 0 is the baseline, 1 the input. */
  readonly progress: number[][];
  /** The explained output (`output[b, target[b]]`) at that point. */
  readonly output: number[][];
  /** The L2 norm of the input gradient there. */
  readonly gradNorm: number[][];
  /** The fraction of features that moved during the step that starts there. */
  readonly moved: number[][];
  /**
   * Path methods: the part of Σ attribution each step added (summed over features), `[B][T]`; the steps
   * of a path add up to Σ attribution. IG2: averaged over references, like its attribution.
   */
  readonly stepSum?: number[][];
  /** With `keepPath`: the points themselves, `[B, T, ...]` (IG2: `[B, K + 1, R, ...]`, both ends included). */
  readonly points?: tf.Tensor;
  /** IG2, per example, path point γ_0 … γ_K and reference: ‖h(γ_j) − h(reference)‖², `[B][K + 1][R]`. */
  readonly referenceDistance?: number[][][];
  /** IG2: the explained output at γ_0 … γ_K, per reference, `[B][K + 1][R]`. */
  readonly referenceOutput?: number[][][];
  /** IG2: the L2 length of each step actually taken (after clipping), `[B][K][R]`. */
  readonly stepLength?: number[][][];
  /** IG2: the GradCF baselines (the ends of the paths), `[B, R, ...]`. */
  readonly gradCF?: tf.Tensor;
  /** With `refine`: what the refinement of the path integral took and left (see RefinementRecord). */
  readonly refinement?: RefinementRecord;
  /** Anything the method had to work around (also printed with console.warn). */
  readonly warnings?: string[];
}

export interface MethodResult {
  /** x's shape, float32. */
  readonly attribution: tf.Tensor;
  readonly trace: PathTrace;
  /**
   * For methods whose path does not start at the builder's baseline, or that explain another output
   * (IG2, Blur IG): the explained output at the input and at the path's start, per example.
   */
  readonly completeness?: { readonly fInput?: ArrayLike<number>; readonly fBaseline: ArrayLike<number> };
}

/** The tensors a trace owns. */
export function traceTensors(trace: PathTrace): tf.Tensor[] {
  return [trace.points, trace.gradCF].filter((t): t is tf.Tensor => t !== undefined);
}

/** Turns step-major flat rows (row = t·B + b) into per-example arrays `[B][T]`. */
export function byExample(flat: ArrayLike<number>, examples: number, steps: number): number[][] {
  const out: number[][] = Array.from({ length: examples }, () => new Array<number>(steps));
  for (let t = 0; t < steps; t++) for (let b = 0; b < examples; b++) out[b][t] = flat[t * examples + b];
  return out;
}

/** Lets the event loop breathe between batches, so a notebook kernel stays responsive. */
export const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
