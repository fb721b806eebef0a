/**
 * `ex.widget(kind)`: the interactive explorer or path player when the pathlens kernel's comms are there
 * (the model is opened now and shows where the handle is displayed: a cell's last value, or `.show()`),
 * else the static heatmap, shown at once with a one-line reason. Every bundle carries `text/plain` and
 * an `image/png` fallback for front ends without widgets (nbconvert HTML, GitHub).
 */
import { display, JUPYTER_DISPLAY, type MimeBundle } from '../display.js';
import type { Explanation } from '../explanation.js';
import { getKernelHook } from '../kernelHook.js';
import type { EvaluationContext } from '../metrics/evaluate.js';
import { explorerState, explorerTraits } from './explorer.js';
import { KernelWidget } from './model.js';
import { WIDGET_KINDS, type WidgetKind } from './module.js';
import { FRAMES_LIMIT, KEEP_PATH_HINT, widgetData } from './pathData.js';
import { playerState, playerTraits } from './player.js';
import { positionLabels, type TokenLabels } from '../display/textViews.js';

export interface WidgetOptions {
  /** Which example (default 0). */
  readonly example?: number;
  /** Sequences: the tokens (one array per example, or a vocabulary for the explained token ids). */
  readonly tokens?: TokenLabels;
  /** Flat inputs: one name per feature. */
  readonly featureNames?: readonly string[];
  /**
   * At most this many frames per method along kept paths (2–256; default 32, fewer for large inputs).
   * The frames are saved in the notebook with the widget: fewer keep it small.
   */
  readonly frames?: number;
}

const TITLES: Record<WidgetKind, string> = { explorer: 'pathlens attribution explorer', player: 'pathlens path player' };

export const NO_COMMS_REASON = 'pathlens: no widget comms here (run the notebook on the "TypeScript (pathlens)" kernel: npx pathlens kernel install); showing the static heatmap';

/** What a front end without widgets shows: the example's heatmaps as a PNG, and a line of text. */
function fallbackBundle(ex: Explanation, kind: WidgetKind, example: number, note: string, labels: string[]): MimeBundle {
  const heatmap = ex.heatmap({ examples: [example], featureNames: labels.length > 0 ? labels : undefined })[JUPYTER_DISPLAY]();
  const what = `${TITLES[kind]}: example ${example} (class ${ex.targets[example]}), ${ex.methods.join(', ')}`;
  return { 'image/png': heatmap['image/png'], 'text/plain': `${what}; ${note}` };
}

/** Shown instead of a widget where there are no comms. Prints as its reason. */
export class StaticWidget {
  constructor(
    readonly bundle: MimeBundle,
    readonly reason: string,
  ) {}

  [JUPYTER_DISPLAY](): MimeBundle {
    return this.bundle;
  }

  show(): MimeBundle | undefined {
    return display(this);
  }

  /** No model here: nothing to read. */
  get(_name: string): unknown {
    return undefined;
  }

  set(_patch: Record<string, unknown>): void {
    throw new Error(this.reason);
  }

  onChange(_handler: unknown): void {}

  readonly closed = true;
  /** No comm, no model id. */
  readonly modelId: string | undefined = undefined;
  readonly errors: readonly string[] = [];

  close(): void {}

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return this.reason;
  }

  toString(): string {
    return this.reason;
  }
}

export type ExplanationWidget = KernelWidget | StaticWidget;

export function explanationWidget(ex: Explanation, context: EvaluationContext | null, kind: WidgetKind = 'explorer', options: WidgetOptions = {}): ExplanationWidget {
  if (!WIDGET_KINDS.includes(kind)) throw new Error(`kind: expected one of ${WIDGET_KINDS.map((k) => `'${k}'`).join(', ')}, got ${JSON.stringify(kind)}`);
  if (options === null || typeof options !== 'object') throw new Error(`options: expected an object such as { example: 0 }, got ${JSON.stringify(options)}`);
  const example = options.example ?? 0;
  const count = ex.inputShape[0];
  if (!Number.isInteger(example) || example < 0 || example >= count) throw new Error(`example: expected an example index in [0, ${count}), got ${JSON.stringify(example)}`);
  const labels = positionLabels(ex, example, options) ?? [];
  const { frames } = options;
  if (frames !== undefined && (!Number.isInteger(frames) || frames < 2 || frames > FRAMES_LIMIT)) {
    throw new Error(`frames: expected a whole number in [2, ${FRAMES_LIMIT}], got ${JSON.stringify(frames)}`);
  }
  const hook = getKernelHook();
  if (!hook) {
    const bundle = fallbackBundle(ex, kind, example, NO_COMMS_REASON, labels);
    const shown = new StaticWidget(bundle, NO_COMMS_REASON);
    shown.show();
    return shown;
  }
  const data = widgetData(ex, context, example, kind === 'player', labels, frames);
  const hasPath = data.frames.some((f) => f > 0);
  const note =
    kind === 'player' && !hasPath
      ? `no path to play: ${KEEP_PATH_HINT}`
      : 'interactive where Jupyter widgets load (JupyterLab with the pathlens labextension, VS Code, html-manager pages); else this static heatmap';
  const description = `${TITLES[kind]}: example ${example} (class ${data.target}), ${data.methods.join(', ')}`;
  const state = kind === 'explorer' ? explorerState(data, description) : playerState(data, description);
  const specs = kind === 'explorer' ? explorerTraits(data) : playerTraits(data);
  return new KernelWidget(hook, state, specs, () => fallbackBundle(ex, kind, example, note, labels));
}
