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

/**
 * Faces from the "extracted faces" grid of @vladmandic/human's `assets/screenshot-facematch.jpg`:
 * the n-th face of its first rows (8 per row here), cropped inside its cell, as the emotion model takes
 * them: `[n, 64, 64, 1]` grayscale scaled to [−1, 1].
 */
export async function loadFaces(indices: readonly number[]): Promise<tf.Tensor4D> {
  const { createCanvas, loadImage } = await import('@napi-rs/canvas');
  const image = await loadImage(join(humanModelsDir(), '..', 'assets', 'screenshot-facematch.jpg'));
  const canvas = createCanvas(64, 64);
  const context = canvas.getContext('2d');
  const data = new Float32Array(indices.length * 64 * 64);
  indices.forEach((n, f) => {
    // Cells of the grid, measured on the 1920 × 954 screenshot: 104.8 px apart, 111.4 px between rows.
    const [column, row] = [n % 8, Math.floor(n / 8)];
    context.drawImage(image, 15.4 + 104.8 * column, 299.5 + 111.4 * row, 80.6, 80.6, 0, 0, 64, 64);
    const rgba = context.getImageData(0, 0, 64, 64).data;
    for (let i = 0; i < 64 * 64; i++) {
      const gray = 0.2989 * rgba[4 * i] + 0.587 * rgba[4 * i + 1] + 0.114 * rgba[4 * i + 2];
      data[f * 64 * 64 + i] = (gray / 255) * 2 - 1;
    }
  });
  return tf.tensor4d(data, [indices.length, 64, 64, 1]);
}
