/**
 * The selected frame's arguments and locals as a tree the locals pane
 * shows: structs, arrays and pointers expand one level at a time
 * (src/debugger/inspect/, what the DAP server uses), and what was expanded
 * stays expanded across stops (by path of names).
 */
import type { Debugger } from '../debugger/debugger.js';
import { childrenOf, scopeVariables, type Formatter, type Inspected } from '../debugger/inspect/index.js';
import { expected } from '../debugger/errors.js';

/** Elements of an array shown when it is expanded (the rest: scroll with `print`). */
const ELEMENTS = 50;

export interface LocalRow {
  readonly key: string;
  readonly depth: number;
  readonly name: string;
  readonly value: string;
  readonly expandable: boolean;
  readonly expanded: boolean;
  /** A C expression for the row (`p->name`, `list[2]`), when it has one: what C-x w adds to the watch pane. */
  readonly expression?: string;
}

export class LocalsTree {
  private roots: Inspected[] = [];
  private readonly kids = new Map<string, Inspected[]>();
  private readonly expanded = new Set<string>();
  private format: Formatter | undefined;
  /** A root's own formatter (a `display/x` expression's), for it and what it expands to. */
  private formats = new Map<string, Formatter>();

  /** Read the frame at `level` (after a stop or a frame change); keeps the expanded paths. */
  async load(d: Debugger, level: number): Promise<void> {
    // (no frame at that level, e.g. the program went away: no locals)
    const ev = (await d.evaluate('0', level).catch(expected(undefined)))?.evaluator;
    if (!ev) { this.clear(); return; }
    await this.setRoots([...await scopeVariables(ev, 'arguments'), ...await scopeVariables(ev, 'locals')], (v) => ev.formatNested(v));
  }

  /** Show these nodes (./watch.ts: the watch list's values); keeps the expanded paths. */
  async setRoots(roots: Inspected[], format: Formatter | undefined, formats = new Map<string, Formatter>()): Promise<void> {
    this.kids.clear();
    this.format = format;
    this.formats = formats;
    this.roots = roots;
    await this.expandKnown(this.roots, '');
  }

  clear(): void { this.roots = []; this.kids.clear(); }

  private async expandKnown(nodes: Inspected[], prefix: string): Promise<void> {
    for (const n of nodes) {
      const key = `${prefix}/${n.name}`;
      if (!this.expanded.has(key) || n.children === 0) continue;
      // (children that do not read any more: shown closed)
      const kids = await childrenOf(n, this.formatOf(key), 0, ELEMENTS).catch(expected([]));
      this.kids.set(key, kids);
      await this.expandKnown(kids, key);
    }
  }

  /** Expand or collapse the row `key`. */
  async toggle(key: string): Promise<void> {
    if (this.expanded.delete(key)) { this.kids.delete(key); return; }
    const node = this.find(key);
    if (!node || node.children === 0) return;
    this.expanded.add(key);
    this.kids.set(key, await childrenOf(node, this.formatOf(key), 0, ELEMENTS).catch(expected([])));
  }

  /** The formatter for the row `key`: its root's own, or the tree's. */
  private formatOf(key: string): Formatter | undefined {
    const root = this.roots.find((r) => key === `/${r.name}` || key.startsWith(`/${r.name}/`));
    return (root && this.formats.get(root.name)) ?? this.format;
  }

  private find(key: string): Inspected | undefined {
    const names = key.split('/').slice(1);
    let list = this.roots;
    let prefix = '';
    let node: Inspected | undefined;
    for (const n of names) {
      node = list.find((x) => x.name === n);
      if (!node) return undefined;
      prefix = `${prefix}/${n}`;
      list = this.kids.get(prefix) ?? [];
    }
    return node;
  }

  rows(): LocalRow[] {
    const out: LocalRow[] = [];
    const walk = (nodes: Inspected[], prefix: string, depth: number) => {
      for (const n of nodes) {
        const key = `${prefix}/${n.name}`;
        const expanded = this.kids.has(key);
        out.push({ key, depth, name: n.name, value: n.value, expandable: n.children > 0, expanded, expression: n.expression ?? (depth === 0 ? n.name : undefined) });
        if (expanded) walk(this.kids.get(key)!, key, depth + 1);
      }
    };
    walk(this.roots, '', 0);
    return out;
  }
}
