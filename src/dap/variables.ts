/**
 * DAP's numbered references: frames (stackTrace ids), scopes and expandable
 * values (variablesReference). All are valid until the program runs again,
 * as the protocol says; then the tables start over.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import { childrenOf, inspect, registerNodes, scopeVariables, type Inspected } from '../debugger/inspect/index.js';
import type { Value } from '../dwarf/value.js';
import type { DapBackend } from './backend.js';
import { hex } from '../commands/format.js';

type Ref =
  | { kind: 'scope'; scope: 'locals' | 'arguments' | 'registers'; threadId: number; level: number }
  | { kind: 'node'; node: Inspected; format: (v: Value) => Promise<string> };

export interface FrameRef { threadId: number; level: number }

export class References {
  private frames: FrameRef[] = [];
  private refs: Ref[] = [];

  constructor(private readonly backend: DapBackend) {}

  /** The program ran: every reference handed out is void. */
  reset(): void {
    this.frames = [];
    this.refs = [];
  }

  frameId(f: FrameRef): number {
    const i = this.frames.findIndex((x) => x.threadId === f.threadId && x.level === f.level);
    if (i >= 0) return i + 1;
    this.frames.push(f);
    return this.frames.length;
  }

  frame(id: number): FrameRef {
    const f = this.frames[id - 1];
    if (!f) throw new Error(`Unknown frame id ${id} (frames are valid until the program runs again).`);
    return f;
  }

  private add(r: Ref): number {
    this.refs.push(r);
    return this.refs.length;
  }

  scopes(frameId: number): DebugProtocol.Scope[] {
    const { threadId, level } = this.frame(frameId);
    const scope = (name: string, s: 'locals' | 'arguments' | 'registers', hint: DebugProtocol.Scope['presentationHint']) => ({
      name, presentationHint: hint, expensive: s === 'registers',
      variablesReference: this.add({ kind: 'scope', scope: s, threadId, level }),
    });
    return [scope('Locals', 'locals', 'locals'), scope('Arguments', 'arguments', 'arguments'), scope('Registers', 'registers', 'registers')];
  }

  /** A node as a DAP variable; expandable ones get a reference. */
  variable(n: Inspected, format: (v: Value) => Promise<string>): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = { name: n.name, value: n.value, type: n.type, variablesReference: 0 };
    if (n.expression !== undefined) v.evaluateName = n.expression;
    if (n.address !== undefined) v.memoryReference = hex(n.address);
    if (n.children > 0) {
      v.variablesReference = this.add({ kind: 'node', node: n, format });
      if (n.indexed) v.indexedVariables = n.children;
      else v.namedVariables = n.children;
    }
    return v;
  }

  async variables(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    const r = this.refs[args.variablesReference - 1];
    if (!r) throw new Error(`Unknown variablesReference ${args.variablesReference} (they are valid until the program runs again).`);
    if (r.kind === 'node') {
      if (args.filter === 'named' && r.node.indexed) return [];
      if (args.filter === 'indexed' && !r.node.indexed) return [];
      const kids = await childrenOf(r.node, r.format, args.start ?? 0, args.count);
      return kids.map((k) => this.variable(k, r.format));
    }
    if (r.scope === 'registers') {
      const regs = await this.backend.registers(r.threadId, r.level);
      return registerNodes(regs, (a) => this.backend.symbolize(a)).map((n) => ({
        name: n.name, value: n.value, type: 'register', variablesReference: 0, evaluateName: `$${n.name}`,
      }));
    }
    const ev = await this.backend.evaluator(r.threadId, r.level);
    if (!ev) return [];
    const format = (v: Value) => ev.formatNested(v);
    const nodes = await scopeVariables(ev, r.scope);
    return nodes.map((n) => this.variable(n, format));
  }

  /** An expression's value as a variable-like result (evaluate's body). */
  async expression(expr: string, frame: FrameRef | undefined): Promise<DebugProtocol.EvaluateResponse['body']> {
    const r = await this.backend.evaluate(expr, frame?.threadId, frame?.level ?? 0);
    if (!r.value) return { result: r.text, type: r.type, variablesReference: 0 };
    const ev = r.evaluator;
    // the result reads as `print` shows it (`(int *) 0x...`); its parts as nested values
    const node = await inspect(expr, r.value, expr, async () => r.text);
    const v = this.variable(node, ev ? (x: Value) => ev.formatNested(x) : (x) => inspectText(x));
    return {
      result: v.value, type: v.type, variablesReference: v.variablesReference,
      indexedVariables: v.indexedVariables, namedVariables: v.namedVariables, memoryReference: v.memoryReference,
    };
  }
}

async function inspectText(v: Value): Promise<string> {
  return (await inspect('', v)).value;
}
