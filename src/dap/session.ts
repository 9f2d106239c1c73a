/**
 * `tsdbg dap`: a Debug Adapter Protocol session over a DapBackend (the
 * debugger core). Every request goes through one dispatcher that turns any
 * failure into an error response of one line: a bad request never ends the
 * adapter. Runs (continue, steps) answer at once and report their end with a
 * stopped, or exited + terminated, event, as the protocol wants.
 */
import { BreakpointEvent, ContinuedEvent, DebugSession, Event, InitializedEvent, OutputEvent, Response, StoppedEvent, TerminatedEvent, ExitedEvent, ThreadEvent } from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DapBackend, LaunchConfig, RunEnd, StopInfo } from './backend.js';
import { ArgumentError, attachPid, launchConfig } from './args.js';
import { References } from './variables.js';
import { Breakpoints, breakpointOf } from './breakpoints.js';
import { disassembleRequest, readMemoryRequest, writeMemoryRequest } from './memory.js';
import { customRequest, isCustomRequest } from './custom.js';
import { completionsRequest } from './completions.js';
import { ModuleWatch, loadedSourcesRequest, modulesRequest } from './inventory.js';

/** An error the client caused: its message goes back as is. */
export class DapError extends Error {}

type Handler = (args: any, response: DebugProtocol.Response) => Promise<unknown> | unknown;

/** A request that is answered before its effect ends (a run): the handler sends the response itself. */
const ANSWERED = Symbol('answered');

export class TsdbgDapSession extends DebugSession {
  private readonly refs: References;
  private readonly bps: Breakpoints;
  private running: Promise<void> | undefined;
  private configured!: () => void;
  private readonly configurationDone = new Promise<void>((r) => { this.configured = r; });
  private launched = false;
  /** A repl command is under way (it may run the program: pause reaches it). */
  private consoleBusy = false;
  private ended = false;
  private readonly handlers: Record<string, Handler>;
  private readonly moduleWatch: ModuleWatch;
  /** Requests being answered, by seq, and those a `cancel` reached. */
  private readonly inFlight = new Map<number, DebugProtocol.Request>();
  private readonly cancelled = new Set<number>();
  /** From initialize: 1 when the client counts columns from 1 (the default), and whether it takes `invalidated`. */
  private columnBase = 1;
  private invalidatedEvents = false;

  constructor(readonly backend: DapBackend) {
    super();
    this.refs = new References(backend);
    this.moduleWatch = new ModuleWatch(backend);
    this.bps = new Breakpoints(backend);
    backend.on('output', (category, text) => this.sendEvent(new OutputEvent(text, category)));
    backend.on('thread', (reason, id) => this.sendEvent(new ThreadEvent(reason, id)));
    backend.on('stopped', (s) => this.reportStop(s));
    // a library came or went while running: announced now, in order with the stops
    backend.on('modules', () => { this.stopOrder = this.stopOrder.then(() => this.announceModules()); });
    backend.on('exited', (code) => this.reportExit(code));
    backend.on('continued', (thread) => {
      this.refs.reset();
      this.sendEvent(new ContinuedEvent(thread ?? this.backend.pid ?? 0, true));
    });
    backend.on('breakpoint', (reason, b) => this.sendEvent(new BreakpointEvent(reason, breakpointOf(b))));
    backend.on('process', (p) => this.sendEvent(new Event('process', {
      name: p.name, systemProcessId: p.pid, isLocalProcess: true, startMethod: p.origin === 'spawned' ? 'launch' : 'attach',
    })));
    this.handlers = {
      initialize: (a: DebugProtocol.InitializeRequestArguments) => {
        this.columnBase = a.columnsStartAt1 === false ? 0 : 1;
        this.invalidatedEvents = a.supportsInvalidatedEvent === true;
        return this.capabilities();
      },
      launch: (a) => this.launch(a),
      attach: (a) => this.attach(a),
      configurationDone: () => { this.configured(); },
      setBreakpoints: (a: DebugProtocol.SetBreakpointsArguments) => this.bps.setSource(a),
      setFunctionBreakpoints: (a: DebugProtocol.SetFunctionBreakpointsArguments) => this.bps.setFunctions(a),
      setExceptionBreakpoints: () => ({ breakpoints: [] }),
      dataBreakpointInfo: (a: DebugProtocol.DataBreakpointInfoArguments) => this.bps.dataInfo(a, this.refs),
      setDataBreakpoints: (a: DebugProtocol.SetDataBreakpointsArguments) => this.bps.setData(a),
      threads: async () => ({ threads: this.backend.pid === undefined ? [] : await this.stopped(() => this.backend.threads()) }),
      stackTrace: (a: DebugProtocol.StackTraceArguments) => this.stackTrace(a),
      scopes: (a: DebugProtocol.ScopesArguments) => this.stopped(async () => ({ scopes: this.refs.scopes(a.frameId) })),
      variables: (a: DebugProtocol.VariablesArguments) => this.stopped(async () => ({ variables: await this.refs.variables(a) })),
      evaluate: (a: DebugProtocol.EvaluateArguments) => this.evaluate(a),
      setVariable: (a: DebugProtocol.SetVariableArguments) => this.changed(this.stopped(() => this.refs.setVariable(a))),
      setExpression: (a: DebugProtocol.SetExpressionArguments) => this.changed(this.stopped(() => this.refs.setExpression(a))),
      completions: (a: DebugProtocol.CompletionsArguments) => this.stopped(() => completionsRequest(this.backend, a, this.columnBase)),
      // answered while the program runs too (VS Code's Modules view asks whenever it is shown)
      modules: (a: DebugProtocol.ModulesArguments) => modulesRequest(this.backend, a),
      loadedSources: () => this.stopped(() => loadedSourcesRequest(this.backend)),
      exceptionInfo: (a: DebugProtocol.ExceptionInfoArguments) => this.exceptionInfo(a),
      restart: (a: DebugProtocol.RestartArguments, r) => this.restart(a, r),
      cancel: (a: DebugProtocol.CancelArguments) => this.cancel(a),
      continue: (a: DebugProtocol.ContinueArguments, r) => this.run(r, () => this.backend.resume(a.threadId), { allThreadsContinued: true }),
      next: (a: DebugProtocol.NextArguments, r) => this.run(r, () => this.backend.next(a.threadId, a.granularity === 'instruction')),
      stepIn: (a: DebugProtocol.StepInArguments, r) => this.run(r, () => this.backend.stepIn(a.threadId, a.granularity === 'instruction')),
      stepOut: (a: DebugProtocol.StepOutArguments, r) => this.run(r, () => this.backend.stepOut(a.threadId)),
      stepBack: (_a, r) => this.rewind(r),
      reverseContinue: (_a, r) => this.rewind(r),
      pause: () => { this.needProcess(); if (this.running || this.consoleBusy) this.backend.pause(); },
      disassemble: (a: DebugProtocol.DisassembleArguments) => this.stopped(() => disassembleRequest(this.backend, a)),
      readMemory: (a: DebugProtocol.ReadMemoryArguments) => this.stopped(() => readMemoryRequest(this.backend, a)),
      writeMemory: async (a: DebugProtocol.WriteMemoryArguments) => {
        const body = await this.stopped(() => writeMemoryRequest(this.backend, a));
        // references stay valid (values are read when expanded); the client re-reads what it shows
        this.sendEvent(new Event('memory', { memoryReference: a.memoryReference, offset: a.offset ?? 0, count: body.bytesWritten }));
        return body;
      },
      disconnect: (a: DebugProtocol.DisconnectArguments) => this.disconnect(a),
      terminate: () => this.terminate(),
    };
  }

  private capabilities(): DebugProtocol.Capabilities {
    return {
      supportsConfigurationDoneRequest: true,
      supportsFunctionBreakpoints: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsStepBack: true,
      supportsDataBreakpoints: true,
      supportsReadMemoryRequest: true,
      supportsWriteMemoryRequest: true,
      supportsDisassembleRequest: true,
      supportsSteppingGranularity: true,
      supportsTerminateRequest: true,
      supportTerminateDebuggee: true,
      supportsValueFormattingOptions: false,
      supportsSetVariable: true,
      supportsSetExpression: true,
      supportsCompletionsRequest: true,
      completionTriggerCharacters: ['.', '>', ' '],
      supportsModulesRequest: true,
      supportsLoadedSourcesRequest: true,
      supportsExceptionInfoRequest: true,
      supportsRestartRequest: true,
      supportsCancelRequest: true,
      // signals are stopped at or passed as gdb's `handle` table says (the repl's `handle SIGUSR1 nostop`)
      exceptionBreakpointFilters: [],
    };
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const response = new Response(request) as DebugProtocol.Response;
    const handler = this.handlers[request.command] ?? (isCustomRequest(request.command)
      ? (a: unknown) => this.stopped(() => customRequest(this.backend, request.command, a, () => this.afterRewind()))
      : undefined);
    if (!handler) {
      this.fail(response, `Unknown request "${request.command}".`);
      return;
    }
    this.inFlight.set(request.seq, request);
    Promise.resolve()
      .then(() => handler(request.arguments ?? {}, response))
      .then((body) => {
        if (body === ANSWERED) return;
        // a cancelled request answers `cancelled`, as DAP asks (its effect, a stop, is still reported)
        if (this.cancelled.has(request.seq)) return this.fail(response, 'cancelled');
        if (body !== undefined) response.body = body;
        this.sendResponse(response);
      }, (e: unknown) => this.fail(response, this.cancelled.has(request.seq) ? 'cancelled' : messageOf(e)))
      .finally(() => {
        this.inFlight.delete(request.seq);
        this.cancelled.delete(request.seq);
      });
  }

  private fail(response: DebugProtocol.Response, message: string): void {
    response.success = false;
    response.message = message;
    response.body = { error: { id: 1, format: message.replace(/[{}]/g, (c) => `${c}${c}`), showUser: true } };
    this.sendResponse(response);
  }

  private needProcess(): void {
    if (this.backend.pid === undefined) throw new DapError('The program is not being run.');
  }

  /** A request that needs the program stopped (gdb's words when it runs). */
  private async stopped<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running) throw new DapError('Selected thread is running.');
    return fn();
  }

  private async launch(raw: unknown): Promise<void> {
    if (this.launched) throw new DapError('A program is already being debugged: disconnect first.');
    let cfg;
    try {
      cfg = launchConfig(raw);
    } catch (e) {
      throw new DapError(messageOf(e));
    }
    await this.backend.load(cfg);
    this.launched = true;
    this.sendEvent(new InitializedEvent());
    await this.configurationDone;
    this.startRun(() => this.backend.start());
  }

  private async attach(raw: unknown): Promise<void> {
    if (this.launched) throw new DapError('A program is already being debugged: disconnect first.');
    const pid = attachPid(raw);
    const stop = await this.backend.attach(pid);
    this.launched = true;
    this.sendEvent(new InitializedEvent());
    await this.configurationDone;
    // The process stays stopped where attach found it, as in gdb; the client continues it.
    this.reportStop({ ...stop, reason: 'pause' });
  }

  /** A run whose end is reported by events; the response is sent first. */
  private run(response: DebugProtocol.Response, op: () => Promise<RunEnd>, body?: object): typeof ANSWERED {
    this.needProcess();
    if (this.running) throw new DapError('The program is already running.');
    if (body) response.body = body;
    this.sendResponse(response);
    this.startRun(op);
    return ANSWERED;
  }

  private startRun(op: () => Promise<RunEnd>): void {
    this.refs.reset();
    const r = op().then((end) => {
      this.running = undefined;
      if (end.kind === 'stopped') this.reportStop(end.stop);
      else this.reportExit(end.code);
    }, (e: unknown) => {
      this.running = undefined;
      this.sendEvent(new OutputEvent(`${messageOf(e)}\n`, 'console'));
      // The run failed to start or was refused: the program is where it was.
      if (this.backend.pid !== undefined) this.reportStop({ reason: 'pause', threadId: this.backend.pid, description: messageOf(e) });
    });
    this.running = r;
  }

  private reportStop(s: StopInfo): void {
    this.refs.reset();
    // libraries loaded or unloaded since the last stop are announced first
    const order = this.stopOrder = this.stopOrder.then(() => this.announceModules()).then(() => this.sendStop(s));
    void order;
  }

  private stopOrder: Promise<void> = Promise.resolve();

  private async announceModules(): Promise<void> {
    let changes;
    try {
      changes = await this.moduleWatch.changes();
    } catch (e) {
      // the list could not be read (the process went away meanwhile): said once on the console, the stop still goes out
      this.sendEvent(new OutputEvent(`Cannot list the modules: ${messageOf(e)}\n`, 'console'));
      return;
    }
    for (const body of changes) this.sendEvent(new Event('module', body));
  }

  private sendStop(s: StopInfo): void {
    const ev = new StoppedEvent(s.reason, s.threadId) as DebugProtocol.StoppedEvent;
    ev.body.allThreadsStopped = true;
    if (s.description) ev.body.description = s.description;
    if (s.breakpointIds?.length) ev.body.hitBreakpointIds = s.breakpointIds;
    this.sendEvent(ev);
  }

  private reportExit(code: number | undefined): void {
    if (this.ended) return;
    this.ended = true;
    this.refs.reset();
    // after any stop still being announced
    this.stopOrder = this.stopOrder.then(() => {
      this.sendEvent(new ExitedEvent(code ?? 0));
      this.sendEvent(new TerminatedEvent());
    });
  }

  /** A request that changed the program's data: the client re-reads what it shows (when it takes `invalidated`). */
  private async changed<T>(p: Promise<T>): Promise<T> {
    const body = await p;
    if (this.invalidatedEvents) setImmediate(() => this.sendEvent(new Event('invalidated', { areas: ['variables'] })));
    return body;
  }

  /**
   * cancel: a repl command is Ctrl-C'd as at the prompt (the program it
   * runs is interrupted, a long command ends with gdb's Quit). Other
   * requests are answered too soon to cancel: a cancel of them does nothing.
   */
  private cancel(a: DebugProtocol.CancelArguments): void {
    const r = a.requestId === undefined ? undefined : this.inFlight.get(a.requestId);
    if (!r || r.command !== 'evaluate' || r.arguments?.context !== 'repl' || !this.consoleBusy) return;
    this.cancelled.add(r.seq);
    this.backend.pause();
  }

  /** exceptionInfo: the signal the program stopped at, in gdb's words. */
  private exceptionInfo(_a: DebugProtocol.ExceptionInfoArguments): DebugProtocol.ExceptionInfoResponse['body'] {
    this.needProcess();
    if (this.running) throw new DapError('Selected thread is running.');
    const s = this.backend.signalStop();
    if (!s) throw new DapError('The program did not stop at a signal.');
    const where = s.function ? ` in ${s.function}${s.path ? ` at ${s.path}${s.line ? `:${s.line}` : ''}` : ''}` : '';
    return {
      exceptionId: s.signal, description: s.description, breakMode: 'always',
      details: { message: `${s.description}${where ? `\n${where.trim()}` : ''}`, typeName: s.signal },
    };
  }

  /**
   * restart: the launched program is killed and started again, with the
   * breakpoints it had (and the new launch configuration, if the client
   * sends one); an attached process cannot be started again.
   */
  private async restart(a: DebugProtocol.RestartArguments, response: DebugProtocol.Response): Promise<typeof ANSWERED> {
    if (!this.launched) throw new DapError('Nothing to restart: launch a program first.');
    if (this.backend.origin === 'attached') throw new DapError('Cannot restart a process that was attached to: disconnect and attach again.');
    let cfg: LaunchConfig | undefined;
    const raw = a.arguments as Record<string, unknown> | undefined;
    if (raw && 'program' in raw) {
      try {
        cfg = launchConfig(raw);
      } catch (e) {
        throw new DapError(messageOf(e));
      }
    }
    if (this.running) {
      this.backend.pause();
      await this.running;
    }
    this.ended = false;
    this.sendResponse(response);
    this.startRun(() => this.backend.restart(cfg));
    return ANSWERED;
  }

  private async rewind(response: DebugProtocol.Response): Promise<typeof ANSWERED> {
    this.needProcess();
    if (this.running) throw new DapError('The program is already running.');
    if (this.backend.checkpoints().length === 0) {
      throw new DapError('No checkpoint to go back to: take one first (the checkpoint request, or `checkpoint` in the console).');
    }
    const stop = await this.backend.rewind();
    this.sendResponse(response);
    this.reportStop({ ...stop, reason: 'goto' });
    return ANSWERED;
  }

  /** After a rewind by a custom request: where the program is now. */
  private afterRewind(): void {
    this.refs.reset();
    if (this.backend.pid !== undefined) this.reportStop({ reason: 'goto', threadId: this.backend.pid });
  }

  private async stackTrace(a: DebugProtocol.StackTraceArguments): Promise<DebugProtocol.StackTraceResponse['body']> {
    this.needProcess();
    return this.stopped(async () => {
      const all = await this.backend.frames(a.threadId);
      const start = a.startFrame ?? 0;
      const end = a.levels ? start + a.levels : all.length;
      const stackFrames: DebugProtocol.StackFrame[] = all.slice(start, end).map((f) => {
        const sf: DebugProtocol.StackFrame = {
          id: this.refs.frameId({ threadId: a.threadId, level: f.level }),
          name: f.function ?? '??',
          line: f.line ?? 0,
          column: 0,
          instructionPointerReference: `0x${f.pc.toString(16)}`,
        };
        if (f.path || f.file) sf.source = { name: (f.file ?? f.path)!.split('/').pop(), path: f.path ?? f.file };
        else sf.presentationHint = 'subtle';
        return sf;
      });
      return { stackFrames, totalFrames: all.length };
    });
  }

  private async evaluate(a: DebugProtocol.EvaluateArguments): Promise<DebugProtocol.EvaluateResponse['body']> {
    if (typeof a.expression !== 'string') throw new DapError('"expression" must be a string.');
    if (a.context === 'repl') return this.console(a.expression);
    return this.stopped(() => this.refs.expression(a.expression, a.frameId !== undefined ? this.refs.frame(a.frameId) : undefined));
  }

  /** The repl: a console command, as gdb's DAP does (cppdbg's `-exec ` prefix accepted); its output is the result. */
  private async console(text: string): Promise<DebugProtocol.EvaluateResponse['body']> {
    if (this.running) throw new DapError('Selected thread is running.');
    const line = text.replace(/^-exec\s+/, '');
    this.consoleBusy = true;
    let r;
    try {
      r = await this.backend.execute(line);
    } finally {
      this.consoleBusy = false;
    }
    // a command that ran the program (continue, step, rewind): its end is reported after the answer
    if (r.end) {
      const end = r.end;
      this.refs.reset();
      setImmediate(() => (end.kind === 'stopped' ? this.reportStop(end.stop) : this.reportExit(end.code)));
    }
    if (!r.ok) throw new DapError(r.error ?? 'Command failed.');
    return { result: r.output.replace(/\n$/, ''), variablesReference: 0 };
  }

  private async disconnect(a: DebugProtocol.DisconnectArguments): Promise<void> {
    const kill = a.terminateDebuggee ?? this.backend.origin === 'spawned';
    if (this.running) {
      this.backend.pause();
      await this.running;
    }
    await this.backend.end(kill);
    this.ended = true;
  }

  /** terminate: the program is killed, the session ends (terminated); the client disconnects next. */
  private async terminate(): Promise<void> {
    this.needProcess();
    await this.disconnect({ terminateDebuggee: true });
    this.sendEvent(new TerminatedEvent());
  }

  /** The client went away without disconnect: kill what was launched, detach what was attached. */
  async close(): Promise<void> {
    if (this.running) {
      this.backend.pause();
      // (startRun's own handlers already reported how the run ended; nothing is left to say)
      await this.running.catch(() => undefined);
    }
    await this.backend.end(this.backend.origin === 'spawned');
  }
}

export function messageOf(e: unknown): string {
  const m = e instanceof Error ? e.message : String(e);
  return (m.split('\n')[0] ?? '').trim() || 'Request failed.';
}

export { ArgumentError };
