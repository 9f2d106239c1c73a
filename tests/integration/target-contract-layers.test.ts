/**
 * The target layer's boundaries, checked on the real code: what the Target
 * interface and the RSP client may import, the client working where the
 * native shim cannot load, and capabilities that say what the back end
 * really has (hardwareBreakpoints follows the debug-register probe locally
 * and the stub's answer to Z2 remotely).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LocalTarget } from '../../src/target/local.js';
import { RemoteTarget } from '../../src/rsp/remote-target.js';
import { fixture, symbol } from '../fixtures/programs.js';
import { ROOT, requireFreshServerBuild, startListening } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const BASIC = fixture('target_basic');
const TSDBG = path.join(ROOT, 'bin/tsdbg.js');

const cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

/** Every module `entry` loads, following relative imports (`import type` too when `types`). */
function importGraph(entry: string, types: boolean): Set<string> {
  const seen = new Set<string>();
  const todo = [path.resolve(ROOT, entry)];
  while (todo.length) {
    const file = todo.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/^\s*(import|export)\s+(type\s+)?[^;]*?\bfrom\s+'(\.[^']+)'/gm)) {
      if (m[2] && !types) continue;
      todo.push(path.resolve(path.dirname(file), m[3]!.replace(/\.js$/, '.ts')));
    }
  }
  return new Set([...seen].map((f) => path.relative(ROOT, f)));
}

describe('layers', () => {
  it('the Target interface imports nothing from the snapshot layer above it', () => {
    const graph = importGraph('src/target/types.ts', true);
    expect([...graph].filter((f) => f.startsWith('src/snapshot/'))).toEqual([]);
    expect(graph.has('src/target/snapshot-engine.ts')).toBe(true);
  });

  it('the RSP client and its wire never load the native shim', () => {
    for (const entry of ['src/rsp/wire.ts', 'src/rsp/client.ts', 'src/rsp/remote-target.ts']) {
      const graph = importGraph(entry, false);
      expect([...graph].filter((f) => f === 'src/target/native.ts' || f === 'src/rsp/native-spin.ts'), entry).toEqual([]);
    }
    // while the server, which hosts ptrace targets, does
    expect(importGraph('src/rsp/server.ts', false).has('src/target/native.ts')).toBe(true);
  });

  it('RemoteTarget works in a process where the native shim cannot load', async () => {
    requireFreshServerBuild();
    const server = await startListening(process.execPath, [TSDBG, 'serve', '--once', '--listen', '127.0.0.1:0', BASIC, '2', '5']);
    cleanup.push(() => server.stop());
    const tick = symbol(BASIC, 'tick');
    const script = `
      const { nativeAvailable } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/target/native.js'))});
      const { RemoteTarget } = await import(${JSON.stringify(path.join(ROOT, 'dist/src/rsp/remote-target.js'))});
      const out = [ 'native ' + nativeAvailable() ];
      const t = await RemoteTarget.connect('127.0.0.1:${server.port}');
      await t.insertBreakpoint(${tick}n);
      for (let i = 0; i < 2; i++) { const ev = await t.cont(); out.push(ev.reason.kind + ' 0x' + ev.reason.pc.toString(16)); await t.step(); }
      await t.removeBreakpoint(${tick}n);
      const end = await t.cont();
      out.push(end.reason.kind + ' ' + end.reason.code);
      await t.kill();
      console.log(out.join('\\n'));
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      env: { ...process.env, TSDBG_NO_NATIVE: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), SESSION_MS);
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    clearTimeout(timer);
    expect(err).toBe('');
    expect(code).toBe(0);
    const at = `breakpoint 0x${tick.toString(16)}`;
    expect(out.trim().split('\n')).toEqual(['native false', at, at, 'exited 5']);
  });
});

describe('hardwareBreakpoints says what the back end has', () => {
  it('locally: the debug-register probe\'s answer', async () => {
    const saved = process.env.TSDBG_DEBUG_REGS;
    const t = await LocalTarget.spawn(BASIC);
    cleanup.push(() => t.kill());
    try {
      process.env.TSDBG_DEBUG_REGS = 'notrap';
      expect(t.capabilities.hardwareBreakpoints).toBe(false);
      await expect(t.insertWatchpoint(symbol(BASIC, 'watched'), 8, 'write')).rejects.toMatchObject({ code: 'ENOTSUP' });
      process.env.TSDBG_DEBUG_REGS = 'trap';
      expect(t.capabilities.hardwareBreakpoints).toBe(true);
    } finally {
      if (saved === undefined) delete process.env.TSDBG_DEBUG_REGS;
      else process.env.TSDBG_DEBUG_REGS = saved;
    }
  });

  for (const regs of ['notrap', 'trap'] as const) {
    it(`remotely: whether the stub takes Z2 (tsdbg serve where the debug registers ${regs === 'trap' ? 'trap' : 'do not trap'})`, async () => {
      requireFreshServerBuild();
      const server = await startListening('env', [`TSDBG_DEBUG_REGS=${regs}`, process.execPath, TSDBG, 'serve', '--once', '--listen', '127.0.0.1:0', BASIC]);
      cleanup.push(() => server.stop());
      const t = await RemoteTarget.connect(`127.0.0.1:${server.port}`);
      cleanup.push(() => t.kill());
      expect(t.capabilities.hardwareBreakpoints).toBe(regs === 'trap');
      const watched = symbol(BASIC, 'watched');
      if (regs === 'notrap') {
        await expect(t.insertWatchpoint(watched, 8, 'write')).rejects.toMatchObject({ code: 'ENOTSUP' });
      } else {
        await t.insertWatchpoint(watched, 8, 'write');
        await t.removeWatchpoint(watched, 8, 'write');
      }
      // the probe left nothing behind: the program runs to its end untouched
      expect((await t.cont()).reason).toEqual({ kind: 'exited', code: 0 });
    });
  }
});
