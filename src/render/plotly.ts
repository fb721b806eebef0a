/** A Plotly figure as plain JSON (`application/vnd.plotly.v1+json`). Attributes valid in plotly.js 2.x–4.x. */
export interface PlotlyFigure {
  readonly data: Array<Record<string, unknown>>;
  readonly layout: Record<string, unknown>;
  readonly config?: Record<string, unknown>;
}

/** Plotly's default qualitative colours, one per method. */
export const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

export interface Panel {
  readonly title: string;
  readonly xTitle: string;
  readonly yTitle: string;
  readonly traces: Array<Record<string, unknown>>;
}

/**
 * Lays panels out on a grid of subplots (two columns), each with its own axes and a title above it.
 * Titles are taken as given: escape user text before (Plotly reads `<b>`-style tags in strings).
 */
export function subplots(title: string, panels: readonly Panel[], panelHeight = 300): PlotlyFigure {
  const columns = panels.length > 1 ? 2 : 1;
  const rows = Math.ceil(panels.length / columns);
  const gapX = 0.1;
  const gapY = rows > 1 ? 0.12 / (rows - 1) + 0.06 : 0;
  const w = (1 - gapX * (columns - 1)) / columns;
  const h = (1 - gapY * (rows - 1)) / rows;
  const margin = { t: 70, l: 70, r: 20, b: 110 };
  const height = margin.t + margin.b + rows * panelHeight;
  const layout: Record<string, unknown> = {
    title: { text: title },
    height,
    margin,
    // Below the lowest x axis title: 60 px under the plot area, whatever the height.
    legend: { orientation: 'h', x: 0, y: -60 / (height - margin.t - margin.b), yanchor: 'top' },
    hovermode: 'closest',
    annotations: [] as unknown[],
  };
  const data: Array<Record<string, unknown>> = [];
  panels.forEach((panel, i) => {
    const row = Math.floor(i / columns);
    const col = i % columns;
    const suffix = i === 0 ? '' : String(i + 1);
    const x0 = col * (w + gapX);
    const y1 = 1 - row * (h + gapY);
    layout[`xaxis${suffix}`] = { domain: [x0, x0 + w], anchor: `y${suffix}`, title: { text: panel.xTitle }, zeroline: false };
    layout[`yaxis${suffix}`] = { domain: [y1 - h, y1], anchor: `x${suffix}`, title: { text: panel.yTitle }, zeroline: false };
    (layout.annotations as unknown[]).push({
      text: `<b>${panel.title}</b>`,
      xref: 'paper',
      yref: 'paper',
      x: x0 + w / 2,
      y: y1,
      xanchor: 'center',
      yanchor: 'bottom',
      showarrow: false,
      font: { size: 13 },
    });
    for (const trace of panel.traces) data.push({ ...trace, xaxis: `x${suffix}`, yaxis: `y${suffix}` });
  });
  return { data, layout, config: { responsive: true, displaylogo: false } };
}
