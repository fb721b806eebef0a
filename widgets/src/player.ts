/**
 * PathPlayer: a step slider and a play button over one method's kept path. Shows the path point at the
 * step, the attribution accumulated up to it (scaled by the path's end, so it grows), and a marker on the
 * explained output along the path. Without kept points it says how to get them.
 */
import { DOMWidgetModel, DOMWidgetView, type ISerializers } from '@jupyter-widgets/base';
import { SIGNS, type Sign } from '../../src/render/normalize.js';
import { identity, INITIAL_TRAITS } from '../../src/widgets/module.js';
import { float32 } from './binary.js';
import { el, ensureStyle, labelled, select, setOptions, slider } from './controls.js';
import { grayOf, heatmapPixels, imagePixels, newCanvas, paint, range, scaleFor, signedMap, type Shape } from './draw.js';
import { linePlot } from './plot.js';

const FRAME = 192;

export class PathPlayerModel extends DOMWidgetModel {
  override defaults() {
    return {
      ...super.defaults(),
      ...identity('player'),
      methods: [] as string[],
      method: '',
      ...INITIAL_TRAITS.player,
      frames: [] as number[],
      path_note: '',
      description: '',
    };
  }

  static override serializers: ISerializers = {
    ...DOMWidgetModel.serializers,
    input: float32,
    path_points: float32,
    path_cumulative: float32,
    path_outputs: float32,
  };
}

export class PathPlayerView extends DOMWidgetView {
  private methodSelect!: HTMLSelectElement;
  private signSelect!: HTMLSelectElement;
  private play!: HTMLButtonElement;
  private stepSlider!: HTMLInputElement;
  private stepLabel!: HTMLSpanElement;
  private point!: HTMLCanvasElement;
  private accumulated!: HTMLCanvasElement;
  private plot!: HTMLCanvasElement;
  private note!: HTMLDivElement;
  private error!: HTMLDivElement;
  private timer: ReturnType<typeof setInterval> | undefined;

  private get shape(): Shape {
    return { height: this.model.get('height'), width: this.model.get('width'), channels: this.model.get('channels') };
  }

  /** Frames of the selected method and where they start in the path buffers. */
  private selected(): { index: number; frames: number; offset: number } {
    const methods: string[] = this.model.get('methods');
    const frames: number[] = this.model.get('frames');
    const index = Math.max(0, methods.indexOf(this.model.get('method')));
    return { index, frames: frames[index] ?? 0, offset: frames.slice(0, index).reduce((a, b) => a + b, 0) };
  }

  private change(patch: Record<string, unknown>): void {
    this.model.set(patch);
    this.touch();
  }

  override render(): void {
    ensureStyle();
    this.el.classList.add('pathlens-widget', 'pathlens-player');
    const m = this.model;
    const withPath = (m.get('methods') as string[]).filter((_, i) => (m.get('frames') as number[])[i] > 0);
    this.methodSelect = select('pathlens-method', withPath, m.get('method'), (v) => this.change({ method: v, step: 0 }));
    this.signSelect = select('pathlens-sign', SIGNS, m.get('sign'), (v) => this.change({ sign: v }));
    this.play = el('button', 'pathlens-play', '▶ play');
    this.play.addEventListener('click', () => this.toggle());
    this.stepSlider = slider('pathlens-step', 0, 0, 1, 0, (v) => this.change({ step: v }));
    this.stepLabel = el('span', 'pathlens-step-label');
    const controls = el('div', 'pathlens-row');
    controls.append(labelled('method', this.methodSelect), this.play, labelled('step', this.stepSlider), this.stepLabel, labelled('sign', this.signSelect));
    this.point = newCanvas(FRAME, FRAME, 'pathlens-frame pathlens-point');
    this.accumulated = newCanvas(FRAME, FRAME, 'pathlens-frame pathlens-accumulated');
    this.plot = newCanvas(320, FRAME, 'pathlens-trajectory');
    const body = el('div', 'pathlens-row');
    body.append(this.point, this.accumulated, this.plot);
    this.note = el('div', 'pathlens-note');
    this.error = el('div', 'pathlens-error');
    this.el.append(el('div', 'pathlens-title', m.get('description')), controls, body, this.note, this.error);
    if (withPath.length === 0) {
      controls.hidden = true;
      body.hidden = true;
    }
    this.listenTo(m, 'change', () => this.draw());
    this.listenTo(m, 'msg:custom', (content: { type?: string; message?: string }) => {
      if (content?.type === 'error') this.error.textContent = `kernel: ${content.message}`;
    });
    this.draw();
  }

  override remove(): void {
    this.stop();
    super.remove();
  }

  private toggle(): void {
    if (this.timer !== undefined) return this.stop();
    const { frames } = this.selected();
    if (frames < 2) return;
    if (this.model.get('step') >= frames - 1) this.change({ step: 0 });
    this.play.textContent = '❚❚ pause';
    this.timer = setInterval(() => {
      const next = (this.model.get('step') as number) + 1;
      if (next >= this.selected().frames) return this.stop();
      this.change({ step: next });
    }, this.model.get('interval_ms'));
  }

  private stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    if (this.play) this.play.textContent = '▶ play';
  }

  draw(): void {
    const m = this.model;
    const s = this.shape;
    const { frames, offset } = this.selected();
    const note: string = m.get('path_note');
    if (frames === 0) {
      this.note.textContent = `No path to play: ${note || 'run the methods with keepPath: true'}`;
      return;
    }
    this.note.textContent = `left: the path point; middle: attribution accumulated so far (Σ ∇f·Δγ along the kept points, scaled by its end); right: the explained output along the path${note ? `. ${note}` : ''}`;
    const step = Math.min(Math.max(0, m.get('step') as number), frames - 1);
    const sign: Sign = m.get('sign');
    setOptions(this.methodSelect, [...this.methodSelect.options].map((o) => o.value), m.get('method'));
    this.signSelect.value = sign;
    this.stepSlider.max = String(frames - 1);
    this.stepSlider.value = String(step);
    this.stepLabel.textContent = `${step} / ${frames - 1}`;
    const size = s.height * s.width * s.channels;
    const cells = s.height * s.width;
    const points: Float32Array = m.get('path_points');
    const input: Float32Array = m.get('input');
    const [lo, hi] = range(input);
    const all = points.subarray(offset * size, (offset + frames) * size);
    const [plo, phi] = range(all);
    paint(this.point, imagePixels(points.subarray((offset + step) * size, (offset + step + 1) * size), s, Math.min(lo, plo), Math.max(hi, phi)), s);
    const cum: Float32Array = m.get('path_cumulative');
    const mapAt = (t: number) => signedMap(cum.subarray((offset + t) * cells, (offset + t + 1) * cells), s, sign, 1);
    const scale = scaleFor([mapAt(frames - 1)], m.get('clip'));
    paint(this.accumulated, heatmapPixels(mapAt(step), scale, sign, grayOf(input, s), 0.75), s);
    const outputs: Float32Array = m.get('path_outputs');
    linePlot(this.plot, [{ label: m.get('method'), y: outputs.subarray(offset, offset + frames) }], `explained output along ${m.get('method')}`, [0, step]);
  }
}
