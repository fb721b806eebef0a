import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expandShorthandProperties } from '../../kernel-ext/shorthand.js';

test('shorthand properties are written out; everything else is left as it is', () => {
  assert.equal(expandShorthandProperties('f({ pool, count: 8 })'), 'f({ pool: pool, count: 8 })');
  assert.equal(expandShorthandProperties('const o = { a, b };\nconst c = `${a}`;'), 'const o = { a: a, b: b };\nconst c = `${a}`;');
  assert.equal(expandShorthandProperties('({ a = 1 } = obj);'), '({ a: a = 1 } = obj);', 'assignment pattern with a default');
  assert.equal(expandShorthandProperties('const { a, b } = obj;'), 'const { a, b } = obj;', 'binding patterns are not shorthand properties');
  assert.equal(expandShorthandProperties('const e = <div title={t}>{x}</div>;'), 'const e = <div title={t}>{x}</div>;');
  assert.equal(expandShorthandProperties('x.map((v) => ({ v }))'), 'x.map((v) => ({ v: v }))');
  const code = 'const a = 1;\nlet b = { a, q: { a } };\nb';
  const out = expandShorthandProperties(code);
  assert.equal(out.split('\n').length, code.split('\n').length, 'lines keep their numbers');
  assert.deepEqual(new Function(`${out}; return b;`)(), { a: 1, q: { a: 1 } });
});
