import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';

const require = createRequire(import.meta.url);
const ts = require('@tslab/typescript-for-tslab') as typeof TypeScript;

/**
 * tslab 1.0.22 rewrites a cell's references to earlier cells' variables, but not shorthand properties:
 * with `pool` declared in another cell, `{ pool, count: 8 }` throws "pool is not defined". Writing them
 * out (`{ pool: pool, count: 8 }`) means the same and works; lines keep their numbers.
 */
export function expandShorthandProperties(code: string): string {
  const source = ts.createSourceFile('cell.tsx', code, ts.ScriptTarget.Latest, false, ts.ScriptKind.TSX);
  const inserts: Array<[position: number, text: string]> = [];
  const visit = (node: TypeScript.Node): void => {
    if (ts.isShorthandPropertyAssignment(node)) inserts.push([node.name.end, `: ${node.name.text}`]);
    ts.forEachChild(node, visit);
  };
  visit(source);
  let out = code;
  for (const [position, text] of inserts.sort((a, b) => b[0] - a[0])) out = out.slice(0, position) + text + out.slice(position);
  return out;
}
