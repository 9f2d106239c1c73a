/**
 * setBreakpoints, setFunctionBreakpoints and data breakpoints: each request
 * replaces the whole set of its kind (per source file for source
 * breakpoints), as DAP says. A hit condition N stops at the Nth hit and
 * after (gdb's ignore count N-1, as gdb's own DAP maps it).
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { BreakpointResult, BreakpointSpec, DapBackend } from './backend.js';
import type { References } from './variables.js';

export function ignoreCountOf(hit: string | undefined): number | { error: string } {
  if (hit === undefined || hit.trim() === '') return 0;
  const m = /^\s*(?:>=|==)?\s*(\d+)\s*$/.exec(hit);
  if (!m) return { error: `Unsupported hit condition "${hit}": give a number N to stop at the Nth hit and after.` };
  const n = Number(m[1]);
  return n > 0 ? n - 1 : 0;
}

export function breakpointOf(r: BreakpointResult, fallback?: { path?: string; line?: number }): DebugProtocol.Breakpoint {
  const b: DebugProtocol.Breakpoint = { verified: r.verified };
  if (r.id !== undefined) b.id = r.id;
  const line = r.line ?? fallback?.line;
  if (line !== undefined) b.line = line;
  const path = r.path ?? fallback?.path;
  if (path) b.source = { name: path.split('/').pop(), path };
  if (r.address !== undefined) b.instructionReference = `0x${r.address.toString(16)}`;
  if (r.message) b.message = r.message;
  return b;
}

type Accessor = 'read' | 'write' | 'readWrite';

export class Breakpoints {
  private readonly bySource = new Map<string, number[]>();
  private functions: number[] = [];
  private data: number[] = [];

  constructor(private readonly backend: DapBackend) {}

  private async replace(old: number[]): Promise<void> {
    for (const id of old) await this.backend.deleteBreakpoint(id);
  }

  /** Set one, as unverified with the reason when the core refuses it. */
  private async add(spec: BreakpointSpec, condition: string | undefined, hit: string | undefined): Promise<BreakpointResult> {
    const ignore = ignoreCountOf(hit);
    if (typeof ignore !== 'number') return { verified: false, message: ignore.error };
    try {
      return await this.backend.setBreakpoint(spec, condition?.trim() || undefined, ignore);
    } catch (e) {
      return { verified: false, message: (e as Error).message.split('\n')[0] };
    }
  }

  async setSource(a: DebugProtocol.SetBreakpointsArguments): Promise<DebugProtocol.SetBreakpointsResponse['body']> {
    const path = a.source?.path ?? a.source?.name;
    if (!path) throw new Error('setBreakpoints needs "source.path".');
    await this.replace(this.bySource.get(path) ?? []);
    const wanted: DebugProtocol.SourceBreakpoint[] = a.breakpoints ?? (a.lines ?? []).map((line) => ({ line }));
    const ids: number[] = [];
    const out: DebugProtocol.Breakpoint[] = [];
    for (const b of wanted) {
      if (!Number.isInteger(b.line) || b.line <= 0) {
        out.push({ verified: false, line: b.line, message: `Line ${b.line} is out of range.` });
        continue;
      }
      const r = await this.add({ kind: 'line', file: path, line: b.line }, b.condition, b.hitCondition);
      if (r.id !== undefined) ids.push(r.id);
      out.push(breakpointOf(r, { path, line: b.line }));
    }
    this.bySource.set(path, ids);
    return { breakpoints: out };
  }

  async setFunctions(a: DebugProtocol.SetFunctionBreakpointsArguments): Promise<DebugProtocol.SetFunctionBreakpointsResponse['body']> {
    await this.replace(this.functions);
    this.functions = [];
    const out: DebugProtocol.Breakpoint[] = [];
    for (const b of a.breakpoints ?? []) {
      const r = await this.add({ kind: 'function', name: b.name }, b.condition, b.hitCondition);
      if (r.id !== undefined) this.functions.push(r.id);
      out.push(breakpointOf(r));
    }
    return { breakpoints: out };
  }

  /** A variable (by its evaluateName) or an expression can be watched; its dataId is the expression. */
  async dataInfo(a: DebugProtocol.DataBreakpointInfoArguments, refs: References): Promise<DebugProtocol.DataBreakpointInfoResponse['body']> {
    let expr = a.name;
    if (a.variablesReference !== undefined && a.variablesReference !== 0) {
      const vars = await refs.variables({ variablesReference: a.variablesReference });
      const v = vars.find((x) => x.name === a.name);
      if (!v?.evaluateName) return { dataId: null, description: `${a.name} cannot be watched.` };
      expr = v.evaluateName;
    }
    const accessTypes: Accessor[] = ['write', 'read', 'readWrite'];
    return { dataId: expr, description: expr, accessTypes, canPersist: false };
  }

  async setData(a: DebugProtocol.SetDataBreakpointsArguments): Promise<DebugProtocol.SetDataBreakpointsResponse['body']> {
    await this.replace(this.data);
    this.data = [];
    const out: DebugProtocol.Breakpoint[] = [];
    for (const b of a.breakpoints ?? []) {
      const access: Accessor = b.accessType ?? 'write';
      const r = await this.add({ kind: 'watch', expression: b.dataId, access }, b.condition, b.hitCondition);
      if (r.id !== undefined) this.data.push(r.id);
      out.push(breakpointOf(r));
    }
    return { breakpoints: out };
  }
}
