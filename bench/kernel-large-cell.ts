// How much a cell holding a large string literal slows the cells after it, in the pathlens kernel's
// engine (tslab's compiler and executor, in process). Prints the time of a small cell before and after,
// and their ratio. Usage: node --import tsx bench/kernel-large-cell.ts [MB=50]
import { TslabEngine } from '../kernel-ext/tslab.js';

const megabytes = Number(process.argv[2] ?? 50);
const engine = new TslabEngine(process.cwd());
let cell = 0;
async function timed(code: string): Promise<number> {
  const started = performance.now();
  const outcome = await engine.run(code, ++cell);
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.error));
  return performance.now() - started;
}
const small = async () => {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) times.push(await timed(`const v${cell} = ${cell}; v${cell} + 1`));
  return times.sort((a, b) => a - b)[2];
};
for (let i = 0; i < 15; i++) await timed(`const w${cell} = 1`); // warm the compiler
const before = await small();
const big = await timed(`const huge = '${'x'.repeat(megabytes * 2 ** 20)}'; huge.length`);
const after = await small();
console.log(`small cell before: ${before.toFixed(1)} ms; the ${megabytes} MB cell: ${(big / 1000).toFixed(1)} s; small cell after: ${after.toFixed(1)} ms; after/before: ${(after / before).toFixed(2)}`);
engine.close();
