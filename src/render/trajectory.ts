import { escapeHtml } from './escape.js';
import type { Projection } from './pca.js';
import { PALETTE, subplots, type Panel, type PlotlyFigure } from './plotly.js';

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

/**
 * The path trajectories of one example as one Plotly figure: the explained output along each path;
 * completeness along the way; Guided IG's fraction of features moved; IG2's representation distance
 * to each reference; and, when path points were kept, their 2-D PCA projection. Panels without data
 * are left out.
 */
export function trajectoryFigure(title: string, series: readonly PathSeries[], projection?: PathProjection, panels: readonly PanelName[] = PANELS): PlotlyFigure {
  const color = new Map(series.map((s, i) => [s.label, PALETTE[i % PALETTE.length]]));
  const shown = new Set<string>();
  const legend = (label: string) => {
    const first = !shown.has(label);
    shown.add(label);
    return { name: escapeHtml(label), legendgroup: escapeHtml(label), showlegend: first, line: { color: color.get(label), width: 2 } };
  };
  const paths = series.filter((s) => s.progress.length > 1);
  const out: Panel[] = [];
  if (panels.includes('output') && paths.length) {
    out.push({
      title: 'explained output along the path',
      xTitle: 'path progress (0 = baseline, 1 = input)',
      yTitle: 'f(point)',
      traces: paths.map((s) => ({ type: 'scatter', mode: 'lines', x: s.progress, y: s.output, ...legend(s.label) })),
    });
  }
  const complete = paths.filter((s) => s.stepSum && s.stepSum.length === s.progress.length);
  if (panels.includes('completeness') && complete.length) {
    out.push({
      title: 'completeness along the path',
      xTitle: 'path progress',
      yTitle: 'Σ attr. point→x (—), f(x) − f(point) (··)',
      traces: complete.flatMap((s) => [
        { type: 'scatter', mode: 'lines', x: s.progress, y: remainingSum(s.progress, s.stepSum!), ...legend(s.label) },
        {
          type: 'scatter',
          mode: 'lines',
          x: s.progress,
          y: s.output.map((o) => s.fInput - o),
          ...legend(s.label),
          showlegend: false,
          line: { color: color.get(s.label), width: 1.5, dash: 'dot' },
          hovertemplate: `${escapeHtml(s.label)}: f(x) − f(point) = %{y:.4g}<extra></extra>`,
        },
      ]),
    });
  }
  const guided = paths.filter((s) => s.method === 'guidedIG');
  if (panels.includes('moved') && guided.length) {
    out.push({
      title: 'Guided IG: features moved per step',
      xTitle: 'path progress',
      yTitle: 'fraction of features moved',
      traces: guided.map((s) => ({ type: 'scatter', mode: 'lines', x: s.progress, y: s.moved, ...legend(s.label) })),
    });
  }
  const ig2 = series.filter((s) => s.referenceDistance && s.referenceDistance.length > 0);
  if (panels.includes('distance') && ig2.length) {
    out.push({
      title: 'IG2: representation distance to each reference',
      xTitle: 'GradPath step (0 = input)',
      yTitle: '‖h(point) − h(reference)‖²',
      traces: ig2.flatMap((s) => {
        const refs = s.referenceDistance![0].length;
        return Array.from({ length: refs }, (_, r) => ({
          type: 'scatter',
          mode: 'lines',
          x: s.referenceDistance!.map((_, j) => j),
          y: s.referenceDistance!.map((row) => row[r]),
          ...legend(s.label),
          line: { color: color.get(s.label), width: 1 },
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
          marker: { size: 3, color: color.get(p.label) ?? '#444444' },
          ...xy(p.from, p.count),
          ...legend(p.label),
          line: { color: color.get(p.label) ?? '#444444', width: 1.5 },
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
