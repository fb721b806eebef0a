import * as tf from '@tensorflow/tfjs';
import { describe, fail } from './validate.js';

/** A node of a GraphModel's graph, as tfjs-converter keeps it (`model.executor.graph.nodes`). */
interface GraphNode {
  readonly name: string;
  readonly op: string;
  readonly inputNames: readonly string[];
  readonly inputs: readonly GraphNode[];
}

/** One place a representation can be read: a layer of a LayersModel or a node of a GraphModel, with its output shape (`'B'` = batch). */
export interface RepresentationNode {
  readonly name: string;
  /** The layer's class or the node's op. */
  readonly op: string;
  readonly shape: ReadonlyArray<number | 'B'>;
}

const SKIPPED_OPS = new Set(['Const', 'Placeholder', 'NoOp']);
const MATMUL_OPS = new Set(['MatMul', '_FusedMatMul', 'BatchMatMul', 'BatchMatMulV2']);

function graphNodes(model: tf.GraphModel): Map<string, GraphNode> {
  const graph = (model as unknown as { executor?: { graph?: { nodes?: Record<string, GraphNode> } } }).executor?.graph;
  if (!graph?.nodes) fail('model', 'a tf.GraphModel loaded by tf.loadGraphModel (its graph was not found)');
  return new Map(Object.entries(graph.nodes));
}

/** The graph's one output node. */
export function graphOutputNode(model: tf.GraphModel): string {
  if (model.outputNodes.length !== 1) fail('model', 'a single output tensor [B, K]', `${model.outputNodes.length} outputs (${model.outputNodes.join(', ')})`);
  return model.outputNodes[0];
}

/**
 * The default representation of a GraphModel, as `'penultimate'` is for a LayersModel: the data input of
 * the MatMul (a dense layer) nearest to the output. Null when there is none (e.g. a conv head with
 * global pooling): then the user names a node.
 */
export function defaultGraphNode(model: tf.GraphModel): string | null {
  const nodes = graphNodes(model);
  const start = nodes.get(graphOutputNode(model).split(':')[0]);
  const queue = start ? [start] : [];
  const seen = new Set<string>();
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (seen.has(node.name)) continue;
    seen.add(node.name);
    if (MATMUL_OPS.has(node.op) && node.inputs[0] && !SKIPPED_OPS.has(node.inputs[0].op)) return node.inputNames[0] ?? node.inputs[0].name;
    queue.push(...node.inputs);
  }
  return null;
}

/** Checks that `name` is a node of the graph (`'node'` or `'node:k'`). */
export function checkGraphNode(model: tf.GraphModel, name: string): void {
  const nodes = graphNodes(model);
  const node = nodes.get(name.split(':')[0]);
  if (!node || SKIPPED_OPS.has(node.op)) {
    const near = [...nodes.values()].filter((n) => !SKIPPED_OPS.has(n.op)).slice(-4).map((n) => `'${n.name}'`);
    fail('representation', `a node name of this tf.GraphModel (e.g. ${near.join(', ')}; representationNodes(model, x) lists them all with shapes) or a function`, `'${name}'`);
  }
}

/**
 * The layers of a LayersModel, or the nodes of a GraphModel, whose output can serve as IG2's
 * `representation`, in graph order, with their output shapes. A GraphModel's shapes come from one
 * forward pass on the first example of `x` (or on zeros, when its input shape is fully known).
 */
export function representationNodes(model: tf.LayersModel | tf.GraphModel, x?: tf.Tensor): RepresentationNode[] {
  if (model instanceof tf.LayersModel) {
    return model.layers.map((l) => {
      const shape = l.outputShape as Array<number | null> | Array<Array<number | null>>;
      const single = (Array.isArray(shape[0]) ? shape[0] : shape) as Array<number | null>;
      return { name: l.name, op: l.getClassName(), shape: single.map((d, i) => (i === 0 ? 'B' : (d ?? -1))) };
    });
  }
  if (!(model instanceof tf.GraphModel)) fail('model', 'a tf.LayersModel or a tf.GraphModel', describe(model));
  const nodes = [...graphNodes(model).values()].filter((n) => !SKIPPED_OPS.has(n.op));
  const outputs = tf.tidy(() => {
    const input = x ? x.slice(0, 1) : zerosInput(model);
    const results = model.execute(input, nodes.map((n) => n.name));
    return (Array.isArray(results) ? results : [results]).map((t) => t.shape);
  });
  return nodes.map((n, i) => ({ name: n.name, op: n.op, shape: outputs[i].map((d, k) => (k === 0 ? 'B' : d)) }));
}

function zerosInput(model: tf.GraphModel): tf.Tensor {
  const shape = model.inputs[0]?.shape;
  if (model.inputs.length !== 1 || !shape || shape.slice(1).some((d) => d == null || d < 0)) {
    fail('x', "an example to run the model on (its input shape is not fully known): representationNodes(model, x)", 'none');
  }
  return tf.zeros([1, ...shape.slice(1)]);
}
