/**
 * The start-up path (README, "Start-up"): bin/tsdbg.js runs the CommonJS
 * bundle in dist/bundle/ through bin/code-cache.cjs, which keeps V8's
 * compiled code of each bundle file at exit and compiles from it at the next
 * start. Here a copy of the bundle (inside dist/, so its packages resolve as
 * the real one's do) runs a real session three times: without a cache (it is
 * written), with it, and with a damaged one (V8 rejects it: the session runs
 * the same and the cache is written anew). The output is gdb's each time.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fixture } from '../fixtures/programs.js';
import { ROOT } from './rsp-util.js';
import { ownerEnv } from '../setup/leaks.js';

const copy = mkdtempSync(path.join(ROOT, 'dist', '.bundle-test-'));
afterAll(() => rmSync(copy, { recursive: true, force: true }));
cpSync(path.join(ROOT, 'dist', 'bundle'), copy, { recursive: true, filter: (src) => !src.includes('.v8-cache') });
const launcher = path.join(copy, 'launch.mjs');
writeFileSync(launcher, `import { createRequire } from 'node:module';
createRequire(${JSON.stringify(path.join(ROOT, 'bin', 'x.js'))})('./code-cache.cjs').runBundle(${JSON.stringify(copy)}, 'main.js');\n`);
const cacheDir = path.join(copy, '.v8-cache');

function session(): { out: string; status: number | null } {
  const r = spawnSync(process.execPath, [launcher, 'run', '--batch', '-ex', 'info line main', '-ex', 'break main', '-ex', 'run', '-ex', 'bt', fixture('frames')],
    { encoding: 'utf8', env: { ...process.env, ...ownerEnv() }, timeout: 120_000, killSignal: 'SIGKILL' });
  return { out: r.stdout + r.stderr, status: r.status };
}

function gdb(): string {
  const r = spawnSync('gdb', ['-batch', '-nx', '-ex', 'set startup-with-shell off', '-ex', 'info line main', '-ex', 'break main', '-ex', 'run', '-ex', 'bt', fixture('frames')],
    { encoding: 'utf8', env: { ...process.env, ...ownerEnv() }, timeout: 120_000, killSignal: 'SIGKILL' });
  return r.stdout;
}

/** The lines both print the same way (tsdbg names its snapshot engine where gdb has none). */
const comparable = (text: string) => text.split('\n').filter((l) => /^(Line \d|Breakpoint 1|#\d)/.test(l)).join('\n');

describe('the bundle with V8 code cache', () => {
  it('writes the cache at exit, starts from it, and recovers from a damaged one', () => {
    const want = comparable(gdb());
    expect(want).toMatch(/^#0 +main/m);

    const first = session();
    expect(first.status).toBe(0);
    expect(comparable(first.out)).toBe(want);
    const kept = readdirSync(cacheDir);
    // every bundle file this session loaded has its code kept, named after that build of the file
    for (const f of ['main.js', readdirSync(copy).find((n) => n.startsWith('session-'))!]) {
      const st = statSync(path.join(copy, f));
      expect(kept).toContain(`${f}-${Math.trunc(st.mtimeMs)}-${st.size}-${process.version}.bin`);
    }

    const second = session();
    expect(second.status).toBe(0);
    expect(comparable(second.out)).toBe(want);
    expect(readdirSync(cacheDir).sort()).toEqual(kept.sort());

    // damaged: V8 rejects the data, the file compiles as it would without, and good code replaces it
    for (const f of kept) writeFileSync(path.join(cacheDir, f), Buffer.alloc(64, 0x5a));
    const third = session();
    expect(third.status).toBe(0);
    expect(comparable(third.out)).toBe(want);
    for (const f of kept) expect(readFileSync(path.join(cacheDir, f)).equals(Buffer.alloc(64, 0x5a)), f).toBe(false);
  }, 300_000);
});
