/**
 * One example's data for the widgets, as Float32Arrays: the input, each method's attribution, and, for
 * methods run with `keepPath`, frames along the path: the point, the attribution accumulated so far per
 * map cell (channels summed), and the explained output there.
 *
 * The accumulated attribution is recomputed from the kept points (gradients at the points, in chunks of
 * internalBatchSize): Σ_{s<t} ∇f(γ_s)·(γ_{s+1} − γ_s), the left Riemann sum along the points. For Guided IG
 * and IG with `rule: 'riemannLeft'` its end is the method's own attribution; for other rules it is the
 * estimate along the same points. IG2 walks from x to its GradCF baselines taking the gradient at the
 * point nearer x, so its paths are read backwards with the gradient at each segment's end (its end is IG2's
 * attribution) and averaged over references (the point shown is the first reference's).
 */
import * as tf from '@tensorflow/tfjs';
import type { Explanation } from '../explanation.js';
import type { EvaluationContext } from '../metrics/evaluate.js';
import { createOracle } from '../oracle.js';
import { layoutOf } from '../render/normalize.js';

/** By default at most this many frames per method are sent (evenly spaced, both ends kept)... */
export const MAX_FRAMES = 32;
/** ...and fewer for large inputs: the path buffers of one widget stay under this many bytes (they are also saved in the notebook, base64). */
export const PATH_BYTES = 8 * 1024 * 1024;
/** The most frames per method a caller may ask for (`ex.widget(kind, { frames })`). */
export const FRAMES_LIMIT = 256;

/**
 * Frames per method: `requested` when given (the caller chose the size), else within {@link PATH_BYTES}
 * and never more than MAX_FRAMES; never fewer than 2 (the ends).
 */
export function frameBudget(methodsWithPath: number, floatsPerFrame: number, requested?: number): number {
  if (requested !== undefined) return Math.max(2, Math.min(FRAMES_LIMIT, requested));
  const fit = Math.floor(PATH_BYTES / (4 * Math.max(1, methodsWithPath) * Math.max(1, floatsPerFrame)));
  return Math.max(2, Math.min(MAX_FRAMES, fit));
}

export interface WidgetData {
  readonly example: number;
  /** How the example is drawn: an image, a sequence (tokens) or a flat vector (bars). */
  readonly layout: 'image' | 'sequence' | 'vector';
  /** One label per position of a sequence or vector (tokens, feature names); empty for images. */
  readonly labels: string[];
  readonly target: number;
  readonly methods: string[];
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly input: Float32Array;
  /** `[M, H·W·C]`. */
  readonly attributions: Float32Array;
  /** Frames per method (0: no path kept). */
  readonly frames: number[];
  /** `[Σ frames, H·W·C]`. */
  readonly pathPoints: Float32Array;
  /** `[Σ frames, H·W]`. */
  readonly pathCumulative: Float32Array;
  /** `[Σ frames]`. */
  readonly pathOutputs: Float32Array;
  /** Why some methods have no frames (empty when all have). */
  readonly pathNote: string;
}

export const KEEP_PATH_HINT = 'run the methods with keepPath, e.g. explain(model, x).ig({ keepPath: true }).guidedIG({ keepPath: true })';

function exampleOf(t: tf.Tensor, b: number): tf.Tensor {
  return tf.tidy(() => t.slice(b, 1).squeeze([0]));
}

/** The path's points in baseline → input order, `[n, ...x]` (one tensor per IG2 reference). */
function pathsOf(points: tf.Tensor, method: string, x: tf.Tensor): tf.Tensor[] {
  return tf.tidy(() => {
    if (method === 'ig2') {
      const refs = points.shape[1] as number; // [K + 1, R, ...]
      return Array.from({ length: refs }, (_, r) => tf.reverse(points.gather([r], 1).squeeze([1]), 0));
    }
    const last = points.slice(points.shape[0] - 1, 1);
    const atX = tf.max(tf.abs(tf.sub(last, x.expandDims(0)))).dataSync()[0] < 1e-6;
    return [atX ? points : tf.concat([points, x.expandDims(0)], 0)];
  });
}

function frameIndices(n: number, max: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  return Array.from({ length: max }, (_, i) => Math.round((i * (n - 1)) / (max - 1)));
}

interface Frames {
  points: Float32Array;
  cumulative: Float32Array;
  outputs: Float32Array;
  count: number;
}

function framesOf(context: EvaluationContext, numClasses: number, paths: tf.Tensor[], target: number, cells: number, channels: number, gradientAtEnd: boolean, maxFrames: number): Frames {
  const oracle = createOracle(context.model, numClasses, context.internalBatchSize);
  const n = paths[0].shape[0];
  const keep = frameIndices(n, maxFrames);
  const cumSum = new Float64Array(keep.length * cells);
  const outSum = new Float64Array(keep.length);
  for (const path of paths) {
    const [cumulative, outputs] = tf.tidy(() => {
      const { value, grad } = oracle.valueAndGrad(path, new Array(n).fill(target));
      const step = tf.mul(grad.slice(gradientAtEnd ? 1 : 0, n - 1), tf.sub(path.slice(1), path.slice(0, n - 1)));
      const perCell = step.reshape([n - 1, cells, channels]).sum(2);
      const cum = tf.concat([tf.zeros([1, cells]), tf.cumsum(perCell, 0)], 0);
      return [cum.gather(keep).dataSync() as Float32Array, value.gather(keep).dataSync() as Float32Array];
    });
    cumulative.forEach((v, i) => (cumSum[i] += v / paths.length));
    outputs.forEach((v, i) => (outSum[i] += v / paths.length));
  }
  const points = tf.tidy(() => paths[0].gather(keep).dataSync() as Float32Array);
  return { points, cumulative: Float32Array.from(cumSum), outputs: Float32Array.from(outSum), count: keep.length };
}

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function widgetData(ex: Explanation, context: EvaluationContext | null, example: number, withPoints: boolean, labels: string[] = [], framesAsked?: number): WidgetData {
  const count = ex.inputShape[0];
  if (!Number.isInteger(example) || example < 0 || example >= count) throw new Error(`example: expected an example index in [0, ${count}), got ${JSON.stringify(example)}`);
  const layout = layoutOf(ex.inputShape.slice(1));
  const cells = layout.height * layout.width;
  const methods = ex.methods;
  const input = ex.input ? exampleOf(ex.input, example) : undefined;
  const inputValues = input ? (input.dataSync() as Float32Array).slice() : new Float32Array(cells * layout.channels);
  const attributions = concat(methods.map((m) => tf.tidy(() => (exampleOf(ex.attribution(m), example).dataSync() as Float32Array).slice())));
  const target = ex.targets[example];
  const frames: number[] = [];
  const points: Float32Array[] = [];
  const cumulative: Float32Array[] = [];
  const outputs: Float32Array[] = [];
  const without: string[] = [];
  let numClasses: number | undefined;
  const withPath = methods.filter((m) => ex.path(m).points).length;
  const maxFrames = frameBudget(withPath, (withPoints ? cells * layout.channels : 0) + cells + 1, framesAsked);
  try {
    for (const m of methods) {
      const kept = ex.path(m).points;
      if (!kept || !context || !input) {
        frames.push(0);
        without.push(m);
        continue;
      }
      numClasses ??= tf.tidy(() => context.model.forward(input.expandDims(0)).shape[1]);
      const example_points = exampleOf(kept, example);
      const paths = pathsOf(example_points, ex.record(m).method, input);
      example_points.dispose();
      try {
        const f = framesOf(context, numClasses, paths, target, cells, layout.channels, ex.record(m).method === 'ig2', maxFrames);
        frames.push(f.count);
        if (withPoints) points.push(f.points);
        cumulative.push(f.cumulative);
        outputs.push(f.outputs);
      } finally {
        tf.dispose(paths);
      }
    }
  } finally {
    input?.dispose();
  }
  const pathNote = without.length === 0 ? '' : !context ? 'this explanation was made without its model, so paths cannot be replayed' : `no path kept for ${without.join(', ')}: ${KEEP_PATH_HINT}`;
  return {
    example,
    layout: layout.kind,
    labels,
    target,
    methods,
    height: layout.height,
    width: layout.width,
    channels: layout.channels,
    input: inputValues,
    attributions,
    frames,
    pathPoints: concat(points),
    pathCumulative: concat(cumulative),
    pathOutputs: concat(outputs),
    pathNote,
  };
}
