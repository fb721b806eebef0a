// Guard: no synchronous tensor read in src/. On webgpu in Node a synchronous read needs OffscreenCanvas,
// which Node lacks (ReferenceError), so every read is `await t.data()` (readAll, mirrorOnHost in src/tensors.ts).
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const SRC = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'src');
const SYNC_READ = /\.(dataSync|arraySync|bufferSync|readSync)\s*\(/;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : []));
}

test('src/ reads no tensor synchronously (dataSync, arraySync, bufferSync, readSync)', () => {
  const files = sources(SRC);
  assert.ok(files.length > 50, `scanned ${files.length} files`);
  const found: string[] = [];
  for (const file of files) {
    readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
      const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
      if (SYNC_READ.test(code)) found.push(`${relative(SRC, file)}:${i + 1}: ${line.trim()}`);
    });
  }
  assert.deepEqual(found, []);
});

test('the guard sees a synchronous read', () => {
  assert.ok(SYNC_READ.test('const v = t.dataSync()[0];') && SYNC_READ.test('backend.readSync(id)') && !SYNC_READ.test('await t.data()'));
});
