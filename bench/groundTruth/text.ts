// Text tasks whose deciding tokens are known: sentences of random tokens in which planted keywords decide
// the class. 'keyword': class 1 iff token 1 occurs. 'both': class 1 iff tokens 1 and 2 both occur (the
// negatives hold one of them, or neither, so neither keyword decides alone).
import { seededUniform } from '../../src/random.js';

export const VOCAB = 40;
export const LENGTH = 10;
/** Token ids below this are keywords (0 is padding); fillers are drawn from the rest. */
const FIRST_FILLER = 3;

export interface TextTask {
  readonly name: string;
  readonly description: string;
  /** The tokens that decide a positive sentence. */
  readonly keywords: readonly number[];
}

export const TEXT_TASKS: readonly TextTask[] = [
  { name: 'keyword', description: 'class 1 iff token 1 occurs', keywords: [1] },
  { name: 'both', description: 'class 1 iff tokens 1 and 2 both occur (negatives hold one, or neither)', keywords: [1, 2] },
];

export interface Sentences {
  /** Row-major `[n, LENGTH]` token ids. */
  readonly ids: Int32Array;
  readonly labels: Int32Array;
  readonly n: number;
}

/** n sentences, half of them positive, each keyword planted once at a random position. */
export function sampleSentences(task: TextTask, n: number, seed: number): Sentences {
  const uniform = seededUniform(seed);
  const pick = (k: number) => Math.floor(uniform() * k);
  const ids = new Int32Array(n * LENGTH);
  const labels = new Int32Array(n);
  for (let r = 0; r < n; r++) {
    const row = ids.subarray(r * LENGTH, (r + 1) * LENGTH);
    for (let t = 0; t < LENGTH; t++) row[t] = FIRST_FILLER + pick(VOCAB - FIRST_FILLER);
    const positive = r % 2 === 0;
    labels[r] = positive ? 1 : 0;
    // Negatives of 'both' hold one keyword (2/3 of them) or none; of 'keyword', none.
    const planted = positive ? task.keywords : task.keywords.length > 1 ? [[task.keywords[0]], [task.keywords[1]], []][pick(3)] : [];
    const positions = new Set<number>();
    while (positions.size < planted.length) positions.add(pick(LENGTH));
    [...positions].forEach((p, k) => (row[p] = planted[k]));
  }
  return { ids, labels, n };
}

/** Whether the deciding tokens are exactly the top-ranked positions of a sentence's per-token scores. */
export function keywordsRankedFirst(tokenScores: ArrayLike<number>, sentence: ArrayLike<number>, keywords: readonly number[]): boolean {
  const order = Array.from(tokenScores, (_, t) => t).sort((a, b) => tokenScores[b] - tokenScores[a]);
  const top = order.slice(0, keywords.length).map((t) => sentence[t]);
  return keywords.every((k) => top.includes(k));
}
