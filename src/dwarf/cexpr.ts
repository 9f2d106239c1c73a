/**
 * Lexer and recursive-descent parser for the C expressions gdb users type:
 * identifiers (C++ `ns::name` too), literals, registers ($rip), history ($1,
 * $, $$), unary and binary operators with C precedence, casts to named types,
 * sizeof, member access, indexing, assignment, the conditional operator and
 * gdb's `{type} ADDR`. One parser serves both evaluators: the DWARF one
 * (src/dwarf/evaluator.ts) and the one for programs without debug info
 * (src/commands/expr.ts); each decides what a node means.
 */
export class ExprError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExprError';
  }
}

export type TypeSpec = { base: string; pointers: number; array?: number[] };

export type Node =
  | { k: 'int'; v: bigint; unsigned: boolean; long: boolean }
  | { k: 'float'; v: number; text: string }
  | { k: 'char'; v: number }
  | { k: 'string'; v: string }                  // bytes (UTF-8 for non-ASCII source), one char per byte
  | { k: 'ident'; name: string }
  | { k: 'dollar'; name: string }
  | { k: 'unary'; op: string; e: Node }
  | { k: 'binary'; op: string; l: Node; r: Node }
  | { k: 'assign'; op: string; l: Node; r: Node }
  | { k: 'postfix'; op: '+' | '-'; e: Node }     // e++ / e--: stores e op 1, yields e's old value
  | { k: 'cond'; c: Node; t: Node; f: Node }
  | { k: 'index'; e: Node; i: Node }
  | { k: 'member'; e: Node; name: string; arrow: boolean }
  | { k: 'cast'; type: TypeSpec; e: Node }
  | { k: 'brace'; type: TypeSpec; e: Node }     // gdb's {type} ADDR: a `type` object at address ADDR
  | { k: 'sizeof'; type?: TypeSpec; e?: Node }
  | { k: 'call'; f: Node; args: Node[] }
  | { k: 'entry'; name: string };

type Tok = { t: 'num' | 'float' | 'id' | 'dollar' | 'char' | 'str' | 'op' | 'eof'; v: string; pos: number };

const OPS = ['<<=', '>>=', '->', '++', '--', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=',
  '+', '-', '*', '/', '%', '<', '>', '&', '|', '^', '!', '~', '(', ')', '[', ']', '{', '}', '.', ',', '?', ':', '=', '@'];

function lex(src: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) { i++; continue; }
    const start = i;
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m = /^(0[xX][0-9a-fA-F]+|[0-9]*\.[0-9]+([eE][-+]?[0-9]+)?|[0-9]+\.[0-9]*([eE][-+]?[0-9]+)?|[0-9]+[eE][-+]?[0-9]+|[0-9]+)([uUlLfF]*)/.exec(src.slice(i))!;
      // Like gdb, a number running into letters or digits it cannot hold ("09", "12ab") is one bad number.
      if (/^[\w.]/.test(src[i + m[0].length] ?? '')) throw new ExprError(`Invalid number "${/^[\w.]+/.exec(src.slice(i))![0]}".`);
      const isFloat = !/^0[xX]/.test(m[1]) && /[.eE]/.test(m[1]);
      out.push({ t: isFloat ? 'float' : 'num', v: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (/[A-Za-z_]/.test(c)) {
      const m = /^[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*/.exec(src.slice(i))!;
      out.push({ t: 'id', v: m[0], pos: start });
      i += m[0].length;
      continue;
    }
    if (c === '$') {
      const m = /^\$([A-Za-z_][A-Za-z0-9_]*|\$?[0-9]*)/.exec(src.slice(i))!;
      out.push({ t: 'dollar', v: m[1], pos: start });
      i += m[0].length;
      continue;
    }
    if (c === "'" || c === '"') {
      let j = i + 1;
      let s = '';
      while (j < src.length && src[j] !== c) {
        if (src[j] === '\\') {
          const [ch, len] = unescape(src, j);
          s += ch;
          j += len;
        } else {
          const cp = src.codePointAt(j)!;
          const ch = String.fromCodePoint(cp);
          s += Buffer.from(ch, 'utf8').toString('latin1');
          j += ch.length;
        }
      }
      if (j >= src.length) throw new ExprError(c === '"' ? 'Unterminated string in expression.' : 'Unmatched single quote.');
      // gdb's 'FILE'::NAME (or 'FUNCTION'::NAME): one scoped identifier
      const scoped = c === "'" ? /^\s*::\s*([A-Za-z_]\w*)/.exec(src.slice(j + 1)) : null;
      if (scoped) {
        out.push({ t: 'id', v: `'${s}'::${scoped[1]}`, pos: start });
        i = j + 1 + scoped[0].length;
        continue;
      }
      if (c === "'" && s.length === 0) throw new ExprError('A character constant must contain at least one character.');
      // gdb's lexer: more than two characters quoted is a symbol's name ('main', 'version.0')
      if (c === "'" && s.length > 2) {
        out.push({ t: 'id', v: s, pos: start });
        i = j + 1;
        continue;
      }
      if (c === "'" && s.length !== 1) throw new ExprError('Invalid character constant.');
      out.push({ t: c === "'" ? 'char' : 'str', v: s, pos: start });
      i = j + 1;
      continue;
    }
    const op = OPS.find((o) => src.startsWith(o, i));
    if (!op) throw new ExprError(`Invalid character '${c}' in expression.`);
    out.push({ t: 'op', v: op, pos: start });
    i += op.length;
  }
  out.push({ t: 'eof', v: '', pos: src.length });
  return out;
}

function unescape(src: string, j: number): [string, number] {
  const n = src[j + 1];
  const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v', e: '\x1b', '\\': '\\', "'": "'", '"': '"', '?': '?' };
  if (n in simple) return [simple[n], 2];
  const oct = /^[0-7]{1,3}/.exec(src.slice(j + 1));
  if (oct) return [String.fromCharCode(parseInt(oct[0], 8)), 1 + oct[0].length];
  const hex = /^x([0-9a-fA-F]+)/.exec(src.slice(j + 1));
  if (hex) return [String.fromCharCode(parseInt(hex[1], 16) & 0xff), 2 + hex[1].length];
  return [n ?? '', 2];
}

const BASE_WORDS = new Set(['void', 'char', 'short', 'int', 'long', 'float', 'double', 'signed', 'unsigned', '_Bool', 'const', 'volatile']);

/** How deep the parser recurses before it refuses (see Parser.nested); the evaluators recurse no deeper. */
export const MAX_NESTING = 300;

const BINARY_PREC: Record<string, number> = {
  '||': 1, '&&': 2, '|': 3, '^': 4, '&': 5, '==': 6, '!=': 6, '<': 7, '>': 7, '<=': 7, '>=': 7,
  '<<': 8, '>>': 8, '+': 9, '-': 9, '*': 10, '/': 10, '%': 10, '@': 11,
};

/**
 * Parse an expression. `isTypeName` says whether an identifier names a type
 * (typedef), so that `(config_t *) p` parses as a cast.
 */
export function parseExpression(src: string, isTypeName: (name: string) => boolean): Node {
  const p = new Parser(src, lex(src), isTypeName);
  const n = p.expression();
  p.expectEnd();
  return n;
}

/** Parse a type name alone (`struct node *`, `unsigned long`, `int [3]`), or undefined if `src` is not one. */
export function parseTypeName(src: string, isTypeName: (name: string) => boolean): TypeSpec | undefined {
  const p = new Parser(src, lex(src), isTypeName);
  if (!p.atTypeName()) return undefined;
  const t = p.typeSpec();
  return p.atEnd() ? t : undefined;
}

class Parser {
  private i = 0;
  constructor(private readonly src: string, private readonly toks: Tok[], private readonly isTypeName: (name: string) => boolean) {}

  private peek(o = 0): Tok {
    return this.toks[Math.min(this.i + o, this.toks.length - 1)];
  }
  private next(): Tok {
    return this.toks[this.i++];
  }
  private isOp(v: string, o = 0): boolean {
    const t = this.peek(o);
    return t.t === 'op' && t.v === v;
  }
  private expect(v: string): void {
    if (!this.isOp(v)) throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
    this.i++;
  }
  /** The input from the current token on, as gdb quotes it in syntax errors. */
  private rest(): string {
    return this.src.slice(this.peek().pos).trim();
  }
  atEnd(): boolean {
    return this.peek().t === 'eof';
  }
  expectEnd(): void {
    if (!this.atEnd()) throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
  }

  /**
   * Nesting the parser recurses for (parentheses inside other operators,
   * right operands, subscripts, arguments, `?:` arms). Past MAX_NESTING it
   * gives up as gdb's bison parser does when its stack is full, before the
   * JS stack is: `A memory exhausted in expression, near ...`. Runs of
   * prefix operators, of casts, of plain parentheses and left-associative
   * chains (`a+b+c`, `p->next->next`) are loops and are not limited.
   */
  private depth = 0;

  private nested<T>(f: () => T): T {
    if (++this.depth > MAX_NESTING) throw new ExprError(`A memory exhausted in expression, near \`${this.rest()}'.`);
    try {
      return f();
    } finally {
      this.depth--;
    }
  }

  /** An expression; `first`, when given, is its already-parsed leading primary (see primary's parentheses). */
  expression(first?: Node): Node {
    let n = this.assignment(first);
    while (this.isOp(',')) {
      this.i++;
      n = { k: 'binary', op: ',', l: n, r: this.assignment() };
    }
    return n;
  }

  private assignment(first?: Node): Node {
    const l = this.conditional(first);
    const t = this.peek();
    if (t.t === 'op' && ['=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '<<=', '>>='].includes(t.v)) {
      this.i++;
      return { k: 'assign', op: t.v, l, r: this.nested(() => this.assignment()) };
    }
    return l;
  }

  private conditional(first?: Node): Node {
    const c = this.binary(1, first);
    if (!this.isOp('?')) return c;
    this.i++;
    const t = this.nested(() => this.expression());
    this.expect(':');
    return { k: 'cond', c, t, f: this.nested(() => this.conditional()) };
  }

  private binary(minPrec: number, first?: Node): Node {
    let l = first ? this.postfix(first) : this.unary();
    for (;;) {
      const t = this.peek();
      const prec = t.t === 'op' ? BINARY_PREC[t.v] : undefined;
      if (prec === undefined || prec < minPrec) return l;
      this.i++;
      const r = this.nested(() => this.binary(prec + 1));
      l = { k: 'binary', op: t.v, l, r };
    }
  }

  atTypeName(o = 0): boolean {
    const t = this.peek(o);
    if (t.t !== 'id') return false;
    return BASE_WORDS.has(t.v) || t.v === 'struct' || t.v === 'union' || t.v === 'enum' || this.isTypeName(t.v);
  }

  typeSpec(): TypeSpec {
    const words: string[] = [];
    const first = this.next();
    if (first.v === 'struct' || first.v === 'union' || first.v === 'enum') {
      const tag = this.next();
      if (tag.t !== 'id') throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
      words.push(first.v, tag.v);
    } else {
      words.push(first.v);
      if (BASE_WORDS.has(first.v)) {
        while (this.peek().t === 'id' && BASE_WORDS.has(this.peek().v)) words.push(this.next().v);
      }
    }
    const base = words.filter((w) => w !== 'const' && w !== 'volatile').join(' ') || 'int';
    let pointers = 0;
    while (this.isOp('*') || (this.peek().t === 'id' && (this.peek().v === 'const' || this.peek().v === 'volatile'))) {
      if (this.next().v === '*') pointers++;
    }
    const array: number[] = [];
    while (this.isOp('[') && this.peek(1).t === 'num') {
      this.i++;
      array.push(Number(this.next().v));
      this.expect(']');
    }
    return array.length ? { base, pointers, array } : { base, pointers };
  }

  /** Prefix operators and casts, gathered in a loop (10,000 casts use no stack) and applied innermost first. */
  private unary(): Node {
    const wraps: Array<(e: Node) => Node> = [];
    let sizeofs = 0;
    let n: Node | undefined;
    try {
      for (;;) {
        const t = this.peek();
        if (t.t === 'op' && ['-', '+', '!', '~', '*', '&'].includes(t.v)) {
          this.i++;
          wraps.push((e) => ({ k: 'unary', op: t.v, e }));
        } else if (t.t === 'op' && (t.v === '++' || t.v === '--')) {
          this.i++;
          wraps.push((e) => ({ k: 'assign', op: t.v === '++' ? '+=' : '-=', l: e, r: { k: 'int', v: 1n, unsigned: false, long: false } }));
        } else if (t.t === 'op' && t.v === '(' && this.atTypeName(1)) {
          this.i++;
          const type = this.typeSpec();
          this.expect(')');
          wraps.push((e) => ({ k: 'cast', type, e }));
        } else if (t.t === 'op' && t.v === '{') {
          this.i++;
          if (!this.atTypeName()) throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
          const type = this.typeSpec();
          this.expect('}');
          wraps.push((e) => ({ k: 'brace', type, e }));
        } else if (t.t === 'id' && t.v === 'sizeof') {
          this.i++;
          if (this.isOp('(') && this.atTypeName(1)) {
            this.i++;
            const type = this.typeSpec();
            this.expect(')');
            n = { k: 'sizeof', type };
            break;
          }
          // sizeof's operand is evaluated apart (no side effects): a level of nesting for the evaluator
          if (++this.depth > MAX_NESTING) throw new ExprError(`A memory exhausted in expression, near \`${this.rest()}'.`);
          sizeofs++;
          wraps.push((e) => ({ k: 'sizeof', e }));
        } else break;
      }
      n ??= this.postfix(this.primary());
    } finally {
      this.depth -= sizeofs;
    }
    for (let i = wraps.length - 1; i >= 0; i--) n = wraps[i](n);
    return n;
  }

  private postfix(n: Node): Node {
    for (;;) {
      if (this.isOp('[')) {
        this.i++;
        const i = this.nested(() => this.expression());
        this.expect(']');
        n = { k: 'index', e: n, i };
      } else if (this.isOp('.') || this.isOp('->')) {
        const arrow = this.next().v === '->';
        const name = this.next();
        if (name.t !== 'id') throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
        n = { k: 'member', e: n, name: name.v, arrow };
      } else if (this.isOp('(')) {
        this.i++;
        const args: Node[] = [];
        if (!this.isOp(')')) {
          args.push(this.nested(() => this.assignment()));
          while (this.isOp(',')) {
            this.i++;
            args.push(this.nested(() => this.assignment()));
          }
        }
        this.expect(')');
        n = { k: 'call', f: n, args };
      } else if (this.isOp('++') || this.isOp('--')) {
        n = { k: 'postfix', op: this.next().v === '++' ? '+' : '-', e: n };
      } else return n;
    }
  }

  private primary(): Node {
    const t = this.next();
    switch (t.t) {
      case 'num': {
        const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)([uUlL]*)$/.exec(t.v);
        if (!m) throw new ExprError(`Invalid number "${t.v}".`);
        const digits = m[1];
        const v = /^0[0-7]+$/.test(digits) ? BigInt('0o' + digits.slice(1)) : BigInt(digits);
        if (v >> 64n) throw new ExprError('Numeric constant too large.');
        return { k: 'int', v, unsigned: /u/i.test(m[2]), long: /l/i.test(m[2]) };
      }
      case 'float': return { k: 'float', v: parseFloat(t.v.replace(/[fFlL]+$/, '')), text: t.v };
      case 'char': return { k: 'char', v: t.v.charCodeAt(0) || 0 };
      case 'str': return { k: 'string', v: t.v };
      case 'id':
        // gdb's `param@entry`: the parameter's value on entry to the function.
        if (this.isOp('@') && this.peek(1).t === 'id' && this.peek(1).v === 'entry') {
          this.i += 2;
          return { k: 'entry', name: t.v };
        }
        return { k: 'ident', name: t.v };
      case 'dollar': return { k: 'dollar', name: t.v };
      case 'op':
        if (t.v === '(') {
          // A run of parentheses is a loop: the innermost expression is parsed
          // once, and each `)` continues the enclosing one with it as its first operand.
          let open = 1;
          while (this.isOp('(') && !this.atTypeName(1)) {
            this.i++;
            open++;
          }
          let e = this.nested(() => this.expression());
          for (;;) {
            this.expect(')');
            if (--open === 0) return e;
            const inner = e;
            e = this.nested(() => this.expression(inner));
          }
        }
        break;
      default: break;
    }
    if (t.t === 'eof') throw new ExprError('A syntax error in expression, near `\'.');
    this.i--;
    throw new ExprError(`A syntax error in expression, near \`${this.rest()}'.`);
  }
}

/**
 * The operand a node evaluates first, for the chains both evaluators walk
 * in a loop instead of recursing: `a+b+c...`, `p->next->next...`, `!!!x`,
 * casts, `f()()`. Undefined for a leaf (and for `obj.method()`, which
 * evaluates its object itself).
 */
export function firstOperand(n: Node): Node | undefined {
  switch (n.k) {
    case 'binary': case 'assign': return n.l;
    case 'unary': case 'cast': case 'brace': case 'index': case 'member': case 'postfix': return n.e;
    case 'cond': return n.c;
    case 'call': return n.f.k === 'member' ? undefined : n.f;
    default: return undefined;
  }
}

/**
 * Evaluate `n` with a loop down its chain of first operands: `leaf` gives
 * the value at the chain's end, `step` a node's value from its first
 * operand's. The only recursion left is into other operands, which the
 * parser's nesting limit bounds, so a 5,000-term sum cannot overflow the stack.
 */
export async function evalChain<V>(n: Node, leaf: (n: Node) => Promise<V>, step: (n: Node, first: V) => Promise<V>): Promise<V> {
  const chain: Node[] = [];
  let cur = n;
  for (let c = firstOperand(cur); c; c = firstOperand(cur)) {
    chain.push(cur);
    cur = c;
  }
  let v = await leaf(cur);
  for (let i = chain.length - 1; i >= 0; i--) v = await step(chain[i], v);
  return v;
}

/**
 * A floating-point value converted to an integer as gdb 13 does it: out of
 * range and NaN saturate (`(long)1e999` is LONG_MAX, `(char)1e999` -1), where
 * BigInt() would throw on Infinity and NaN.
 */
export function floatToLongest(x: number): bigint {
  if (Number.isNaN(x) || x >= 2 ** 63) return (1n << 63n) - 1n;
  if (x < -(2 ** 63)) return -(1n << 63n);
  return BigInt(Math.trunc(x));
}
