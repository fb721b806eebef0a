// From an Explanation to plain arrays for src/render, and back as display objects. The only display
// code that reads tensors.
import * as tf from '@tensorflow/tfjs';
import type { Explanation } from '../explanation.js';
import { heatmapGrid, type HeatmapOptions } from '../render/heatmapGrid.js';
import { resolveHeatmapOptions } from '../render/heatmapOptions.js';
import { pca2 } from '../render/pca.js';
import { trajectoryFigure, PANELS, type PanelName, type PathProjection, type PathSeries } from '../render/trajectory.js';
import { positionLabels, type TokenLabels } from './textViews.js';
import type { PlotlyMode } from './plotlyHtml.js';
import { HeatmapView, PlotlyView } from './views.js';

/** Options of `ex.heatmap()`: how to draw (see {@link HeatmapOptions}) and what. */
export interface HeatmapViewOptions extends HeatmapOptions {
  /** Which methods, as columns (default: all, in the order they ran). */
  readonly methods?: readonly string[];
  /** Which examples, as rows (default: all). */
  readonly examples?: readonly number[];
  /** Names of the classes, to label rows with the explained class's name. */
  readonly classNames?: readonly string[];
  /** Flat inputs: one name per feature, under the bars; sequences: one label per position, under the strip. */
  readonly featureNames?: readonly string[];
  /** Sequences: each example's tokens under its strip (see `ex.tokens`; default at a layer: the token ids). */
  readonly tokens?: TokenLabels;
}

/** Options of `ex.trajectory()`. */
export interface TrajectoryViewOptions {
  /** Which example (default 0). */
  readonly example?: number;
  /** Which methods (default: all). */
  readonly methods?: readonly string[];
  /** Which panels (default: all that have data): `'output'`, `'completeness'`, `'moved'`, `'distance'`, `'projection'`. */
  readonly panels?: readonly PanelName[];
  readonly classNames?: readonly string[];
  /** `'inline'`: the notebook output carries plotly.js (default: the notebook-wide setting, `'renderer'`). */
  readonly plotly?: PlotlyMode;
}

export function checkMethods(ex: Explanation, methods: readonly string[] | undefined): string[] {
  if (methods === undefined) return ex.methods;
  if (!Array.isArray(methods) || methods.length === 0) throw new Error(`methods: expected a non-empty array of method names, got ${JSON.stringify(methods)}`);
  for (const m of methods) if (!ex.methods.includes(m)) throw new Error(`methods: expected names among ${ex.methods.map((n) => `'${n}'`).join(', ')}, got '${m}'`);
  return [...methods];
}

export function checkExample(ex: Explanation, name: string, b: unknown): number {
  const count = ex.inputShape[0];
  if (typeof b !== 'number' || !Number.isInteger(b) || b < 0 || b >= count) throw new Error(`${name}: expected an example index in [0, ${count}), got ${JSON.stringify(b)}`);
  return b;
}

/** How a row is labelled: `#b → class` (the class's name when given). */
export function exampleLabel(ex: Explanation, b: number, classNames?: readonly string[]): string {
  const target = ex.targets[b];
  return `#${b} → ${classNames?.[target] ?? `class ${target}`}`;
}

/** One example's values of a tensor `[B, ...]`. */
export function exampleValues(t: tf.Tensor, b: number): Float32Array {
  const slice = tf.tidy(() => t.slice(b, 1));
  try {
    return slice.dataSync() as Float32Array;
  } finally {
    slice.dispose();
  }
}

/** The heatmap grid: one row per example, one column per method. */
export function heatmapView(ex: Explanation, options: HeatmapViewOptions = {}): HeatmapView {
  const resolved = resolveHeatmapOptions(options);
  const methods = checkMethods(ex, options.methods);
  const examples = options.examples === undefined ? Array.from({ length: ex.inputShape[0] }, (_, i) => i) : [...options.examples];
  if (examples.length === 0) throw new Error('examples: expected at least one example index, got []');
  examples.forEach((b) => checkExample(ex, 'examples', b));
  const input = ex.input;
  const rows = examples.map((b) => ({
    label: exampleLabel(ex, b, options.classNames),
    maps: methods.map((m) => exampleValues(ex.attribution(m), b)),
    input: input ? exampleValues(input, b) : undefined,
    labels: positionLabels(ex, b, options),
  }));
  const how = `${resolved.sign === 'all' ? 'signed (red raises, blue lowers the output)' : resolved.sign} attributions, ${resolved.sharedScale ? 'one colour scale per example row' : 'one colour scale per map'}, clipped at the ${resolved.clip}th percentile`;
  const grid = heatmapGrid(ex.inputShape.slice(1), methods, rows, resolved, how);
  const description = `pathlens heatmap: ${examples.length} example(s) × ${methods.length} method(s) (${methods.join(', ')}); ${how}`;
  return new HeatmapView(grid.png, grid.width, grid.height, description, grid.scales, grid.layout, grid.cells);
}

/** One example's path per method, as plain arrays. */
export function pathSeries(ex: Explanation, b: number, methods: readonly string[]): PathSeries[] {
  return methods.map((m) => {
    const trace = ex.path(m);
    return {
      label: m,
      method: ex.record(m).method,
      progress: trace.progress[b],
      output: trace.output[b],
      moved: trace.moved[b],
      stepSum: trace.stepSum?.[b],
      fInput: ex.completeness(m).fInput[b],
      outputSpace: ex.outputSpace(m),
      referenceDistance: trace.referenceDistance?.[b],
    };
  });
}

/** Kept path points of every method for example b (IG2: one path per reference), and x, on two principal components. */
export function pathProjection(ex: Explanation, b: number, methods: readonly string[]): PathProjection | undefined {
  const features = ex.inputShape.slice(1).reduce((a, c) => a * c, 1);
  const rows: Float32Array[] = [];
  const paths: Array<{ label: string; method: string; from: number; count: number }> = [];
  for (const m of methods) {
    const { points } = ex.path(m);
    if (!points) continue;
    const method = ex.record(m).method;
    const data = exampleValues(points, b);
    const perPath = method === 'ig2' ? (points.shape[2] as number) : 1; // IG2: [B, K + 1, R, ...]
    const steps = data.length / features / perPath;
    for (let r = 0; r < perPath; r++) {
      paths.push({ label: m, method, from: rows.length, count: steps });
      for (let t = 0; t < steps; t++) rows.push(data.subarray((t * perPath + r) * features, (t * perPath + r + 1) * features));
    }
  }
  if (paths.length === 0) return undefined;
  const input = ex.input ? rows.push(exampleValues(ex.input, b)) - 1 : undefined;
  return { projection: pca2(rows), paths, input };
}

/** The path trajectories of one example as a Plotly figure. */
export function trajectoryView(ex: Explanation, options: TrajectoryViewOptions = {}): PlotlyView {
  const b = checkExample(ex, 'example', options.example ?? 0);
  const methods = checkMethods(ex, options.methods);
  const panels = options.panels ?? PANELS;
  if (!Array.isArray(panels) || panels.some((p) => !PANELS.includes(p))) {
    throw new Error(`panels: expected an array of ${PANELS.map((p) => `'${p}'`).join(', ')}, got ${JSON.stringify(panels)}`);
  }
  const projection = panels.includes('projection') ? pathProjection(ex, b, methods) : undefined;
  const title = `Path trajectories, example ${exampleLabel(ex, b, options.classNames)}`;
  const figure = trajectoryFigure(title, pathSeries(ex, b, methods), projection, panels);
  const description = `pathlens trajectories of example ${b} (${methods.join(', ')}): ${figure.layout.annotations ? (figure.layout.annotations as unknown[]).length : 0} panel(s)`;
  return new PlotlyView(figure, description, options.plotly);
}
