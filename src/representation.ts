import * as tf from '@tensorflow/tfjs';
import { checkGraphNode, defaultGraphNode, graphOutputNode } from './graphRepresentation.js';
import type { ModelAdapter } from './model.js';
import { checkOneOf, describe, fail } from './validate.js';

/** A function from a batch `[B, ...]` to a representation `[B, D]`. */
export type RepresentationFunction = (batch: tf.Tensor) => tf.Tensor;
/**
 * `'penultimate'` (the input of a LayersModel's last Dense layer, or of a GraphModel's last MatMul), a
 * layer name of a LayersModel, a node name of a GraphModel (its output flattened to `[B, D]`), or a function.
 */
export type RepresentationSpec = 'penultimate' | (string & {}) | RepresentationFunction;
/** `'model'`: the model's own output; `'logits'`: the pre-activation of a LayersModel's last layer. */
export type ExplainedOutput = 'model' | 'logits';
export const EXPLAINED_OUTPUTS: readonly ExplainedOutput[] = ['model', 'logits'];

/**
 * What a method explains, for axis titles: `'logit'` with `output: 'logits'`; `'probability'` when the
 * model is a tf.LayersModel whose last layer ends in softmax or sigmoid; else `'output'` (a function or
 * graph model's scores, whatever they are).
 */
export function outputSpaceOf(model: ModelAdapter | undefined, outputOption: unknown): 'probability' | 'logit' | 'output' {
  if (outputOption === 'logits') return 'logit';
  if (model?.kind !== 'layers') return 'output';
  const layers = (model.source as tf.LayersModel).layers;
  const last = layers[layers.length - 1];
  if (!last) return 'output';
  if (last.getClassName() === 'Softmax') return 'probability';
  const activation = (last.getConfig() as { activation?: unknown }).activation;
  return activation === 'softmax' || activation === 'sigmoid' ? 'probability' : 'output';
}

/** One forward pass giving the representation `[n, D]` and the scores `[n, K]` of the same batch. */
export type RepresentationProbe = (batch: tf.Tensor) => { representation: tf.Tensor2D; output: tf.Tensor2D };

type Layer = tf.layers.Layer;
type Symbolic = tf.SymbolicTensor;

const probes = new WeakMap<object, Map<string, RepresentationProbe>>();

/**
 * The representation and the explained scores of a model, from one forward pass. A layer
 * representation needs a tf.LayersModel: a sub-model with two outputs is built on the model's own
 * layers (no weights are copied) and cached per model.
 */
export function representationProbe(model: ModelAdapter, spec: RepresentationSpec | undefined, outputOption: unknown): RepresentationProbe {
  const output = checkOneOf('output', outputOption ?? 'model', EXPLAINED_OUTPUTS);
  const layers = model.kind === 'layers' ? (model.source as tf.LayersModel) : undefined;
  const probeAt = model.probe ?? (layers ? (s: string | undefined, o: ExplainedOutput) => layerProbe(layers, s, o) : undefined);
  if (output === 'logits' && !probeAt) {
    fail('output', "'model' for a function model or a tf.GraphModel ('logits' reads the last layer of a tf.LayersModel; let your function return logits instead)", "'logits'");
  }
  if (typeof spec === 'function') {
    const scores = probeAt && output === 'logits' ? probeAt(undefined, output) : undefined;
    return (batch) => {
      const representation = checkRepresentation(spec(batch), batch.shape[0]);
      return { representation, output: scores ? scores(batch).output : model.forward(batch) };
    };
  }
  if (spec !== undefined && typeof spec !== 'string') fail('representation', "'penultimate', a layer name or a function (batch) => tf.Tensor [B, D]", describe(spec));
  if (model.kind === 'graph') return graphProbe(model.source as tf.GraphModel, spec);
  if (!probeAt) {
    fail('representation', 'a function (batch) => tf.Tensor [B, D] (layer names and the default need a tf.LayersModel, node names a tf.GraphModel)', spec === undefined ? 'none' : `'${spec}'`);
  }
  return probeAt(spec ?? 'penultimate', output);
}

/** The symbolic tensors a layer probe reads from a tf.LayersModel, and how its results become the probe's pair. */
export interface ProbeTensors {
  readonly outputs: Symbolic[];
  finish(results: tf.Tensor[]): { representation: tf.Tensor2D; output: tf.Tensor2D };
}

export function probeTensors(model: tf.LayersModel, spec: string | undefined, output: ExplainedOutput): ProbeTensors {
  const representation = spec === undefined ? undefined : representationTensor(model, spec);
  const { scores, head } = outputTensor(model, output);
  // The representation may be the very tensor the logits head reads ('penultimate' with output 'logits').
  const outputs = representation && representation !== scores ? [representation, scores] : [scores];
  return {
    outputs,
    finish: (results) => {
      const raw = results[results.length - 1];
      const out = head ? head(raw) : raw;
      if (out.rank !== 2) fail('model', 'an output of shape [B, K] (rank 2)', `shape [${out.shape.join(', ')}]`);
      return { representation: (representation ? results[0] : out) as tf.Tensor2D, output: out as tf.Tensor2D };
    },
  };
}

function layerProbe(model: tf.LayersModel, spec: string | undefined, output: ExplainedOutput): RepresentationProbe {
  const key = `${spec ?? ''}\u0000${output}`;
  const cached = probes.get(model)?.get(key);
  if (cached) return cached;
  const tensors = probeTensors(model, spec, output);
  const twoHeads = tf.model({ inputs: model.inputs, outputs: tensors.outputs });
  const probe: RepresentationProbe = (batch) => {
    const applied = twoHeads.apply(batch, { training: false });
    return tensors.finish((Array.isArray(applied) ? applied : [applied]) as tf.Tensor[]);
  };
  if (!probes.has(model)) probes.set(model, new Map());
  probes.get(model)!.set(key, probe);
  return probe;
}

/** A GraphModel's node and its output from one `model.execute(batch, [node, output])`; the node's output is flattened to `[B, D]`. */
function graphProbe(model: tf.GraphModel, spec: string | undefined): RepresentationProbe {
  const node = spec === undefined || spec === 'penultimate' ? defaultGraphNode(model) : spec;
  if (node === null) {
    fail(
      'representation',
      "a node name of this tf.GraphModel or a function: the default is the input of the graph's last MatMul (a dense layer), and this graph has none " +
        '(representationNodes(model, x) lists its nodes with their shapes)',
      spec === undefined ? 'none' : `'${spec}'`,
    );
  }
  checkGraphNode(model, node);
  const key = `graph\u0000${node}`;
  const cached = probes.get(model)?.get(key);
  if (cached) return cached;
  const output = graphOutputNode(model);
  const probe: RepresentationProbe = (batch) => {
    const [representation, out] = model.execute(batch, [node, output]) as tf.Tensor[];
    if (out.rank !== 2) fail('model', 'an output of shape [B, K] (rank 2)', `shape [${out.shape.join(', ')}]`);
    return { representation: representation.reshape([batch.shape[0], -1]) as tf.Tensor2D, output: out as tf.Tensor2D };
  };
  if (!probes.has(model)) probes.set(model, new Map());
  probes.get(model)!.set(key, probe);
  return probe;
}

function representationTensor(model: tf.LayersModel, spec: string): Symbolic {
  let symbolic: Symbolic | Symbolic[];
  let where: string;
  if (spec === 'penultimate') {
    const dense = [...model.layers].reverse().find((l) => l.getClassName() === 'Dense');
    if (!dense) fail('representation', "a layer name or a function: 'penultimate' is the input of the last Dense layer, and this model has none", "'penultimate'");
    symbolic = endOf(dense, 'input', 'representation');
    where = `the input of layer '${dense.name}'`;
  } else {
    const layer = model.layers.find((l) => l.name === spec);
    if (!layer) fail('representation', `'penultimate', a function, or a layer name of the model (one of ${model.layers.map((l) => `'${l.name}'`).join(', ')})`, `'${spec}'`);
    symbolic = endOf(layer, 'output', 'representation');
    where = `layer '${layer.name}'`;
  }
  if (Array.isArray(symbolic)) fail('representation', 'a layer with a single output', `${where} with ${symbolic.length}`);
  if (symbolic.shape.length !== 2) {
    fail('representation', 'a 2-D representation [B, D] (name a Flatten or Dense layer, or pass a function)', `${where} of shape [${symbolic.shape.map((d) => d ?? 'B').join(', ')}]`);
  }
  return symbolic;
}

/** The model's scores, or for `'logits'` the pre-activation of its last layer (a head applied after the sub-model). */
function outputTensor(model: tf.LayersModel, output: ExplainedOutput): { scores: Symbolic; head?: (t: tf.Tensor) => tf.Tensor } {
  if (model.outputs.length !== 1) fail('model', 'a single output tensor [B, K]', `${model.outputs.length} outputs`);
  if (output === 'model') return { scores: model.outputs[0] };
  const last = model.layers[model.layers.length - 1] as Layer;
  const input = endOf(last, 'input', 'output') as Symbolic;
  const kind = last.getClassName();
  if (kind === 'Activation' || kind === 'Softmax') return { scores: input };
  if (kind === 'Dense' && input.shape.length === 2) {
    const [kernel, bias] = last.getWeights();
    return { scores: input, head: (t) => (bias ? tf.add(tf.matMul(t, kernel), bias) : tf.matMul(t, kernel)) };
  }
  return fail('output', "'model': 'logits' needs a last layer that is Dense (on [B, D]), Activation or Softmax", `a last layer of class ${kind}`);
}

/** A layer's input or output tensor; a layer used in several models has none of its own. */
function endOf(layer: Layer, end: 'input' | 'output', argument: string): Symbolic | Symbolic[] {
  try {
    return layer[end];
  } catch {
    return fail(argument, `a layer used once (layer '${layer.name}' is shared by several models, so its ${end} is ambiguous); pass a function instead`);
  }
}

function checkRepresentation(value: unknown, batchSize: number): tf.Tensor2D {
  if (!(value instanceof tf.Tensor)) fail('representation', 'a function returning a tf.Tensor [B, D]', `it returned ${describe(value)}`);
  if (value.rank !== 2 || value.shape[0] !== batchSize) {
    fail('representation', `a 2-D representation [${batchSize}, D] for a batch of ${batchSize}`, `shape [${value.shape.join(', ')}]`);
  }
  return value as tf.Tensor2D;
}
