/**
 * Completion's names from what the session knows: the symbol names in gdb's
 * order of preference (locals first), the members of a struct type, and a
 * command's standard output gathered for `pipe`.
 */
import { strip, type CType } from '../dwarf/index.js';
import { stripWrapHints } from '../dwarf/wrap.js';
import type { OutputStream } from '../debugger/store.js';

/** An expression's names as gdb completes them: ELF `f.cold` as gdb names it, `f[cold]`; source file names too. */
export function expressionNames(n: { locals: string[]; functions: string[]; globals: string[]; types: string[]; symbols: string[]; files: string[] }): string[] {
  const symbols = n.symbols.map((s) => s.replace(/\.cold$/, '[cold]'));
  return [...new Set([...n.locals, ...n.functions, ...n.globals, ...n.types, ...symbols, ...n.files])];
}

/** The members of a struct or union, or of what a pointer to one points at (typedefs and qualifiers seen through). */
export function memberNames(type: CType): string[] | undefined {
  let t = strip(type);
  if (t.kind === 'pointer' || t.kind === 'array') t = strip(t.kind === 'pointer' ? t.target : t.element);
  if (t.kind !== 'struct' && t.kind !== 'union') return undefined;
  const out: string[] = [];
  for (const m of t.members) {
    if (m.name) out.push(m.name);
    else out.push(...(memberNames(m.type) ?? []));   // an anonymous struct's members are the outer's
  }
  return out;
}

/** Run fn with the store's standard output gathered instead of shown (the rest passes). */
export async function captureStdout<T>(store: { write(stream: OutputStream, text: string): void }, fn: () => Promise<T>): Promise<{ text: string; result: T }> {
  const shown = store.write;
  let text = '';
  store.write = (stream, t) => {
    if (stream === 'stdout') text += stripWrapHints(t);
    else shown.call(store, stream, t);
  };
  try {
    const result = await fn();
    return { text, result };
  } finally {
    store.write = shown;
  }
}
