/**
 * Attribution at a layer: `explain(model, x, { layer })` splits the model at a named layer of a
 * tf.LayersModel (or a node of a tf.GraphModel). x runs through the part before it once; every method
 * then explains the part after it, as a model of the layer's output. Baselines and IG2 references given
 * as model inputs go through the first part too.
 *
 * A tf.LayersModel is run layer by layer on concrete tensors along its own graph (no layer is applied to
 * a new symbolic tensor, so the model is left as it was); a tf.GraphModel is fed the node's value.
 */
import * as tf from '@tensorflow/tfjs';
import { checkOutput, isGraphModel, isLayersModel, type ModelAdapter, type ModelLike } from './model.js';
import { probeTensors, type ExplainedOutput, type RepresentationProbe } from './representation.js';
import { describe, fail, sameShape } from './validate.js';

/** What a split gives: the part after the layer as a model, and the part before it as a function. */
export interface LayerSplit {
  /** The layer (or node) name. */
  readonly layer: string;
  /** The part after the layer: the layer's output in, the model's scores out. */
  readonly tail: ModelAdapter;
  /** The part before it: a batch of model inputs to the layer's output (float32). */
  head(input: tf.Tensor): tf.Tensor;
  /** For an embedding lookup: the [min, max] of its embedding matrix (IG2's default clip, as the authors use for TREC). */
  embeddingRange(): Promise<[number, number] | undefined>;
  /** What the user should know about the split (for `ex.notices`). */
  readonly notices: readonly string[];
}

type Sym = tf.SymbolicTensor;
type Layer = tf.layers.Layer;

const MAX_LISTED = 60;

function listed(names: readonly string[]): string {
  const shown = names.slice(0, MAX_LISTED).map((n) => `'${n}'`).join(', ');
  return names.length > MAX_LISTED ? `${shown}, … (${names.length - MAX_LISTED} more)` : shown;
}

/** Splits `model` at `layer`; fails at once, before any tensor work, on a name it cannot split at. */
export function splitModel(model: ModelLike, layer: unknown): LayerSplit {
  if (typeof layer !== 'string' || layer === '') fail('layer', 'the name of a layer of the model (a non-empty string)', describe(layer));
  if (typeof model === 'function' || model == null || typeof model !== 'object') {
    fail('layer', 'a tf.LayersModel or a tf.GraphModel to split (a function model has no layers: pass the part after the layer as the model, and its input as x)', `a ${typeof model}`);
  }
  if (isLayersModel(model)) return splitLayers(model, layer);
  if (isGraphModel(model)) return splitGraph(model, layer);
  return fail('model', 'a tf.LayersModel or a tf.GraphModel', 'an object of another kind');
}

// ---- tf.LayersModel -------------------------------------------------------------------------------

/** The node that produced a symbolic tensor; an input layer's node has no inbound layers. */
function producer(t: Sym) {
  return t.sourceLayer.inboundNodes[t.nodeIndex];
}

function isModelInput(t: Sym): boolean {
  return producer(t).inboundLayers.length === 0;
}

/**
 * Walks the graph upstream of `from`, stopping at `stop`. Returns every symbolic tensor met, and the
 * model inputs reached without passing `stop`.
 */
function upstream(from: readonly Sym[], stop?: Sym): { seen: Sym[]; inputs: Sym[] } {
  const seen = new Map<number, Sym>();
  const inputs: Sym[] = [];
  const visit = (t: Sym): void => {
    if (seen.has(t.id)) return;
    seen.set(t.id, t);
    if (stop && t.id === stop.id) return;
    if (isModelInput(t)) {
      inputs.push(t);
      return;
    }
    producer(t).inputTensors.forEach(visit);
  };
  from.forEach(visit);
  return { seen: [...seen.values()], inputs };
}

/** The single output of `layer` in this model, if the model can be split there (else null). */
function cutOf(model: tf.LayersModel, layer: Layer): Sym | null {
  const outputs = upstream(model.outputs).seen.filter((t) => t.sourceLayer === layer);
  if (outputs.length !== 1 || isModelInput(outputs[0])) return null;
  return upstream(model.outputs, outputs[0]).inputs.length === 0 ? outputs[0] : null;
}

/** Runs the layers on concrete tensors: values for some symbolic tensors in, values of `fetches` out. */
function evaluate(fetches: readonly Sym[], feeds: ReadonlyMap<number, tf.Tensor>): tf.Tensor[] {
  const values = new Map(feeds);
  const value = (t: Sym): tf.Tensor => {
    const known = values.get(t.id);
    if (known) return known;
    const node = producer(t);
    if (node.inboundLayers.length === 0) throw new Error(`internal: layer split needs the model input '${t.name}'`);
    const inputs = node.inputTensors.map(value);
    const out = t.sourceLayer.apply(inputs.length === 1 ? inputs[0] : inputs, { ...node.callArgs, training: false }) as tf.Tensor | tf.Tensor[];
    const outs = Array.isArray(out) ? out : [out];
    node.outputTensors.forEach((o, i) => values.set(o.id, outs[i]));
    return values.get(t.id)!;
  };
  return fetches.map(value);
}

function splitLayers(model: tf.LayersModel, name: string): LayerSplit {
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    fail('layer', 'a model with one input and one output to split', `${model.inputs.length} input(s) and ${model.outputs.length} output(s)`);
  }
  const splittable = () => model.layers.filter((l) => cutOf(model, l) !== null).map((l) => l.name);
  const layer = model.layers.find((l) => l.name === name);
  if (!layer) fail('layer', `the name of a layer of the model to split at (one of ${listed(splittable())})`, `'${name}'`);
  const cut = cutOf(model, layer);
  if (!cut) {
    fail(
      'layer',
      `a layer that every path from the input to the output goes through, applied once with one output (one of ${listed(splittable())}); ` +
        `the rest of the model also reads what comes before '${name}' (a connection skips over it), or the layer is shared or has several outputs`,
      `'${name}'`,
    );
  }
  const [input] = model.inputs;
  const [output] = model.outputs;
  const afterCut = (batch: tf.Tensor, fetches: readonly Sym[]) => evaluate(fetches, new Map([[cut.id, batch]]));
  const probes = new Map<string, RepresentationProbe>();
  const probe = (spec: string | undefined, explained: ExplainedOutput): RepresentationProbe => {
    const key = `${spec ?? ''}\u0000${explained}`;
    const cached = probes.get(key);
    if (cached) return cached;
    const tensors = probeTensors(model, spec, explained);
    if (upstream(tensors.outputs, cut).inputs.length > 0) {
      fail('representation', `a layer after '${name}' (the model is explained at that layer), or a function of its output`, spec === undefined ? 'none' : `'${spec}'`);
    }
    const made: RepresentationProbe = (batch) => tensors.finish(afterCut(batch, tensors.outputs));
    probes.set(key, made);
    return made;
  };
  // Keras masks (an Embedding with maskZero) follow the token ids, which the part after the split never sees.
  const masking = upstream([cut]).seen.map((t) => t.sourceLayer).filter((l) => (l.getConfig() as { maskZero?: boolean }).maskZero === true);
  const notices = masking.length
    ? [`layer: the mask of '${masking[0].name}' (maskZero) is not carried past the split at '${name}': the layers after it treat padding positions as tokens`]
    : [];
  return {
    layer: name,
    notices,
    tail: { kind: 'function', source: model, forward: (batch) => checkOutput(afterCut(batch, [output])[0], batch.shape[0]), probe },
    head: (batch) => tf.tidy(() => evaluate([cut], new Map([[input.id, batch]]))[0].toFloat()),
    embeddingRange: async () => (layer.getClassName() === 'Embedding' ? rangeOf(layer.getWeights()[0]) : undefined),
  };
}

async function rangeOf(t: tf.Tensor | undefined): Promise<[number, number] | undefined> {
  if (!t) return undefined;
  const both = tf.tidy(() => tf.stack([tf.min(t), tf.max(t)]));
  const [lo, hi] = await both.data();
  both.dispose();
  return lo < hi ? [lo, hi] : undefined;
}

// ---- tf.GraphModel --------------------------------------------------------------------------------

interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly inputs: readonly GraphNode[];
}

/** The graph's nodes (the executor's parsed graph; tfjs has no public accessor for intermediate nodes). */
function graphNodes(model: tf.GraphModel): Record<string, GraphNode> {
  const nodes = (model as unknown as { executor?: { graph?: { nodes?: Record<string, GraphNode> } } }).executor?.graph?.nodes;
  if (!nodes) fail('model', 'a loaded tf.GraphModel (its graph could not be read)');
  return nodes;
}

const nodeName = (name: string) => name.replace(/:\d+$/, '');

function splitGraph(model: tf.GraphModel, name: string): LayerSplit {
  const nodes = graphNodes(model);
  if (model.outputNodes.length !== 1) fail('layer', 'a graph model with one output to split', `${model.outputNodes.length} outputs`);
  const outputNode = nodes[nodeName(model.outputNodes[0])];
  const upstreamOfOutput = new Set<string>();
  (function mark(n: GraphNode) {
    if (upstreamOfOutput.has(n.name)) return;
    upstreamOfOutput.add(n.name);
    n.inputs.forEach(mark);
  })(outputNode);
  /** Whether the output depends on `cut`, and every path from a graph input to the output goes through it. */
  const cuts = (cut: GraphNode): boolean => {
    if (!upstreamOfOutput.has(cut.name)) return false;
    const seen = new Set<string>();
    const stack = [outputNode];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n === cut || seen.has(n.name)) continue;
      seen.add(n.name);
      if (n.op === 'Placeholder') return false;
      stack.push(...n.inputs);
    }
    return true;
  };
  const candidates = () => Object.values(nodes).filter((n) => n.op !== 'Const' && n.op !== 'Placeholder' && cuts(n)).map((n) => n.name);
  const cut = nodes[nodeName(name)];
  if (!cut || cut.op === 'Const' || cut.op === 'Placeholder') fail('layer', `the name of a node of the graph model to split at (one of ${listed(candidates())})`, `'${name}'`);
  if (!cuts(cut)) {
    fail('layer', `a node that every path from the input to the output goes through (one of ${listed(candidates())}); the rest of the graph also reads what comes before it`, `'${name}'`);
  }
  const table = cut.op === 'GatherV2' || cut.op === 'ResourceGather' ? cut.inputs[0] : undefined;
  return {
    layer: name,
    notices: [],
    tail: {
      kind: 'function',
      source: model,
      forward: (batch) => checkOutput(model.execute({ [name]: batch }, model.outputNodes[0]), batch.shape[0]),
    },
    head: (batch) => tf.tidy(() => (model.execute(batch, name) as tf.Tensor).toFloat()),
    embeddingRange: async () => (table?.op === 'Const' ? rangeOf(model.weights[table.name]?.[0]) : undefined),
  };
}

// ---- moving the inputs to the layer -----------------------------------------------------------------

/** The part before the layer on a batch, in chunks of `chunk` examples. */
function headInChunks(split: LayerSplit, batch: tf.Tensor, chunk: number): tf.Tensor {
  const n = batch.shape[0];
  if (n <= chunk) return split.head(batch);
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < n; start += chunk) parts.push(tf.tidy(() => split.head(batch.slice(start, Math.min(chunk, n - start)))));
    return tf.concat(parts);
  } finally {
    tf.dispose(parts);
  }
}

interface StepLike {
  readonly method: string;
  readonly options: object;
}

export interface AtLayer<S extends StepLike> {
  /** The layer's output on x (float32). */
  readonly x: tf.Tensor;
  /** The plan with model-input baselines and references replaced by their layer outputs, and IG2's clip filled in. */
  readonly plan: S[];
  /** Every tensor made here, x included: the caller disposes them. */
  readonly owned: tf.Tensor[];
}

/**
 * Runs x, model-input baselines (`{ input }`) and IG2 references or pools of x's example shape through
 * the part before the layer, and gives IG2 an embedding layer's range as its default `clip`.
 */
export async function moveToLayer<S extends StepLike>(split: LayerSplit, input: tf.Tensor, plan: readonly S[], chunk: number): Promise<AtLayer<S>> {
  if (!(input instanceof tf.Tensor)) fail('x', 'a tf.Tensor of model inputs with a batch axis [B, ...]', describe(input));
  if (input.rank < 1 || input.shape[0] === 0) fail('x', 'at least one example: shape [B, ...]', `shape [${input.shape.join(', ')}]`);
  const owned: tf.Tensor[] = [];
  const inputExample = input.shape.slice(1);
  const through = (t: tf.Tensor, oneExample = false): tf.Tensor => {
    const batch = oneExample ? t.expandDims(0) : t;
    let out = headInChunks(split, batch, chunk);
    if (oneExample) {
      batch.dispose();
      const squeezed = out.squeeze([0]);
      out.dispose();
      out = squeezed;
    }
    owned.push(out);
    return out;
  };
  try {
    const x = through(input);
    const layerExample = x.shape.slice(1);
    const asInput = (t: tf.Tensor) => sameShape(t.shape.slice(1), inputExample) && !sameShape(t.shape.slice(1), layerExample);
    const baselineOf = (spec: unknown): unknown => {
      const modelInputShaped = (shape: number[]) => (sameShape(shape, inputExample) || sameShape(shape, input.shape)) && !sameShape(shape, layerExample) && !sameShape(shape, x.shape);
      if (spec instanceof tf.Tensor && modelInputShaped(spec.shape)) {
        fail('baseline', `a tensor in the space of layer '${split.layer}' ([${layerExample.join(', ')}] or x's layer shape); for model inputs such as padding tokens pass { input: tensor }`, describe(spec));
      }
      if (spec === null || typeof spec !== 'object' || spec instanceof tf.Tensor || !('input' in spec)) return spec;
      const t = (spec as { input: unknown }).input;
      if (t instanceof tf.Tensor && sameShape(t.shape, inputExample)) return through(t, true);
      if (t instanceof tf.Tensor && sameShape(t.shape, input.shape)) return through(t);
      return fail('baseline.input', `a model input of one example's shape [${inputExample.join(', ')}] or of x's shape [${input.shape.join(', ')}]`, describe(t));
    };
    let range: [number, number] | undefined | null = null;
    const moved: S[] = [];
    for (const step of plan) {
      const options = { ...step.options } as Record<string, unknown>;
      if ('baseline' in options) options.baseline = baselineOf(options.baseline);
      if (step.method === 'ig2') {
        const refs = options.references;
        if (refs instanceof tf.Tensor && asInput(refs)) options.references = through(refs);
        else if (refs !== null && typeof refs === 'object' && 'pool' in refs && (refs as { pool: unknown }).pool instanceof tf.Tensor) {
          const pool = (refs as { pool: tf.Tensor }).pool;
          if (asInput(pool)) options.references = { ...refs, pool: through(pool) };
        }
        if (options.clip === undefined) {
          if (range === null) range = await split.embeddingRange();
          if (range) options.clip = range;
        }
      }
      moved.push({ ...step, options } as S);
    }
    return { x, plan: moved, owned };
  } catch (error) {
    tf.dispose(owned);
    throw error;
  }
}
