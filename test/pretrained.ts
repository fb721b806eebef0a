import * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileModel } from '../src/index.js';

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

/** The face-emotion classifier shipped by @vladmandic/human: [B, 64, 64, 1] grayscale → 7 softmax classes. */
export function loadEmotionModel(): Promise<tf.GraphModel> {
  return tf.loadGraphModel(fileModel(join(humanModelsDir(), 'emotion.json')));
}
