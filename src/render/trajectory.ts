import { escapeHtml } from './escape.js';
import type { Projection } from './pca.js';
import { fitRange } from './axes.js';
import { methodStyle, subplots, type Panel, type PlotlyFigure } from './plotly.js';

/** One method's path for one example, as plain arrays (a PathTrace row). */
export interface PathSeries {
  readonly label: string;
  /** The method's name (`'ig'`, `'guidedIG'`, `'ig2'`, ...). */
  readonly method: string;
  readonly progress: readonly number[];
  readonly output: readonly number[];
  readonly moved: readonly number[];
  /** What each step added to Σ attribution; without it the method is left out of the completeness panel. */
  readonly stepSum?: readonly number[];
  /** The explained output at the input, f(x). */
  readonly fInput: number;
  /** What `output` is (axis titles; methods on different outputs get separate panels). Default `'output'`. */
  readonly outputSpace?: OutputSpace;
  /** IG2: ‖h(γ_j) − h(reference)‖², `[K + 1][R]`. */
  readonly referenceDistance?: readonly (readonly number[])[];
}

/** Path points of every method, projected on two principal components; `paths[i]` has its rows' coordinates. */
export interface PathProjection {
  readonly projection: Projection;
  /** Per path (a method, or one IG2 reference): where its rows sit in `projection.coords`. */
  readonly paths: ReadonlyArray<{ readonly label: string; readonly method: string; readonly from: number; readonly count: number }>;
  /** Rows of the input x and of the baseline, if they were projected too. */
  readonly input?: number;
  readonly baseline?: number;
}

export const PANELS = ['output', 'completeness', 'moved', 'distance', 'projection'] as const;
export type PanelName = (typeof PANELS)[number];

/**
 * Σ attribution of the steps between each point and the input. It should track f(x) − f(point): the
 * completeness of the attribution along the way. A path that runs from the baseline to x (progress
 * rising) collects, at step t, the steps t … T−1; one that runs from x outwards (IG2, Blur IG) the steps
 * before t.
 */
export function remainingSum(progress: readonly number[], stepSum: readonly number[]): number[] {
  const n = stepSum.length;
  const rising = n < 2 || progress[n - 1] >= progress[0];
  const out = new Array<number>(n);
  let acc = 0;
  if (rising) {
    for (let t = n - 1; t >= 0; t--) out[t] = acc += stepSum[t];
  } else {
    for (let t = 0; t < n; t++) {
      out[t] = acc;
      acc += stepSum[t];
    }
  }
  return out;
}

/** What the explained output is, for axis titles: a class probability, a logit, or the model's raw output. */
export type OutputSpace = 'probability' | 'logit' | 'output';

const SPACE_TITLE: Record<OutputSpace, string> = {
  probability: 'class probability',
  logit: 'logit (pre-softmax score)',
  output: 'model output',
};

const SPACE_SHORT: Record<OutputSpace, string> = { probability: 'probability', logit: 'logit', output: 'model output' };

/** A dotted line in the legend that explains every dotted curve of the completeness panel. */
const REFERENCE_NAME = 'f(x) − f(point), dotted';

/**
 * The path trajectories of one example as one Plotly figure: the explained output along each path;
 * completeness along the way; Guided IG's fraction of features moved; IG2's representation distance
 * to each reference; and, when path points were kept, their 2-D PCA projection. Panels without data
 * are left out. Methods explaining different outputs (IG on probabilities, IG2 on logits) get separate
 * output and completeness panels, each axis naming its output. One legend, at the top; each method has
 * its own colour and dash.
 */
export function trajectoryFigure(title: string, series: readonly PathSeries[], projection?: PathProjection, panels: readonly PanelName[] = PANELS): PlotlyFigure {
  const style = new Map(series.map((s, i) => [s.label, methodStyle(i)]));
  const shown = new Set<string>();
  const legend = (label: string) => {
    const first = !shown.has(label);
    shown.add(label);
    const { color, dash } = style.get(label) ?? { color: '#444444', dash: 'solid' };
    return { name: escapeHtml(label), legendgroup: escapeHtml(label), showlegend: first, line: { color, width: 2, dash } };
  };
  // The dotted f(x) − f(point) curves are explained once, by a legend entry without data.
  const referenceKey = () => {
    if (shown.has(REFERENCE_NAME)) return [];
    shown.add(REFERENCE_NAME);
    return [{ type: 'scatter', mode: 'lines', x: [null], y: [null], name: REFERENCE_NAME, legendgroup: 'reference', line: { color: '#555555', width: 1.5, dash: 'dot' }, hoverinfo: 'skip' }];
  };
  const paths = series.filter((s) => s.progress.length > 1);
  const spaces = [...new Set(paths.map((s) => s.outputSpace ?? 'output'))];
  const bySpace = (list: readonly PathSeries[]) => spaces.map((space) => ({ space, list: list.filter((s) => (s.outputSpace ?? 'output') === space) })).filter((g) => g.list.length);
  const named = (one: string, several: string, space: OutputSpace) => (spaces.length > 1 ? `${several} (${SPACE_SHORT[space]})` : one);
  const out: Panel[] = [];
  if (panels.includes('output')) {
    for (const { space, list } of bySpace(paths)) {
      out.push({
        title: named('explained output along the path', 'explained output along the path', space),
        xTitle: 'path progress (0 = baseline, 1 = input)',
        yTitle: `f(point): ${SPACE_TITLE[space]}`,
        traces: list.map((s) => ({ type: 'scatter', mode: 'lines', x: s.progress, y: s.output, ...legend(s.label) })),
      });
    }
  }
  const complete = paths.filter((s) => s.stepSum && s.stepSum.length === s.progress.length);
  if (panels.includes('completeness')) {
    for (const { space, list } of bySpace(complete)) {
      out.push({
        title: named('completeness: Σ attr. point→x vs f(x) − f(point)', 'completeness along the path', space),
        xTitle: 'path progress',
        yTitle: SPACE_TITLE[space],
        traces: [
          ...list.flatMap((s) => [
            { type: 'scatter', mode: 'lines', x: s.progress, y: remainingSum(s.progress, s.stepSum!), ...legend(s.label) },
            {
              type: 'scatter',
              mode: 'lines',
              x: s.progress,
              y: s.output.map((o) => s.fInput - o),
              ...legend(s.label),
              showlegend: false,
              line: { color: style.get(s.label)?.color, width: 1.5, dash: 'dot' },
              hovertemplate: `${escapeHtml(s.label)}: f(x) − f(point) = %{y:.4g}<extra></extra>`,
            },
          ]),
          ...referenceKey(),
        ],
      });
    }
  }
  const guided = paths.filter((s) => s.method === 'guidedIG');
  if (panels.includes('moved') && guided.length) {
    const top = Math.max(0, ...guided.flatMap((s) => s.moved.filter(Number.isFinite)));
    out.push({
      title: 'Guided IG: features moved per step',
      xTitle: 'path progress',
      yTitle: 'fraction of features moved',
      yRange: [0, top > 0 ? top * 1.15 : 1],
      traces: guided.map((s) => ({ type: 'scatter', mode: 'lines', x: s.progress, y: s.moved, ...legend(s.label) })),
    });
  }
  const ig2 = series.filter((s) => s.referenceDistance && s.referenceDistance.length > 0);
  if (panels.includes('distance') && ig2.length) {
    out.push({
      title: 'IG2: representation distance to each reference',
      xTitle: 'GradPath step (0 = input)',
      yTitle: '‖h(point) − h(reference)‖²',
      yRange: fitRange(ig2.flatMap((s) => s.referenceDistance!.flat()), { includeZero: true }),
      traces: ig2.flatMap((s) => {
        const refs = s.referenceDistance![0].length;
        return Array.from({ length: refs }, (_, r) => ({
          type: 'scatter',
          mode: 'lines',
          x: s.referenceDistance!.map((_, j) => j),
          y: s.referenceDistance!.map((row) => row[r]),
          ...legend(s.label),
          line: { ...style.get(s.label), width: 1 },
          opacity: 0.7,
          hovertemplate: `${escapeHtml(s.label)}, reference ${r}: %{y:.4g}<extra></extra>`,
        }));
      }),
    });
  }
  if (panels.includes('projection') && projection && projection.paths.length) {
    const { coords, explained } = projection.projection;
    const xy = (from: number, count: number) => ({ x: coords.slice(from, from + count).map((c) => c[0]), y: coords.slice(from, from + count).map((c) => c[1]) });
    const ends = [
      ...(projection.input !== undefined ? [{ row: projection.input, name: 'input x', symbol: 'star' }] : []),
      ...(projection.baseline !== undefined ? [{ row: projection.baseline, name: 'baseline', symbol: 'x' }] : []),
    ];
    out.push({
      title: 'path points, projected on 2 principal components',
      xTitle: `PC 1 (${(100 * explained[0]).toFixed(0)}% of variance)`,
      yTitle: `PC 2 (${(100 * explained[1]).toFixed(0)}%)`,
      traces: [
        ...projection.paths.map((p) => ({
          type: 'scatter',
          mode: 'lines+markers',
          marker: { size: 3, color: style.get(p.label)?.color ?? '#444444' },
          ...xy(p.from, p.count),
          ...legend(p.label),
          line: { color: style.get(p.label)?.color ?? '#444444', width: 1.5, dash: style.get(p.label)?.dash ?? 'solid' },
        })),
        ...ends.map((e) => ({
          type: 'scatter',
          mode: 'markers',
          name: e.name,
          x: [coords[e.row][0]],
          y: [coords[e.row][1]],
          marker: { size: 12, symbol: e.symbol, color: '#111111' },
        })),
      ],
    });
  }
  return subplots(escapeHtml(title), out);
}
