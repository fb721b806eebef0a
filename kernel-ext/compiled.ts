/**
 * Rewrites of what tslab's compiler makes of a cell, before it runs or is kept:
 * - the cell's top-level awaits go through the kernel's cell guard (cells.ts), so an interrupted cell
 *   stops at its pending await and runs nothing after it;
 * - long string literal types in the declarations carried to later cells become `string`: tslab
 *   re-parses every earlier cell's declarations for each new cell, and `const s = '<50 MB>'` declares
 *   `declare const s = "<50 MB>"`.
 * Both keep line numbers (tracebacks point at the user's lines).
 */
import { createRequire } from 'node:module';
import type * as TypeScript from 'typescript';
import { CELL_AWAITS } from './cells.js';

const require = createRequire(import.meta.url);
const ts = require('@tslab/typescript-for-tslab') as typeof TypeScript;

/** Declared string literals longer than this are widened to `string` in the carried declarations. */
export const LONG_LITERAL = 1000;

const GUARD = `globalThis[Symbol.for(${JSON.stringify(Symbol.keyFor(CELL_AWAITS))})]`;

type Edit = [start: number, end: number, text: string];

function applyEdits(text: string, edits: Edit[]): string {
  let out = text;
  for (const [start, end, replacement] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, start) + replacement + out.slice(end);
  return out;
}

/** A node that starts a new function scope: awaits inside it are not the cell's own. */
function isScope(node: TypeScript.Node): boolean {
  return ts.isFunctionLike(node) || ts.isClassLike(node);
}

/** `await e` at the cell's top level → `await guard.resume((e), cellId)`; `for await` bodies start with `guard.check(cellId)`. */
export function guardTopLevelAwaits(js: string, cellId: number): string {
  if (!js.includes('await')) return js;
  const source = ts.createSourceFile('cell.js', js, ts.ScriptTarget.Latest, false, ts.ScriptKind.JS);
  const edits: Edit[] = [];
  const visit = (node: TypeScript.Node): void => {
    if (isScope(node)) return;
    if (ts.isAwaitExpression(node)) {
      const operand = node.expression;
      edits.push([operand.getStart(source), operand.getStart(source), `${GUARD}.resume((`]);
      edits.push([operand.end, operand.end, `), ${cellId})`]);
    } else if (ts.isForOfStatement(node) && node.awaitModifier) {
      edits.push([node.statement.getStart(source), node.statement.getStart(source), `{ ${GUARD}.check(${cellId}); `]);
      edits.push([node.statement.end, node.statement.end, ' }']);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return applyEdits(js, edits);
}

/** Declarations with string literals longer than {@link LONG_LITERAL} widened to `string`. */
export function shrinkLongLiterals(declarations: string): string {
  if (declarations.length <= LONG_LITERAL) return declarations;
  const source = ts.createSourceFile('decl.d.ts', declarations, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const edits: Edit[] = [];
  const long = (node: TypeScript.Node | undefined) => !!node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) && node.text.length > LONG_LITERAL;
  const visit = (node: TypeScript.Node): void => {
    if (ts.isVariableDeclaration(node) && !node.type && long(node.initializer)) {
      edits.push([node.name.end, node.initializer!.end, ': string']); // declare const s = "…" → declare const s: string
      return;
    }
    if (ts.isLiteralTypeNode(node) && long(node.literal)) {
      edits.push([node.getStart(source), node.end, 'string']);
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return applyEdits(declarations, edits);
}
