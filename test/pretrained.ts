import * as tf from '@tensorflow/tfjs';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

/**
 * The `models/` folder of the `@vladmandic/human` devDependency. Its `exports` field hides
 * package.json from require.resolve, so the folder is looked for along node's search paths.
 */
export function humanModelsDir(): string {
  const require = createRequire(import.meta.url);
  for (const base of require.resolve.paths('@vladmandic/human') ?? []) {
    const dir = join(base, '@vladmandic', 'human', 'models');
    if (existsSync(join(dir, 'emotion.json'))) return dir;
  }
  throw new Error('@vladmandic/human is not installed (npm install): its models/ folder was not found');
}

/** An IOHandler reading a graph model's model.json and weight files from disk. */
export function fileHandler(modelJson: string): tf.io.IOHandler {
  return {
    async load() {
      const json = JSON.parse(readFileSync(modelJson, 'utf8'));
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Uint8Array[] = [];
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const path of group.paths) buffers.push(readFileSync(join(dirname(modelJson), path)));
      }
      const total = buffers.reduce((n, b) => n + b.byteLength, 0);
      const weightData = new Uint8Array(total);
      let offset = 0;
      for (const b of buffers) {
        weightData.set(b, offset);
        offset += b.byteLength;
      }
      return {
        modelTopology: json.modelTopology,
        format: json.format,
        generatedBy: json.generatedBy,
        convertedBy: json.convertedBy,
        weightSpecs: specs,
        weightData: weightData.buffer,
      };
    },
  };
}

/** The face-emotion classifier shipped by @vladmandic/human: [B, 64, 64, 1] grayscale → 7 softmax classes. */
export function loadEmotionModel(): Promise<tf.GraphModel> {
  return tf.loadGraphModel(fileHandler(join(humanModelsDir(), 'emotion.json')));
}
