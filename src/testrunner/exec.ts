/**
 * Running a script's tests on the debugger core: each test gets a fresh
 * Debugger and tracee (unless `reuse`), its statements run in order, console
 * lines through Debugger.execute() (their errors are data), expectations
 * through ./expect.ts; a timeout kills the tracee and the next test goes on.
 */
import path from 'node:path';
import { Debugger } from '../debugger/index.js';
import type { Launcher } from '../commands/session.js';
import { localLauncher } from '../debugger/local-launcher.js';
import { errorMessage, expected } from '../debugger/errors.js';
import { RemoteTarget } from '../rsp/remote-target.js';
import { CommandError } from '../commands/parse.js';
import { check, describeStop, type Context } from './expect.js';
import type { Failure, TestResult } from './results.js';
import type { Loc, Script, Stmt, TestBlock } from './script.js';

export interface RunOptions {
  engine?: 'kernel' | 'userspace';
  /** HOST:PORT of a GDB remote server: each test connects to it for its process. */
  remote?: string;
  timeoutMs: number;
  /** --program: the program of every `file` statement (and the one without any). */
  program?: { path: string; args: string[] };
  /** --record: the value each expectation saw, by line (first time it ran). */
  record?: Map<number, string>;
  /** Told each tracee's pid (the parent's watchdog kills it if this worker hangs). */
  onPid?: (pid: number | undefined) => void;
  /** Told each test's bound as it starts (the parent's watchdog waits that long, and a grace period). */
  onTestStart?: (timeoutMs: number) => void;
}

/** Thrown to end a test (or a foreach value) after a failure recorded already. */
class Abort extends Error {}

export function newResult(name: string): TestResult {
  return { name, ok: true, failures: [], subtests: [], checks: 0, ms: 0 };
}

/**
 * The launcher: local ptrace, or (--remote) a connection to the server for
 * each `run`, whose process it is; `connections` are closed at the test's end.
 */
export function launcherFor(opts: RunOptions, connections: RemoteTarget[]): Launcher {
  if (!opts.remote) return localLauncher();
  const where = opts.remote;
  return {
    spawn: async () => {
      const t = await RemoteTarget.connect(where);
      connections.push(t);
      return t;
    },
    attach: async () => { throw new CommandError('attach is not offered over --remote'); },
  };
}

/** One live debugger and what the expectations look back at. */
export class Live {
  readonly d: Debugger;
  private out = '';
  private readonly connections: RemoteTarget[] = [];
  heldAtStart = 0;

  constructor(readonly opts: RunOptions) {
    this.d = new Debugger({ launcher: launcherFor(opts, this.connections), launch: { aslr: false, engine: opts.engine, env: process.env } });
    this.d.store.on('output', (c) => { if (c.stream === 'inferior') this.out += c.text; });
    this.d.store.on('running', () => { this.out = ''; });
    let pid: number | undefined;
    this.d.store.on('state', (s) => {
      if (s.process?.pid !== pid) {
        pid = s.process?.pid;
        opts.onPid?.(pid);
        // a program that starts after its test timed out is killed as it appears
        if (this.killed && pid) this.killHard();
      }
    });
  }

  /** The test timed out: its program is killed, now and if it only starts later. */
  private killed = false;

  context(): Context {
    return { output: () => this.out, heldAtStart: this.heldAtStart, held: () => this.held() };
  }

  async held(): Promise<number> {
    if (!this.d.state.process) return 0;
    return (await this.d.session.snaps.usage()).held;
  }

  /** Kill the tracee now (a timeout): SIGKILL for a local one, the pending command then ends. */
  killHard(): void {
    this.killed = true;
    const pid = this.d.state.process?.pid;
    if (pid && !this.opts.remote) {
      try { process.kill(pid, 'SIGKILL'); } catch { /* gone already */ }
    } else {
      this.d.pause();
    }
  }

  async close(): Promise<void> {
    try {
      await bounded(this.d.shutdown(), 15_000);
    } finally {
      // (a connection that does not close in time, or is gone: the run is over either way)
      for (const c of this.connections.splice(0)) await bounded(c.disconnect(), 5_000).catch(() => undefined);
    }
  }
}

/** Run every test of a script; `onResult` is told each as it ends. */
export async function runScript(script: Script, opts: RunOptions, onResult: (r: TestResult) => void): Promise<void> {
  const tests: TestBlock[] = script.tests.length ? script.tests
    : [{ name: path.basename(script.file), reuse: false, body: [], loc: { file: script.file, line: 1 } }];
  let live: Live | undefined;
  for (let i = 0; i < tests.length; i++) {
    const t = tests[i]!;
    const result = newResult(t.name);
    const started = Date.now();
    const fresh = !t.reuse || !live;
    if (fresh) { await live?.close(); live = new Live(opts); }
    const l = live!;
    // (a target whose snapshot engine cannot say: nothing held to compare with)
    l.heldAtStart = await l.held().catch(expected(0));
    const runner = new TestRunner(l, script, opts);
    const body = async () => {
      try {
        if (fresh) {
          // --program: the program even when the script names none
          if (opts.program && !script.prelude.some((x) => x.kind === 'file')) await l.d.load(opts.program.path, opts.program.args);
          await runner.block(script.prelude, result);
        }
        await runner.block(script.before, result);
        await runner.block(t.body, result);
      } catch (e) {
        if (!(e instanceof Abort)) runner.fail(result, t.loc, `test "${t.name}"`, errorMessage(e));
      }
      try {
        await runner.block(script.after, result);
      } catch (e) {
        if (!(e instanceof Abort)) runner.fail(result, t.loc, `test "${t.name}"`, errorMessage(e));
      }
    };
    const timeoutMs = t.timeoutS !== undefined ? t.timeoutS * 1000 : opts.timeoutMs;
    opts.onTestStart?.(timeoutMs);
    const timedOut = await withTimeout(body(), timeoutMs);
    if (timedOut) {
      runner.cancelled = true;
      l.killHard();
      result.failures.push({ loc: t.loc, source: `test "${t.name}"`, message: `timed out after ${timeoutMs / 1000} s; the program was killed` });
      result.ok = false;
      await l.close();
      live = undefined;
    } else if (!tests[i + 1]?.reuse) {
      await l.close();
      live = undefined;
    }
    result.ms = Date.now() - started;
    onResult(result);
  }
  await live?.close();
}

class TestRunner {
  private readonly dir: string;

  constructor(private readonly live: Live, private readonly script: Script, private readonly opts: RunOptions) {
    this.dir = path.dirname(path.resolve(script.file));
  }

  private get d(): Debugger { return this.live.d; }

  /** Set when the test timed out: what is still running of it stops at its next statement. */
  cancelled = false;

  async block(stmts: Stmt[], r: TestResult): Promise<void> {
    for (const s of stmts) {
      if (this.cancelled) throw new Abort();
      await this.stmt(s, r);
    }
  }

  private async stmt(s: Stmt, r: TestResult): Promise<void> {
    switch (s.kind) {
      case 'command': return this.command(s.text, s.loc, r);
      case 'file': {
        const p = this.opts.program ?? { path: path.resolve(this.dir, s.path), args: s.args };
        return this.guard(s.loc, `file ${s.path}`, r, () => this.d.load(p.path, p.args));
      }
      case 'checkpoint': return this.guard(s.loc, `checkpoint ${s.name}`, r, () => this.d.checkpoint(s.name));
      case 'rewind': return this.guard(s.loc, `rewind ${s.name}`, r, () => this.d.rewind(s.name));
      case 'expect': {
        r.checks++;
        try {
          const o = await check(this.d, s.expect, this.live.context());
          if (o.now !== undefined && this.opts.record && !this.opts.record.has(s.loc.line)) this.opts.record.set(s.loc.line, o.now);
          if (!o.ok) await this.fail(r, s.loc, s.text, 'expectation failed', o.expected, o.actual, o.diff);
        } catch (e) {
          await this.fail(r, s.loc, s.text, errorMessage(e));
        }
        return;
      }
      case 'foreach': {
        for (const v of s.values) {
          if (this.cancelled) throw new Abort();
          const sub = newResult(`$${s.variable} = ${v}`);
          const started = Date.now();
          try {
            await this.command(`set $${s.variable} = ${v}`, s.loc, sub);
            await this.block(s.body, sub);
          } catch (e) {
            if (!(e instanceof Abort)) await this.fail(sub, s.loc, `foreach $${s.variable}`, errorMessage(e));
            // back to where the next value starts, if the body says where that is
            const back = [...s.body].reverse().find((x) => x.kind === 'rewind');
            // (a rewind that fails too: the next value fails where it starts, said there)
            if (back?.kind === 'rewind') await this.d.rewind(back.name).catch(expected(undefined));
          }
          sub.ms = Date.now() - started;
          this.adopt(r, sub);
        }
        return;
      }
      case 'retry': {
        const name = `retry-${s.loc.line}`;
        await this.guard(s.loc, `retry ${s.count}`, r, () => this.d.checkpoint(name));
        for (let k = 1; k <= s.count; k++) {
          if (this.cancelled) throw new Abort();
          const sub = newResult(`run ${k} of ${s.count}`);
          const started = Date.now();
          try {
            if (k > 1) await this.guard(s.loc, `retry ${s.count}`, sub, () => this.d.rewind(name));
            await this.block(s.body, sub);
          } catch (e) {
            if (!(e instanceof Abort)) await this.fail(sub, s.loc, `retry ${s.count}`, errorMessage(e));
          }
          sub.ms = Date.now() - started;
          this.adopt(r, sub);
        }
        // (a body that killed the program took its checkpoint with it)
        await this.d.deleteCheckpoint(name).catch(expected(undefined));
        return;
      }
      case 'call': {
        for (let i = 0; i < s.args.length; i++) await this.command(`set $arg${i} = ${s.args[i]}`, s.loc, r);
        return this.block(this.script.defines.get(s.name) ?? [], r);
      }
    }
  }

  private adopt(r: TestResult, sub: TestResult): void {
    r.subtests.push(sub);
    r.checks += sub.checks;
    if (!sub.ok) r.ok = false;
  }

  /** A console line; its error fails the test and ends it. */
  private async command(line: string, loc: Loc, r: TestResult): Promise<void> {
    const res = await this.d.execute(line);
    if (!res.ok) {
      await this.fail(r, loc, line, res.error ?? 'the command failed');
      throw new Abort();
    }
  }

  /** A structured call whose error fails the test and ends it. */
  private async guard(loc: Loc, source: string, r: TestResult, fn: () => Promise<unknown>): Promise<void> {
    try {
      await fn();
    } catch (e) {
      await this.fail(r, loc, source, errorMessage(e));
      throw new Abort();
    }
  }

  /** Record a failure with where the program is and a short backtrace. */
  async fail(r: TestResult, loc: Loc, source: string, message: string, expected?: string, actual?: string, diff?: string[]): Promise<void> {
    const f: Failure = { loc, source, message, expected, actual, diff };
    const st = this.d.state.stop;
    if (this.d.state.process && st && !this.d.state.running) {
      f.where = { function: st.function, file: st.file, line: st.line };
      // (no stack, or none in time: the failure is reported without it)
      const frames = await bounded(this.d.frames(undefined, 5), 10_000).catch(() => undefined);
      if (frames) f.backtrace = frames.map((fr) => `#${fr.level}  ${fr.function ?? `0x${fr.pc.toString(16)}`}${fr.file ? ` (${fr.file}:${fr.line})` : ''}`);
    } else if (!f.actual) {
      f.actual = describeStop(this.d);
    }
    r.failures.push(f);
    r.ok = false;
  }
}

/** Resolves true when `p` did not settle within `ms`. */
async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((res) => { timer = setTimeout(() => res(true), ms); });
  try {
    return await Promise.race([p.then(() => false, () => false), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** `p`, or a rejection after `ms`. */
export function bounded<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, rej) => { timer = setTimeout(() => rej(new Error(`no answer within ${ms / 1000} s`)), ms); }),
  ]);
}
