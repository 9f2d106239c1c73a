/**
 * A tiny C (and C++) tokenizer for the source pane's colours: keywords,
 * type names, strings and characters, comments (a block comment carries
 * over lines), numbers and preprocessor lines. Whole files are tokenized
 * once (cached by their lines), so stepping does not pay for it.
 */

export type TokenKind = 'keyword' | 'type' | 'string' | 'comment' | 'number' | 'preprocessor' | 'plain';
export interface Token { readonly kind: TokenKind; readonly text: string }

const KEYWORDS = new Set([
  'auto', 'break', 'case', 'continue', 'default', 'do', 'else', 'enum', 'extern', 'for', 'goto', 'if', 'inline', 'register',
  'restrict', 'return', 'sizeof', 'static', 'struct', 'switch', 'typedef', 'union', 'volatile', 'while', 'const', '_Alignas',
  '_Alignof', '_Atomic', '_Generic', '_Noreturn', '_Static_assert', '_Thread_local', '__attribute__', 'asm', '__asm__',
  // C++
  'class', 'namespace', 'template', 'typename', 'public', 'private', 'protected', 'virtual', 'override', 'new', 'delete',
  'this', 'throw', 'try', 'catch', 'using', 'operator', 'constexpr', 'nullptr', 'true', 'false', 'noexcept', 'friend',
]);
const TYPES = new Set([
  'void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'bool', '_Complex',
  'size_t', 'ssize_t', 'int8_t', 'int16_t', 'int32_t', 'int64_t', 'uint8_t', 'uint16_t', 'uint32_t', 'uint64_t',
  'uintptr_t', 'intptr_t', 'off_t', 'pid_t', 'FILE', 'wchar_t',
]);

/** The files whose source is coloured: C and C++ by their names. */
export const isCSource = (path: string): boolean => /\.(c|h|cc|cpp|cxx|hh|hpp|hxx|C|H)$/.test(path);

const cache = new WeakMap<readonly string[], Token[][]>();

/** Each line's tokens (their texts joined give the line back). */
export function tokenize(lines: readonly string[]): Token[][] {
  const hit = cache.get(lines);
  if (hit) return hit;
  const out: Token[][] = [];
  let inComment = false;
  for (const line of lines) {
    const r = tokenizeLine(line, inComment);
    inComment = r.inComment;
    out.push(r.tokens);
  }
  cache.set(lines, out);
  return out;
}

const WORD = /^[A-Za-z_]\w*/;
const NUMBER = /^(?:0[xX][0-9a-fA-F']+|0[bB][01']+|(?:\d[\d']*\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)[uUlLfF]*/;

function tokenizeLine(line: string, startInComment: boolean): { tokens: Token[]; inComment: boolean } {
  const tokens: Token[] = [];
  const push = (kind: TokenKind, text: string) => {
    const last = tokens[tokens.length - 1];
    if (last && last.kind === kind) tokens[tokens.length - 1] = { kind, text: last.text + text };
    else if (text) tokens.push({ kind, text });
  };
  let i = 0;
  let inComment = startInComment;
  if (!inComment && /^\s*#/.test(line)) {
    // a preprocessor line, up to a comment in it
    const c = line.search(/\/[*/]/);
    push('preprocessor', c < 0 ? line : line.slice(0, c));
    i = c < 0 ? line.length : c;
  }
  while (i < line.length) {
    if (inComment) {
      const end = line.indexOf('*/', i);
      push('comment', end < 0 ? line.slice(i) : line.slice(i, end + 2));
      if (end < 0) return { tokens, inComment: true };
      inComment = false;
      i = end + 2;
      continue;
    }
    const rest = line.slice(i);
    if (rest.startsWith('//')) { push('comment', rest); break; }
    if (rest.startsWith('/*')) { inComment = true; push('comment', '/*'); i += 2; continue; }
    const ch = rest[0]!;
    if (ch === '"' || ch === '\'') {
      let j = 1;
      while (j < rest.length && rest[j] !== ch) j += rest[j] === '\\' ? 2 : 1;
      push('string', rest.slice(0, j + 1));
      i += Math.min(j + 1, rest.length);
      continue;
    }
    const w = WORD.exec(rest);
    if (w) {
      push(KEYWORDS.has(w[0]) ? 'keyword' : TYPES.has(w[0]) ? 'type' : 'plain', w[0]);
      i += w[0].length;
      continue;
    }
    const n = /\d|\.\d/.test(rest.slice(0, 2)) ? NUMBER.exec(rest) : null;
    if (n) { push('number', n[0]); i += n[0].length; continue; }
    push('plain', ch);
    i++;
  }
  return { tokens, inComment };
}
