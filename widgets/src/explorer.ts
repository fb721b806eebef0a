/**
 * AttributionExplorer: the input with one method's heatmap over it, thumbnails of every method, controls
 * (method, sign, clipping percentile, overlay alpha, shared or per-method scale), a hover readout, and a
 * pinned pixel's attribution accumulated along each method's path.
 */
import { DOMWidgetModel, DOMWidgetView, type ISerializers } from '@jupyter-widgets/base';
import { SIGNS, type Sign } from '../../src/render/normalize.js';
import { identity, INITIAL_TRAITS } from '../../src/widgets/module.js';
import { float32 } from './binary.js';
import { el, ensureStyle, labelled, select, setOptions, slider } from './controls.js';
import { barAt, barChart, cellAt, grayOf, heatmapPixels, newCanvas, paint, scaleFor, signedMap, type Shape } from './draw.js';
import { linePlot, type Series } from './plot.js';

const MAIN = 256;
const THUMB = 72;
/** Bar charts (tokens, features) instead of images: the main chart and its thumbnails. */
const BARS = { width: 560, height: 240, thumbWidth: 120, thumbHeight: 48 };

export class AttributionExplorerModel extends DOMWidgetModel {
  override defaults() {
    return {
      ...super.defaults(),
      ...identity('explorer'),
      methods: [] as string[],
      method: '',
      input_kind: 'image',
      labels: [] as string[],
      ...INITIAL_TRAITS.explorer,
      frames: [] as number[],
      path_note: '',
      description: '',
    };
  }

  static override serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    input: float32,
    attributions: float32,
    path_cumulative: float32,
    path_outputs: float32,
  };
}

/** The per-cell map of method i (channels summed, sign applied). */
function methodMap(model: AttributionExplorerModel, i: number, s: Shape, sign: Sign): Float64Array {
  const size = s.height * s.width * s.channels;
  const all = model.get('attributions') as Float32Array;
  return signedMap(all.subarray(i * size, (i + 1) * size), s, sign);
}

export class AttributionExplorerView extends DOMWidgetView {
  private main!: HTMLCanvasElement;
  private thumbs!: HTMLDivElement;
  private readout!: HTMLDivElement;
  private pinPlot!: HTMLCanvasElement;
  private pinNote!: HTMLDivElement;
  private error!: HTMLDivElement;
  private methodSelect!: HTMLSelectElement;
  private signSelect!: HTMLSelectElement;
  private clipSlider!: HTMLInputElement;
  private alphaSlider!: HTMLInputElement;
  private sharedBox!: HTMLInputElement;

  /** Tokens and features are drawn as bar charts; images as maps over the input. */
  private get bars(): boolean {
    return this.model.get('input_kind') !== 'image';
  }

  /** The map cell under the mouse: [row, column] of an image, [0, position] of a bar chart. */
  private cellUnder(e: MouseEvent): [number, number] | null {
    if (!this.bars) return cellAt(this.main, e, this.shape);
    const i = barAt(this.main, e, this.shape.width);
    return i === null ? null : [0, i];
  }

  private get shape(): Shape {
    return { height: this.model.get('height'), width: this.model.get('width'), channels: this.model.get('channels') };
  }

  private change(patch: Record<string, unknown>): void {
    this.model.set(patch);
    this.touch();
  }

  override render(): void {
    ensureStyle();
    this.el.classList.add('pathlens-widget', 'pathlens-explorer');
    const m = this.model;
    this.methodSelect = select('pathlens-method', m.get('methods'), m.get('method'), (v) => this.change({ method: v }));
    this.signSelect = select('pathlens-sign', SIGNS, m.get('sign'), (v) => this.change({ sign: v }));
    this.clipSlider = slider('pathlens-clip', 50, 100, 0.5, m.get('clip'), (v) => this.change({ clip: v }));
    this.alphaSlider = slider('pathlens-alpha', 0, 1, 0.05, m.get('alpha'), (v) => this.change({ alpha: v }));
    this.sharedBox = el('input', 'pathlens-shared');
    this.sharedBox.type = 'checkbox';
    this.sharedBox.addEventListener('change', () => this.change({ shared_scale: this.sharedBox.checked }));
    const controls = el('div', 'pathlens-row');
    controls.append(
      labelled('method', this.methodSelect),
      labelled('sign', this.signSelect),
      labelled('clip %', this.clipSlider),
      labelled('alpha', this.alphaSlider),
      labelled('shared scale', this.sharedBox),
    );
    this.main = this.bars ? newCanvas(BARS.width, BARS.height, 'pathlens-main pathlens-bars') : newCanvas(MAIN, MAIN, 'pathlens-main');
    this.main.addEventListener('mousemove', (e) => this.hover(this.cellUnder(e)));
    this.main.addEventListener('mouseleave', () => this.hover(null));
    this.main.addEventListener('click', (e) => {
      const cell = this.cellUnder(e);
      if (cell) this.change({ pinned: cell });
    });
    this.thumbs = el('div', 'pathlens-thumbs pathlens-row');
    this.readout = el('div', 'pathlens-readout', this.bars ? 'hover a bar to read values; click to pin it' : 'hover the image to read values; click to pin a pixel');
    this.pinPlot = newCanvas(320, 160, 'pathlens-pin-plot');
    this.pinNote = el('div', 'pathlens-note');
    this.error = el('div', 'pathlens-error');
    const body = el('div', 'pathlens-row');
    const pin = el('div', 'pathlens-pin');
    pin.append(this.pinPlot, this.pinNote);
    body.append(this.main, this.thumbs, pin);
    this.el.append(el('div', 'pathlens-title', m.get('description')), controls, body, this.readout, this.error);
    this.listenTo(m, 'change', () => this.draw());
    this.listenTo(m, 'msg:custom', (content: { type?: string; message?: string }) => {
      if (content?.type === 'error') this.error.textContent = `kernel: ${content.message}`;
    });
    this.draw();
  }

  /** Redraws everything from the model's state. */
  draw(): void {
    const m = this.model;
    const s = this.shape;
    const methods: string[] = m.get('methods');
    const sign: Sign = m.get('sign');
    const clip: number = m.get('clip');
    const alpha: number = m.get('alpha');
    const selected = Math.max(0, methods.indexOf(m.get('method')));
    setOptions(this.methodSelect, methods, methods[selected]);
    this.signSelect.value = sign;
    this.clipSlider.value = String(clip);
    this.alphaSlider.value = String(alpha);
    this.sharedBox.checked = m.get('shared_scale');
    if (!m.get('attributions') || methods.length === 0) return;
    const maps = methods.map((_, i) => methodMap(m as AttributionExplorerModel, i, s, sign));
    const shared = m.get('shared_scale') ? scaleFor(maps, clip) : undefined;
    const scales = maps.map((map) => shared ?? scaleFor([map], clip));
    const bars = this.bars;
    const gray = bars ? undefined : grayOf(m.get('input'), s);
    const pinned = m.get('pinned') as [number, number] | null;
    if (bars) barChart(this.main, maps[selected], scales[selected], sign, m.get('labels') as string[], pinned?.[1]);
    else paint(this.main, heatmapPixels(maps[selected], scales[selected], sign, gray, alpha), s);
    this.thumbs.replaceChildren(
      ...methods.map((name, i) => {
        const box = el('div', `pathlens-thumb${i === selected ? ' selected' : ''}`);
        const canvas = bars ? newCanvas(BARS.thumbWidth, BARS.thumbHeight, 'pathlens-thumb-canvas') : newCanvas(THUMB, THUMB, 'pathlens-thumb-canvas');
        if (bars) barChart(canvas, maps[i], scales[i], sign);
        else paint(canvas, heatmapPixels(maps[i], scales[i], sign, gray, alpha), s);
        box.append(canvas, el('span', '', name));
        box.addEventListener('click', () => this.change({ method: name }));
        return box;
      }),
    );
    this.drawPin();
  }

  private hover(cell: [number, number] | null): void {
    if (!cell) return;
    const m = this.model;
    const s = this.shape;
    const [row, col] = cell;
    const i = row * s.width + col;
    const input: Float32Array = m.get('input');
    const values = Array.from(input.subarray(i * s.channels, (i + 1) * s.channels), (v) => v.toPrecision(3));
    const value = values.length > 4 ? `${values.slice(0, 3).join(', ')}, … (${values.length})` : values.join(', ');
    const size = s.height * s.width * s.channels;
    const all: Float32Array = m.get('attributions');
    const per = (m.get('methods') as string[]).map((name, k) => {
      let sum = 0;
      for (let c = 0; c < s.channels; c++) sum += all[k * size + i * s.channels + c];
      return `${name} ${sum.toPrecision(3)}`;
    });
    const where = this.bars ? `'${(m.get('labels') as string[])[col] ?? col}' (position ${col})` : `(${col}, ${row})`;
    this.readout.textContent = `${where} value ${value} · ${per.join(' · ')}`;
  }

  private drawPin(): void {
    const m = this.model;
    const pinned = m.get('pinned') as [number, number] | null;
    const frames: number[] = m.get('frames');
    const methods: string[] = m.get('methods');
    if (!pinned) {
      this.pinNote.textContent = `click a ${this.bars ? 'bar' : 'pixel'} to plot its attribution along each path`;
      linePlot(this.pinPlot, [], this.bars ? 'no bar pinned' : 'no pixel pinned');
      return;
    }
    const s = this.shape;
    const cell = pinned[0] * s.width + pinned[1];
    const cum: Float32Array | null = m.get('path_cumulative');
    const cells = s.height * s.width;
    const series: Series[] = [];
    let offset = 0;
    methods.forEach((name, k) => {
      const n = frames[k] ?? 0;
      if (n > 0 && cum) series.push({ label: name, y: Array.from({ length: n }, (_, t) => cum[(offset + t) * cells + cell]) });
      offset += n;
    });
    const what = this.bars ? `'${(m.get('labels') as string[])[pinned[1]] ?? pinned[1]}'` : `pixel (${pinned[1]}, ${pinned[0]})`;
    linePlot(this.pinPlot, series, `${what}: attribution along the path`);
    const note = m.get('path_note') as string;
    this.pinNote.textContent = `${series.map((x) => x.label).join(', ') || 'no path'}${note ? ` — ${note}` : ''}`;
  }
}
