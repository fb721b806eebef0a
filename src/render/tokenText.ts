/**
 * Sentences with each token coloured by its attribution: one block per example, one row per method.
 * Plain arrays in; HTML (every token and label escaped) or a PNG out.
 */
import { fitText, newCanvas, toPng, whiteCanvas, type Context } from './canvas.js';
import { colorAt, cssColor, type ColormapName, type RGB } from './colormap.js';
import { escapeHtml } from './escape.js';
import { applySign, formatScale, toUnit, type Sign } from './normalize.js';

export interface TokenRow {
  /** The method. */
  readonly label: string;
  readonly scores: readonly number[];
}

export interface TokenBlock {
  /** The example, e.g. `#0 → class 1`. */
  readonly title: string;
  readonly tokens: readonly string[];
  readonly rows: readonly TokenRow[];
}

export interface TokenTextOptions {
  readonly sign: Sign;
  /** One scale for all methods of an example (else one per method). */
  readonly sharedScale: boolean;
}

interface Painted {
  readonly title: string;
  readonly tokens: readonly string[];
  readonly rows: Array<{ label: string; scale: number; scores: readonly number[]; colors: RGB[] }>;
}

const maxAbs = (values: readonly number[]) => values.reduce((m, v) => (Number.isFinite(v) ? Math.max(m, Math.abs(v)) : m), 0);

function paint(blocks: readonly TokenBlock[], options: TokenTextOptions): Painted[] {
  const colormap: ColormapName = options.sign === 'all' ? 'coolwarm' : 'viridis';
  return blocks.map((block) => {
    block.rows.forEach((r) => {
      if (r.scores.length !== block.tokens.length) throw new Error(`scores: expected ${block.tokens.length} per row (one per token), got ${r.scores.length}`);
    });
    const signed = block.rows.map((r) => Array.from(applySign(r.scores, options.sign)));
    const shared = Math.max(0, ...signed.map(maxAbs));
    return {
      title: block.title,
      tokens: block.tokens,
      rows: block.rows.map((r, i) => {
        const scale = options.sharedScale ? shared : maxAbs(signed[i]);
        return { label: r.label, scale, scores: r.scores, colors: Array.from(toUnit(signed[i], scale, options.sign), (t) => colorAt(colormap, t)) };
      }),
    };
  });
}

/** Dark text on light backgrounds, white on dark ones. */
function inkOn([r, g, b]: RGB): string {
  return 0.299 * r + 0.587 * g + 0.114 * b > 140 ? '#111111' : '#ffffff';
}

export function tokenTextHtml(blocks: readonly TokenBlock[], options: TokenTextOptions): string {
  const style =
    '<style>.pathlens-text{font-family:system-ui,sans-serif;font-size:13px;border-collapse:collapse}' +
    '.pathlens-text td{padding:2px 6px;vertical-align:top}.pathlens-text .m{color:#555;white-space:nowrap}' +
    '.pathlens-text .t{display:inline-block;padding:1px 3px;margin:1px;border-radius:3px}.pathlens-text th{text-align:left;padding-top:8px}</style>';
  const body = paint(blocks, options)
    .map((block) => {
      const rows = block.rows.map((row) => {
        const spans = block.tokens.map(
          (token, t) =>
            `<span class="t" style="background:${cssColor(row.colors[t])};color:${inkOn(row.colors[t])}" title="${escapeHtml(`${token}: ${row.scores[t].toPrecision(3)}`)}">${escapeHtml(token)}</span>`,
        );
        return `<tr><td class="m">${escapeHtml(row.label)} <small>(±${escapeHtml(formatScale(row.scale))})</small></td><td>${spans.join(' ')}</td></tr>`;
      });
      return `<tr><th colspan="2">${escapeHtml(block.title)}</th></tr>${rows.join('')}`;
    })
    .join('');
  return `${style}<table class="pathlens-text">${body}</table>`;
}

const WIDTH = 880;
const LABEL = 150;
const LINE = 20;
const GAP = 4;
const FONT = '13px sans-serif';

/** Where each token of a row goes: wrapped lines within the width. */
function layoutRow(ctx: Context, tokens: readonly string[]): { at: Array<{ x: number; line: number; w: number; text: string }>; lines: number } {
  let x = 0;
  let line = 0;
  const at = tokens.map((token) => {
    const text = fitText(ctx, token, WIDTH - LABEL - 16);
    const w = ctx.measureText(text).width + 8;
    if (x > 0 && x + w > WIDTH - LABEL - 8) {
      x = 0;
      line++;
    }
    const placed = { x, line, w, text };
    x += w + GAP;
    return placed;
  });
  return { at, lines: line + 1 };
}

export function tokenTextPng(blocks: readonly TokenBlock[], options: TokenTextOptions): { png: Buffer; width: number; height: number } {
  const painted = paint(blocks, options);
  const measure = newCanvas(1, 1).getContext('2d');
  measure.font = FONT;
  const layouts = painted.map((b) => layoutRow(measure, b.tokens));
  const height = 8 + painted.reduce((h, b, i) => h + LINE + b.rows.length * (layouts[i].lines * LINE + GAP), 0);
  const { canvas, ctx } = whiteCanvas(WIDTH, height, FONT);
  let y = 4;
  painted.forEach((block, i) => {
    ctx.fillStyle = '#222222';
    ctx.font = `bold ${FONT}`;
    ctx.fillText(fitText(ctx, block.title, WIDTH - 8), 4, y + LINE / 2);
    ctx.font = FONT;
    y += LINE;
    for (const row of block.rows) {
      ctx.fillStyle = '#555555';
      ctx.fillText(fitText(ctx, `${row.label} (±${formatScale(row.scale)})`, LABEL - 8), 8, y + LINE / 2);
      layouts[i].at.forEach((p, t) => {
        const top = y + p.line * LINE + 1;
        ctx.fillStyle = cssColor(row.colors[t]);
        ctx.fillRect(LABEL + p.x, top, p.w, LINE - 2);
        ctx.fillStyle = inkOn(row.colors[t]);
        ctx.fillText(p.text, LABEL + p.x + 4, top + (LINE - 2) / 2);
      });
      y += layouts[i].lines * LINE + GAP;
    }
  });
  return { png: toPng(canvas), width: WIDTH, height };
}
