/**
 * One guest run (tests/guest/kernel.test.ts for 5.10, kernel-6.1.test.ts for 6.1): ONE
 * boot of the patched kernel (tsdbg vm run [--kernel 6.1] -- sh tests/guest/in-guest.sh)
 * runs the C kernel ABI suite, the series' kselftest
 * (tools/testing/selftests/ptrace/snapshot.c), tracer.ko's tests (tests/kernel/tracer_test.c)
 * and the in-guest TypeScript suites; every C case, every kselftest, every tracer
 * case and every in-guest test is reported as its own test. The boot happens while the test
 * file is collected (top-level await there) because the in-guest tests are only known from
 * its results.
 *
 * Nothing here skips: no kernel, no QEMU, a failed boot or missing results
 * make the tests fail with the reason.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';
import { Parser } from 'tap-parser';
import { describe, expect, it } from 'vitest';
import { ROOT, tsdbgVm, type VmRun } from './vm-run.js';
import { buildEdge } from '../integration/threads-util.js';

const run = promisify(execFile);
/** Cases written in tests/kernel/main.c: the suite must run at least these many. */
const MIN_KERNEL_CASES = 42;
/** TEST_F()s in the series' tools/testing/selftests/ptrace/snapshot.c. */
const MIN_KSELFTESTS = 13;
/** Cases of tests/kernel/tracer_test.c (two load cycles of 9). */
const TRACER_CASES = 18;
const GUEST_LIMIT_MS = 20 * 60_000;

interface TapCase {
  ok: boolean;
  message: string;
}

interface JestLikeReport {
  success: boolean;
  testResults: {
    name: string;
    status: string;
    message: string;
    assertionResults: { fullName: string; status: string; failureMessages: string[] }[];
  }[];
}

export type KernelVersion = '5.10' | '6.1';

export interface GuestSuite {
  version: KernelVersion;
  /** Why the run as a whole is broken (build, boot, missing results); undefined when it completed. */
  error?: string;
  listed: string[];
  tap: Map<string, TapCase>;
  tapPlan?: number;
  /** The kselftest's TAP: its plan, and each result line (a SKIP counts as a failure here). */
  kself?: { plan?: number; lines: string[]; stderr: string };
  /** tracer.ko's TAP cases (tests/kernel/tracer_test.c). */
  tracer: Map<string, TapCase>;
  tracerPlan?: number;
  tracerStderr?: string;
  report?: JestLikeReport;
  dmesg?: string;
  vm?: VmRun;
}

function parseTap(text: string): { cases: Map<string, TapCase>; plan?: number } {
  const cases = new Map<string, TapCase>();
  let plan: number | undefined;
  for (const [event, data] of Parser.parse(text)) {
    if (event === 'plan') plan = (data as { end: number }).end;
    if (event === 'assert') {
      const r = data as { ok: boolean; name: string; diag: { message?: string; notes?: string } | null };
      cases.set(r.name, { ok: r.ok, message: r.diag?.message ?? '' });
    }
  }
  return { cases, plan };
}

function inGuestFiles(dir = join(ROOT, 'tests', 'in-guest')): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => join(dir, f))
    .sort();
}

/** The guest run on kernel `version`; `vitest`: also the in-guest TypeScript suites. */
export async function runGuestSuite(share: string, version: KernelVersion, vitest: boolean): Promise<GuestSuite> {
  const suite: GuestSuite = { version, listed: [], tap: new Map(), tracer: new Map() };
  try {
    // The kselftest is built from the patched tree build.sh keeps (cached after the first build).
    await run('bash', [join(ROOT, 'kernel-patch', 'build.sh'), '--kernel', version], { maxBuffer: 64 << 20 });
    await run('make', ['-s', '-C', join(ROOT, 'tests', 'kernel'), 'all', 'selftest', `KVER=${version}`]);
    // tracer.ko and its driver, built against that kernel; the guest reads their directory.
    const mods = await run('bash', [join(ROOT, 'kernel-patch', 'tracer', 'build.sh'), '--kernel', version]);
    writeFileSync(join(share, 'tracer.dir'), mods.stdout.trim().split('\n').pop() ?? '');
    // The in-guest suites trace tests/fixtures programs; the guest cannot build them.
    await run('make', ['-s', '-C', join(ROOT, 'tests', 'fixtures')]);
    buildEdge();
    const list = await run(join(ROOT, 'tests', 'kernel', 'bin', 'snapshot_abi'), ['--list']);
    suite.listed = list.stdout.trim().split('\n').filter(Boolean);
  } catch (e) {
    suite.error = `building tests/kernel failed: ${(e as Error).message}`;
    return suite;
  }
  const vm = await tsdbgVm(['run', '--kernel', version, '--share', share, '--', 'sh', 'tests/guest/in-guest.sh',
    ...(vitest ? [] : ['--no-vitest'])], GUEST_LIMIT_MS,
    // tsdbg vm's own limit (default 900 s) ends the run just before the host's backstop: on a
    // loaded machine the in-guest vitest alone took over 12 minutes under TCG
    { TSDBG_VM_TIMEOUT: String(GUEST_LIMIT_MS / 1000 - 30) });
  suite.vm = vm;
  const file = (name: string) => join(share, name);
  if (existsSync(file('kernel.tap'))) {
    const { cases, plan } = parseTap(readFileSync(file('kernel.tap'), 'utf8'));
    suite.tap = cases;
    suite.tapPlan = plan;
  }
  if (existsSync(file('kselftest.tap'))) {
    const text = readFileSync(file('kselftest.tap'), 'utf8');
    suite.kself = {
      plan: Number(/^1\.\.(\d+)$/m.exec(text)?.[1] ?? NaN),
      lines: text.split('\n').filter((l) => /^(not )?ok \d+/.test(l)),
      stderr: existsSync(file('kselftest.stderr')) ? readFileSync(file('kselftest.stderr'), 'utf8') : '',
    };
  }
  if (existsSync(file('tracer.tap'))) {
    const { cases, plan } = parseTap(readFileSync(file('tracer.tap'), 'utf8'));
    suite.tracer = cases;
    suite.tracerPlan = plan;
    suite.tracerStderr = existsSync(file('tracer.stderr')) ? readFileSync(file('tracer.stderr'), 'utf8') : '';
  }
  if (existsSync(file('in-guest.json'))) suite.report = JSON.parse(readFileSync(file('in-guest.json'), 'utf8')) as JestLikeReport;
  if (existsSync(file('dmesg.txt'))) suite.dmesg = readFileSync(file('dmesg.txt'), 'utf8');
  if (!existsSync(file('done'))) {
    suite.error = `the guest run did not complete (tsdbg vm run exited ${vm.status ?? vm.signal}):\n` +
      `${vm.stderr.trim()}\n${vm.stdout.trim()}`.trim();
  }
  return suite;
}

/** The tests of one guest run; `vitest`: it ran the in-guest TypeScript suites. */
export function guestSuiteTests(suite: GuestSuite, vitest: boolean): void {
  const broken = (what: string) => `${what}: ${suite.error ?? 'no result'}`;
  const kernel = suite.version === '5.10' ? /guest: kernel 5\.10\.223/ : /guest: kernel 6\.1\.\d+/;

  describe('guest run', () => {
    it('boots the patched kernel once and completes the whole guest suite', () => {
      if (suite.error) throw new Error(suite.error);
      expect(suite.vm?.stdout).toMatch(kernel);
      process.stdout.write(`${suite.vm?.stdout ?? ''}(tsdbg vm run took ${suite.vm?.ms} ms)\n`);
    });
  });

  describe('kernel ABI suite (tests/kernel, in the guest)', () => {
    it(`ran every case (at least ${MIN_KERNEL_CASES})`, () => {
      if (suite.error && suite.tap.size === 0) throw new Error(broken('no TAP output'));
      expect(suite.listed.length).toBeGreaterThanOrEqual(MIN_KERNEL_CASES);
      expect(suite.tapPlan).toBe(suite.listed.length);
      expect([...suite.tap.keys()]).toEqual(suite.listed);
    });

    for (const name of suite.listed) {
      it(name, () => {
        const c = suite.tap.get(name);
        if (!c) throw new Error(broken('this case did not run'));
        if (!c.ok) throw new Error(c.message || 'failed (no diagnostic)');
      });
    }

    it('the kernel log has no BUG, Oops or WARNING after the suite', () => {
      if (suite.dmesg === undefined) throw new Error(broken('no kernel log from the guest'));
      const bad = suite.dmesg.split('\n').filter((l) => /\b(BUG|Oops|WARNING)\b|general protection fault|Call Trace/.test(l));
      expect(bad, 'kernel log lines').toEqual([]);
    });
  });

  describe('kselftest of the series (tools/testing/selftests/ptrace/snapshot.c, in the guest)', () => {
    it(`ran every test (at least ${MIN_KSELFTESTS}) and each passed, none skipped`, () => {
      const k = suite.kself;
      if (!k) throw new Error(broken('no kselftest TAP output'));
      const bad = k.lines.filter((l) => !/^ok \d+ /.test(l) || /# SKIP/.test(l));
      expect(bad, `failed or skipped (stderr:\n${k.stderr.slice(-4000)})`).toEqual([]);
      expect(k.plan).toBeGreaterThanOrEqual(MIN_KSELFTESTS);
      expect(k.lines.length).toBe(k.plan);
    });
  });

  describe('tracer.ko (kernel-patch/tracer, tests/kernel/tracer_test.c, in the guest)', () => {
    it(`ran every case (${TRACER_CASES})`, () => {
      if (suite.tracer.size === 0) throw new Error(broken(`no tracer TAP output (stderr: ${suite.tracerStderr ?? ''})`));
      expect(suite.tracerPlan).toBe(TRACER_CASES);
      expect(suite.tracer.size).toBe(TRACER_CASES);
    });

    for (const [name, c] of suite.tracer) {
      it(name, () => {
        if (!c.ok) throw new Error(c.message || 'failed (no diagnostic)');
      });
    }
  });

  if (!vitest) return;
  describe('in-guest TypeScript suites (tests/in-guest, in the guest)', () => {
    const files = inGuestFiles();

    it(`ran every in-guest test file (${files.length} on the host)`, () => {
      if (!suite.report) throw new Error(broken('no vitest JSON report from the guest'));
      const ran = suite.report.testResults.map((r) => r.name).sort();
      expect(ran).toEqual(files);
    });

    for (const fileResult of suite.report?.testResults ?? []) {
      const rel = relative(ROOT, fileResult.name);
      if (fileResult.assertionResults.length === 0) {
        it(`${rel} (whole file)`, () => {
          if (fileResult.status !== 'passed') throw new Error(fileResult.message || `status ${fileResult.status}`);
        });
      }
      for (const t of fileResult.assertionResults) {
        it(`${rel} > ${t.fullName}`, () => {
          if (t.status !== 'passed') throw new Error(t.failureMessages.join('\n') || `status ${t.status}`);
        });
      }
    }
  });
}
