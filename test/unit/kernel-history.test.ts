import assert from 'node:assert/strict';
import { test } from 'node:test';
import { globMatch, History } from '../../kernel-ext/history.js';

/** The reference semantics: the glob as a backtracking regular expression (fine on short strings). */
function byRegExp(pattern: string, text: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[\\s\\S]*').replace(/\?/g, '[\\s\\S]');
  return new RegExp(`^${source}$`).test(text);
}

test('globMatch agrees with the regular-expression glob on random patterns and texts', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = (alphabet: string, n: number) => Array.from({ length: n }, () => alphabet[Math.floor(next() * alphabet.length)]).join('');
  for (let i = 0; i < 5000; i++) {
    const pattern = pick('ab*?', Math.floor(next() * 7));
    const text = pick('ab', Math.floor(next() * 9));
    assert.equal(globMatch(pattern, text), byRegExp(pattern, text), `${JSON.stringify(pattern)} on ${JSON.stringify(text)}`);
  }
});

test('history search is not exponential: *a*a*a*a*b over long cells of a (this hung the kernel)', () => {
  const history = new History();
  history.add(1, 'a'.repeat(3000));
  history.add(2, `${'a'.repeat(200_000)}b`);
  const reply = history.reply({ hist_access_type: 'search', pattern: '*a*a*a*a*b', unique: true });
  assert.deepEqual((reply.history as unknown[]).map((row) => (row as number[])[1]), [2]);
});
