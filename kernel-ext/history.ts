/**
 * The input history of this kernel's life (session 1), for `history_request`: `tail`, `range` and
 * `search` (a glob over the whole cell, `*` and `?`, as IPython's), with outputs when asked.
 */
import type { JsonObject } from './wire.js';

const SESSION = 1;

interface Entry {
  line: number;
  input: string;
  output: string | null;
}

type Row = [number, number, string | [string, string | null]];

/** Does `segment` (with `?` for any one character) match `text` at `at`? */
function segmentAt(text: string, segment: string, at: number): boolean {
  if (at + segment.length > text.length) return false;
  for (let i = 0; i < segment.length; i++) if (segment[i] !== '?' && segment[i] !== text[at + i]) return false;
  return true;
}

/**
 * A glob over the whole text (`*`: any run, `?`: any one character), without backtracking: the parts
 * between stars are matched greedily, each at its leftmost place after the previous one (leftmost is
 * always safe for a star pattern). O(text × pattern) at worst, never exponential.
 */
export function globMatch(pattern: string, text: string): boolean {
  const parts = pattern.split('*');
  if (parts.length === 1) return pattern.length === text.length && segmentAt(text, pattern, 0);
  const first = parts[0];
  const last = parts[parts.length - 1];
  if (first.length + last.length > text.length || !segmentAt(text, first, 0) || !segmentAt(text, last, text.length - last.length)) return false;
  let at = first.length;
  const end = text.length - last.length;
  for (const middle of parts.slice(1, -1)) {
    if (middle === '') continue;
    while (at + middle.length <= end && !segmentAt(text, middle, at)) at++;
    if (at + middle.length > end) return false;
    at += middle.length;
  }
  return true;
}

function count(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : fallback;
}

export class History {
  private readonly entries: Entry[] = [];

  /** Records a cell run with `store_history`; `line` is its execution count. */
  add(line: number, input: string): void {
    this.entries.push({ line, input, output: null });
  }

  /** The text/plain of the cell's result, shown with `output: true`. */
  setOutput(line: number, output: string): void {
    const entry = this.entries.find((e) => e.line === line);
    if (entry) entry.output = output;
  }

  /** `history_reply` content for a `history_request`. */
  reply(request: JsonObject): JsonObject {
    const withOutput = request.output === true;
    const row = (e: Entry): Row => [SESSION, e.line, withOutput ? [e.input, e.output] : e.input];
    let picked: Entry[];
    switch (request.hist_access_type) {
      case 'tail':
        picked = this.lastN(this.entries, count(request.n, 10));
        break;
      case 'range': {
        const session = count(request.session, 0);
        if (session !== 0 && session !== SESSION) {
          picked = [];
          break;
        }
        const start = count(request.start, 1);
        const stop = request.stop === null || request.stop === undefined ? Infinity : count(request.stop, Infinity);
        picked = this.entries.filter((e) => e.line >= start && e.line < stop);
        break;
      }
      case 'search': {
        if (typeof request.pattern !== 'string') return { status: 'error', ename: 'ValueError', evalue: 'search needs a pattern string', traceback: [], history: [] };
        const pattern = request.pattern;
        let matches = this.entries.filter((e) => globMatch(pattern, e.input));
        if (request.unique === true) {
          // Keep the last run of each input.
          const seen = new Set<string>();
          matches = matches.reverse().filter((e) => !seen.has(e.input) && seen.add(e.input)).reverse();
        }
        picked = request.n === null || request.n === undefined ? matches : this.lastN(matches, count(request.n, matches.length));
        break;
      }
      default:
        return { status: 'error', ename: 'ValueError', evalue: `hist_access_type must be 'tail', 'range' or 'search', got ${JSON.stringify(request.hist_access_type)}`, traceback: [], history: [] };
    }
    return { status: 'ok', history: picked.map(row) };
  }

  private lastN(entries: Entry[], n: number): Entry[] {
    return n === 0 ? [] : entries.slice(-n);
  }
}
