// The kernel's cell guard (cells.ts) and its rewrites of tslab's output (compiled.ts), in process.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import vm from 'node:vm';
import { Cells } from '../../kernel-ext/cells.js';
import { guardTopLevelAwaits, LONG_LITERAL, shrinkLongLiterals } from '../../kernel-ext/compiled.js';

const cells = new Cells();

test('only the top-level awaits of a cell are guarded; lines keep their numbers', () => {
  const js = [
    'const a = await f(1);',
    'async function g() { await h(); }',
    'const k = async () => await h();',
    'class C { async m() { await h(); } }',
    'for await (const z of it) use(z);',
    'x = (await p) + await q;',
  ].join('\n');
  const out = guardTopLevelAwaits(js, 7);
  assert.equal(out.split('\n').length, js.split('\n').length);
  const lines = out.split('\n');
  assert.match(lines[0], /^const a = await globalThis\[Symbol\.for\("pathlens\.kernel\.cellAwaits"\)\]\.resume\(\(f\(1\)\), 7\);$/);
  assert.equal(lines[1], 'async function g() { await h(); }');
  assert.equal(lines[2], 'const k = async () => await h();');
  assert.equal(lines[3], 'class C { async m() { await h(); } }');
  assert.match(lines[4], /^for await \(const z of it\) \{ globalThis\[.*\]\.check\(7\); use\(z\); \}$/);
  assert.equal((lines[5].match(/\.resume\(/g) ?? []).length, 2);
  assert.equal(guardTopLevelAwaits('const no = 1;', 7), 'const no = 1;');
});

test('a guarded cell stops at its pending await when interrupted; its signal is aborted, outside a cell there is none', async () => {
  const trace: string[] = [];
  let signal: AbortSignal | undefined;
  let release: (v: number) => void = () => {};
  const run = cells.run(async (id) => {
    signal = cells.signal();
    const body = guardTopLevelAwaits('trace.push("before"); const v = await pending; trace.push("after " + v);', id);
    const cell = vm.runInThisContext(`(async function (trace, pending) { ${body} })`) as (t: string[], p: Promise<number>) => Promise<void>;
    return cell(trace, new Promise<number>((r) => (release = r)));
  });
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(signal?.aborted, false);
  cells.interrupt();
  await assert.rejects(run, (e: Error) => e.name === 'AbortError');
  assert.equal(signal?.aborted, true);
  assert.ok(signal?.reason instanceof Error && signal.reason.name === 'AbortError');
  release(1);
  await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(trace, ['before'], 'nothing after the await ran');
  assert.equal(cells.signal(), undefined);
  // A cell that is not interrupted resumes normally, with its value or its error.
  assert.equal(await cells.run((id) => cells.resume(Promise.resolve(5), id)), 5);
  await assert.rejects(cells.run((id) => cells.resume(Promise.reject(new Error('own')), id)), /own/);
  await assert.rejects(cells.resume(1, 999), (e: Error) => e.name === 'AbortError', 'a cell that is no longer running');
});

test('declared string literals over the limit become string; short ones and other declarations stay', () => {
  const long = 'x'.repeat(LONG_LITERAL + 1);
  const decl = `declare const big = "${long}";\ndeclare const small = "abc";\ndeclare let o: {\n    s: "${long}";\n    n: number;\n};\ntype T = "${long}" | 1;\n`;
  const out = shrinkLongLiterals(decl);
  assert.equal(out, 'declare const big: string;\ndeclare const small = "abc";\ndeclare let o: {\n    s: string;\n    n: number;\n};\ntype T = string | 1;\n');
  assert.equal(shrinkLongLiterals('declare const a = 1;\n'), 'declare const a = 1;\n');
});
