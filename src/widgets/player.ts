/** The path player's kernel-side model: its state and what the front end may change. */
import { SIGNS } from '../render/normalize.js';
import { identity, INITIAL_TRAITS } from './module.js';
import { traits, type TraitSpecs } from './model.js';
import type { WidgetData } from './pathData.js';

export function playerState(data: WidgetData, description: string): Record<string, unknown> {
  const first = data.methods.find((_, i) => data.frames[i] > 0) ?? data.methods[0];
  return {
    ...identity('player'),
    description,
    example: data.example,
    target: data.target,
    methods: data.methods,
    method: first,
    ...INITIAL_TRAITS.player,
    height: data.height,
    width: data.width,
    channels: data.channels,
    input: data.input,
    frames: data.frames,
    path_points: data.pathPoints,
    path_cumulative: data.pathCumulative,
    path_outputs: data.pathOutputs,
    path_note: data.pathNote,
  };
}

export function playerTraits(data: WidgetData): TraitSpecs {
  // Read when checked: the frames may arrive after the widget opened.
  const withPath = () => data.methods.filter((_, i) => data.frames[i] > 0);
  const framesOf = (method: unknown) => data.frames[data.methods.indexOf(String(method))] ?? 0;
  return {
    method: (v, next) => traits.oneOf(withPath().length > 0 ? withPath() : data.methods)(v, next),
    step: (v, next) => traits.integer(0, Math.max(0, framesOf(next.method) - 1))(v, next),
    sign: traits.oneOf(SIGNS),
    clip: traits.number(0, 100),
    interval_ms: traits.integer(16, 5000),
  };
}
