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
  | { kind: 'node'; node: Inspected; format: (v: Value) => Promise<string>; frame: FrameRef | undefined };

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
  variable(n: Inspected, format: (v: Value) => Promise<string>, frame: FrameRef | undefined): DebugProtocol.Variable {
    const v: DebugProtocol.Variable = { name: n.name, value: n.value, type: n.type, variablesReference: 0 };
    if (n.expression !== undefined) v.evaluateName = n.expression;
    if (n.address !== undefined) v.memoryReference = hex(n.address);
    if (n.children > 0) {
      v.variablesReference = this.add({ kind: 'node', node: n, format, frame });
      if (n.indexed) v.indexedVariables = n.children;
      else v.namedVariables = n.children;
    }
    return v;
  }

  private ref(id: number): Ref {
    const r = this.refs[id - 1];
    if (!r) throw new Error(`Unknown variablesReference ${id} (they are valid until the program runs again).`);
    return r;
  }

  async variables(args: DebugProtocol.VariablesArguments): Promise<DebugProtocol.Variable[]> {
    const r = this.ref(args.variablesReference);
    if (r.kind === 'node') {
      if (args.filter === 'named' && r.node.indexed) return [];
      if (args.filter === 'indexed' && !r.node.indexed) return [];
      const kids = await childrenOf(r.node, r.format, args.start ?? 0, args.count);
      return kids.map((k) => this.variable(k, r.format, r.frame));
    }
    const frame = { threadId: r.threadId, level: r.level };
    if (r.scope === 'registers') return (await this.registerVariables(frame)).map(({ variable }) => variable);
    const ev = await this.backend.evaluator(r.threadId, r.level);
    if (!ev) return [];
    const format = (v: Value) => ev.formatNested(v);
    const nodes = await scopeVariables(ev, r.scope);
    return nodes.map((n) => this.variable(n, format, frame));
  }

  private async registerVariables(f: FrameRef): Promise<Array<{ name: string; variable: DebugProtocol.Variable }>> {
    const regs = await this.backend.registers(f.threadId, f.level);
    return registerNodes(regs, (a) => this.backend.symbolize(a)).map((n) => ({
      name: n.name, variable: { name: n.name, value: n.value, type: 'register', variablesReference: 0, evaluateName: `$${n.name}` },
    }));
  }

  /**
   * setVariable: the child `name` of a scope or an expanded value gets
   * `value` (gdb's `set var CHILD = VALUE`, CHILD being the child's
   * evaluateName, in the frame the parent came from); its new value back.
   */
  async setVariable(a: DebugProtocol.SetVariableArguments): Promise<DebugProtocol.SetVariableResponse['body']> {
    if (typeof a.name !== 'string' || a.name === '') throw new Error('"name" is required: the variable to set.');
    if (typeof a.value !== 'string') throw new Error('"value" must be an expression (a string).');
    const r = this.ref(a.variablesReference);
    if (r.kind === 'scope' && r.scope === 'registers') {
      const frame = { threadId: r.threadId, level: r.level };
      if (!(await this.registerVariables(frame)).some((x) => x.name === a.name)) throw new Error(`No register "${a.name}".`);
      await this.backend.assign(`$${a.name}`, a.value, frame.threadId, frame.level);
      const now = (await this.registerVariables(frame)).find((x) => x.name === a.name)!.variable;
      return { value: now.value, type: now.type, variablesReference: 0 };
    }
    const siblings = await this.childrenNamed(r, a.name);
    const child = siblings.find((v) => v.name === a.name);
    if (!child) throw new Error(`No variable "${a.name}" here.`);
    if (!child.evaluateName) throw new Error(`"${a.name}" cannot be set.`);
    const frame = r.kind === 'scope' ? { threadId: r.threadId, level: r.level } : r.frame;
    await this.backend.assign(child.evaluateName, a.value, frame?.threadId, frame?.level ?? 0);
    const now = (await this.childrenNamed(r, a.name)).find((v) => v.name === a.name)!;
    return {
      value: now.value, type: now.type, variablesReference: now.variablesReference,
      namedVariables: now.namedVariables, indexedVariables: now.indexedVariables, memoryReference: now.memoryReference,
    };
  }

  /** A container's children, only the one element asked for when it is `[N]` of an array. */
  private childrenNamed(r: Ref, name: string): Promise<DebugProtocol.Variable[]> {
    const index = /^\[(\d+)\]$/.exec(name);
    const id = this.refs.indexOf(r) + 1;
    if (r.kind === 'node' && r.node.indexed && index) return this.variables({ variablesReference: id, start: Number(index[1]), count: 1 });
    return this.variables({ variablesReference: id });
  }

  /** setExpression: `expression = value` in the frame (gdb's `set var`); the expression's new value. */
  async setExpression(a: DebugProtocol.SetExpressionArguments): Promise<DebugProtocol.SetExpressionResponse['body']> {
    if (typeof a.expression !== 'string' || a.expression.trim() === '') throw new Error('"expression" is required.');
    if (typeof a.value !== 'string') throw new Error('"value" must be an expression (a string).');
    const frame = a.frameId !== undefined ? this.frame(a.frameId) : undefined;
    await this.backend.assign(a.expression, a.value, frame?.threadId, frame?.level ?? 0);
    const body = await this.expression(a.expression, frame);
    return { ...body, value: body.result };
  }

  /** An expression's value as a variable-like result (evaluate's body). */
  async expression(expr: string, frame: FrameRef | undefined): Promise<DebugProtocol.EvaluateResponse['body']> {
    const r = await this.backend.evaluate(expr, frame?.threadId, frame?.level ?? 0);
    if (!r.value) return { result: r.text, type: r.type, variablesReference: 0 };
    const ev = r.evaluator;
    // the result reads as `print` shows it (`(int *) 0x...`); its parts as nested values
    const node = await inspect(expr, r.value, expr, async () => r.text);
    const v = this.variable(node, ev ? (x: Value) => ev.formatNested(x) : (x) => inspectText(x), frame);
    return {
      result: v.value, type: v.type, variablesReference: v.variablesReference,
      indexedVariables: v.indexedVariables, namedVariables: v.namedVariables, memoryReference: v.memoryReference,
    };
  }
}

async function inspectText(v: Value): Promise<string> {
  return (await inspect('', v)).value;
}
