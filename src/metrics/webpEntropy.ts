import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { EntropyEstimator } from './entropy.js';

/**
 * The reference's entropy (spec guided-ig.md §4.3): the byte count of a lossless WebP (quality 100,
 * method 4), encoded by libwebp compiled to WebAssembly (the `@jsquash/webp` package, Apache-2.0).
 * Grayscale images are encoded as RGB, as Pillow converts them. On the PIC fixture images it
 * reproduces the reference's Pillow/libwebp byte counts exactly (test/conformance/pic.test.ts).
 * Node only: the encoder's wasm is read from node_modules.
 */
type Encode = (data: { data: Uint8ClampedArray; width: number; height: number; colorSpace: 'srgb' }, options: Record<string, number>) => Promise<ArrayBuffer>;

let encoder: Promise<Encode> | null = null;

interface Wasm {
  validate(bytes: Uint8Array): boolean;
  compile(bytes: Uint8Array): Promise<object>;
}

async function loadEncoder(): Promise<Encode> {
  const require = createRequire(import.meta.url);
  const wasmApi = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
  const read = (file: string) => readFileSync(require.resolve(`@jsquash/webp/codec/enc/${file}`));
  // The package's init() picks the SIMD build when the runtime supports SIMD; the module given must match.
  const simd = read('webp_enc_simd.wasm');
  const wasm = await wasmApi.compile(wasmApi.validate(simd) ? simd : read('webp_enc.wasm'));
  const module = (await import('@jsquash/webp/encode.js')) as unknown as { init: (m: object) => Promise<unknown>; default: Encode };
  await module.init(wasm);
  return module.default;
}

export const webpEntropy: EntropyEstimator = async (pixels, height, width, channels) => {
  if (channels !== 1 && channels !== 3) throw new Error(`entropy: the WebP estimator takes 1 or 3 channels, got ${channels}; pass entropy: 'deflate' or a function`);
  encoder ??= loadEncoder();
  const encode = await encoder;
  const rgba = new Uint8ClampedArray(height * width * 4);
  for (let p = 0; p < height * width; p++) {
    for (let c = 0; c < 3; c++) rgba[p * 4 + c] = pixels[p * channels + (channels === 1 ? 0 : c)];
    rgba[p * 4 + 3] = 255;
  }
  const bytes = await encode({ data: rgba, width, height, colorSpace: 'srgb' }, { lossless: 1, quality: 100, method: 4, exact: 0 });
  return bytes.byteLength;
};
