// Small HTML/SVG views for the tutorials, returned as objects that render themselves in Jupyter
// (`[Symbol.for('Jupyter.display')]()` gives a mime bundle). pathlens's own displays will replace them.

export interface Shown {
  [key: symbol]: () => Record<string, string>;
}

/** An object shown as `html` (with `text` for plain-text front ends). */
export function show(html: string, text = '[html]'): Shown {
  return { [Symbol.for('Jupyter.display')]: () => ({ 'text/html': html, 'text/plain': text }) };
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);

/** A table with a header row; numbers are printed with `digits` significant digits. */
export function table(header: string[], rows: (string | number)[][], digits = 3): Shown {
  const cell = (v: string | number) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(digits)) : v);
  const th = header.map((h) => `<th>${escape(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((v) => `<td style="text-align:right">${escape(cell(v))}</td>`).join('')}</tr>`).join('');
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => cell(r[i]).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  const text = [line(header), ...rows.map((r) => line(r.map(cell)))].join('\n');
  return show(`<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`, text);
}

/**
 * A square image as SVG: `signed` maps negative → blue, positive → red (scaled by max |v|);
 * otherwise gray levels over [0, 1].
 */
export function svgImage(values: ArrayLike<number>, size: number, { px = 3, signed = true, title = '' } = {}): string {
  let max = 0;
  for (let i = 0; i < values.length; i++) max = Math.max(max, Math.abs(values[i]));
  const rects: string[] = [];
  for (let i = 0; i < size * size; i++) {
    const v = values[i];
    let fill: string;
    if (signed) {
      const t = max > 0 ? Math.min(1, Math.abs(v) / max) : 0;
      if (t < 0.02) continue;
      const c = Math.round(255 * (1 - t));
      fill = v > 0 ? `rgb(255,${c},${c})` : `rgb(${c},${c},255)`;
    } else {
      const g = Math.round(255 * (1 - Math.min(1, Math.max(0, v))));
      if (g === 255) continue;
      fill = `rgb(${g},${g},${g})`;
    }
    rects.push(`<rect x="${(i % size) * px}" y="${Math.floor(i / size) * px}" width="${px}" height="${px}" fill="${fill}"/>`);
  }
  const side = size * px;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}" style="border:1px solid #ccc"><title>${escape(title)}</title>${rects.join('')}</svg>`;
}

/** A grid of labelled cells (strings of HTML), one row per entry. */
export function grid(header: string[], rows: string[][], text = '[grid]'): Shown {
  const th = header.map((h) => `<th>${escape(h)}</th>`).join('');
  const trs = rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join('')}</tr>`).join('');
  return show(`<table><thead><tr>${th}</tr></thead><tbody>${trs}</tbody></table>`, text);
}

/** Line plot of several series (x, y) as SVG, with a legend. */
export function lines(series: { name: string; x: number[]; y: number[] }[], { width = 420, height = 220, xLabel = '', yLabel = '' } = {}): Shown {
  const colors = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];
  const xs = series.flatMap((s) => s.x);
  const ys = series.flatMap((s) => s.y).filter(Number.isFinite);
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  const [y0, y1] = [Math.min(...ys), Math.max(...ys)];
  const m = 36;
  const sx = (v: number) => m + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * m);
  const sy = (v: number) => height - m - ((v - y0) / (y1 - y0 || 1)) * (height - 2 * m);
  const paths = series.map((s, k) => {
    const d = s.x.map((x, i) => `${i ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(s.y[i]).toFixed(1)}`).join('');
    return `<path d="${d}" fill="none" stroke="${colors[k % colors.length]}" stroke-width="1.5"/>` +
      `<text x="${width - m + 4 - 90}" y="${14 + 13 * k}" font-size="11" fill="${colors[k % colors.length]}">${escape(s.name)}</text>`;
  });
  const axes =
    `<line x1="${m}" y1="${height - m}" x2="${width - m}" y2="${height - m}" stroke="#888"/>` +
    `<line x1="${m}" y1="${m}" x2="${m}" y2="${height - m}" stroke="#888"/>` +
    `<text x="${width / 2}" y="${height - 8}" font-size="11" text-anchor="middle">${escape(xLabel)}</text>` +
    `<text x="10" y="${m - 10}" font-size="11">${escape(yLabel)}</text>` +
    `<text x="${m - 4}" y="${height - m}" font-size="10" text-anchor="end">${y0.toPrecision(3)}</text>` +
    `<text x="${m - 4}" y="${m + 4}" font-size="10" text-anchor="end">${y1.toPrecision(3)}</text>` +
    `<text x="${m}" y="${height - m + 14}" font-size="10">${x0.toPrecision(3)}</text>` +
    `<text x="${width - m}" y="${height - m + 14}" font-size="10" text-anchor="end">${x1.toPrecision(3)}</text>`;
  const text = series.map((s) => `${s.name}: ${s.y[0]?.toPrecision(3)} → ${s.y.at(-1)?.toPrecision(3)}`).join('\n');
  return show(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${axes}${paths.join('')}</svg>`, text);
}
