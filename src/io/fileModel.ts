import * as tf from '@tensorflow/tfjs';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';

/**
 * A tfjs IOHandler for a model saved on disk (`model.json` + weight files beside it), for Node
 * without tfjs-node: `tf.loadLayersModel(fileModel('path/model.json'))`, likewise `tf.loadGraphModel`.
 * Saving writes `model.json` and one `weights.bin`.
 */
export function fileModel(modelJsonPath: string): tf.io.IOHandler {
  const path = resolve(modelJsonPath);
  return {
    async load() {
      const json = JSON.parse(await readFile(path, 'utf8')) as tf.io.ModelJSON;
      const manifest = json.weightsManifest ?? [];
      const buffers = await Promise.all(manifest.flatMap((group) => group.paths.map((p) => readFile(join(dirname(path), p)))));
      const bytes = new Uint8Array(buffers.reduce((n, b) => n + b.byteLength, 0));
      let offset = 0;
      for (const b of buffers) {
        bytes.set(b, offset);
        offset += b.byteLength;
      }
      return tf.io.getModelArtifactsForJSON(json, async () => [manifest.flatMap((g) => g.weights), bytes.buffer]);
    },
    async save(artifacts) {
      if (!(artifacts.weightData instanceof ArrayBuffer)) throw new Error('fileModel: expected the weights in one ArrayBuffer');
      await mkdir(dirname(path), { recursive: true });
      const json: tf.io.ModelJSON = {
        modelTopology: artifacts.modelTopology as object,
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(dirname(path), 'weights.bin'), new Uint8Array(artifacts.weightData));
      await writeFile(path, JSON.stringify(json));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}
