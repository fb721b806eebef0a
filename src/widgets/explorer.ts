/** The attribution explorer's kernel-side model: its state and what the front end may change. */
import { SIGNS } from '../render/normalize.js';
import { identity, INITIAL_TRAITS } from './module.js';
import { traits, type TraitSpecs } from './model.js';
import type { WidgetData } from './pathData.js';

export function explorerState(data: WidgetData, description: string): Record<string, unknown> {
  return {
    ...identity('explorer'),
    description,
    example: data.example,
    // Not `layout`: DOMWidget models keep their CSS layout model under that name.
    input_kind: data.layout,
    labels: data.labels,
    target: data.target,
    methods: data.methods,
    method: data.methods[0],
    ...INITIAL_TRAITS.explorer,
    height: data.height,
    width: data.width,
    channels: data.channels,
    input: data.input,
    attributions: data.attributions,
    frames: data.frames,
    path_cumulative: data.pathCumulative,
    path_outputs: data.pathOutputs,
    path_note: data.pathNote,
  };
}

export function explorerTraits(data: WidgetData): TraitSpecs {
  return {
    method: traits.oneOf(data.methods),
    sign: traits.oneOf(SIGNS),
    clip: traits.number(0, 100),
    alpha: traits.number(0, 1),
    shared_scale: traits.boolean(),
    pinned: (v) => {
      if (v === null) return null;
      if (Array.isArray(v) && v.length === 2) {
        const [row, col] = v;
        traits.integer(0, data.height - 1)(row, {});
        traits.integer(0, data.width - 1)(col, {});
        return [row, col];
      }
      throw new Error(`expected null or [row, column] inside the ${data.height}×${data.width} map, got ${JSON.stringify(v)}`);
    },
  };
}
