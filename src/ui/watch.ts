/**
 * The watch pane's list: gdb's `display` expressions (enabled ones, in
 * their order) and those added with `tui watch EXPR` (the UI's own, not
 * printed at each stop), each a tree that expands structs, arrays and
 * pointers as the locals pane does (./locals.ts), evaluated in the
 * selected frame at every stop.
 */
import type { Debugger } from '../debugger/debugger.js';
import type { DisplayInfo } from '../debugger/state.js';
import { inspect, type Formatter, type Inspected } from '../debugger/inspect/index.js';
import { LocalsTree, type LocalRow } from './locals.js';

/** A row that cannot expand: an error, or a value the DWARF evaluator did not make (`$rip`). */
function leaf(name: string, value: string): Inspected {
  return { name, value, type: '', children: 0, indexed: false, ref: undefined as never };
}

/** A display's format as a print format letter (x d u o t c a z s f); `i` and counts are x's, not print's: none. */
function printFormat(fmt: string | undefined): string | undefined {
  const f = fmt?.replace(/^\//, '');
  return f && /^[xduotcazsf]$/.test(f) ? f : undefined;
}

export class WatchList {
  /** `tui watch EXPR`'s expressions. */
  private readonly own: string[] = [];
  private readonly tree = new LocalsTree();

  /** Add an expression (false: it is there already). */
  add(expr: string): boolean {
    if (this.own.includes(expr)) return false;
    this.own.push(expr);
    return true;
  }

  /** Remove one (false: not there), or all without an argument. */
  remove(expr?: string): boolean {
    if (expr === undefined) { const had = this.own.length > 0; this.own.length = 0; return had; }
    const i = this.own.indexOf(expr);
    if (i < 0) return false;
    this.own.splice(i, 1);
    return true;
  }

  /** The expressions shown: the displays first, then the UI's own. */
  expressions(displays: readonly DisplayInfo[]): string[] {
    return this.entries(displays).map((e) => e.expr);
  }

  /** Each expression with its display's print format (`display/x v`: x), if it has one. */
  private entries(displays: readonly DisplayInfo[]): { expr: string; format?: string }[] {
    const out: { expr: string; format?: string }[] = [];
    for (const x of displays) {
      if (x.enabled && !out.some((e) => e.expr === x.expression)) out.push({ expr: x.expression, format: printFormat(x.format) });
    }
    for (const e of this.own) if (!out.some((o) => o.expr === e)) out.push({ expr: e });
    return out;
  }

  /** Evaluate every expression in the frame at `level` (a failure is that row's `<error: ...>`). */
  async load(d: Debugger, level: number, displays: readonly DisplayInfo[]): Promise<void> {
    const roots: Inspected[] = [];
    let format: Formatter | undefined;
    const formats = new Map<string, Formatter>();
    for (const { expr, format: letter } of this.entries(displays)) {
      try {
        const r = await d.evaluate(expr, level, letter);
        if (r.value && r.evaluator) {
          const ev = r.evaluator;
          format ??= (v) => ev.formatNested(v);
          const own: Formatter = letter ? (v) => ev.formatNested(v, { format: letter }) : (v) => ev.formatNested(v);
          if (letter) formats.set(expr, own);
          roots.push(await inspect(expr, r.value, expr, own));
        } else {
          roots.push(leaf(expr, r.text));
        }
      } catch (e) {
        roots.push(leaf(expr, `<error: ${(e as Error).message.split('\n')[0]}>`));
      }
    }
    await this.tree.setRoots(roots, format, formats);
  }

  /** No process: the expressions without values. */
  clear(displays: readonly DisplayInfo[]): void {
    void this.tree.setRoots(this.expressions(displays).map((e) => leaf(e, '<no process>')), undefined);
  }

  toggle(key: string): Promise<void> { return this.tree.toggle(key); }

  rows(): LocalRow[] { return this.tree.rows(); }
}
