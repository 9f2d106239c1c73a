/**
 * The parity corpus runner: each session script is fed to gdb 13 and to tsdbg
 * on a pty (the commands on stdin, as a user's pipe), with the same clean
 * environment and working directory, and the two transcripts are diffed after
 * removing only what differs by design.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pty from '@lydell/node-pty';

function findRoot(): string {
  let d = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(d, 'package.json')) || !existsSync(join(d, 'tests', 'parity'))) {
    const up = dirname(d);
    if (up === d) throw new Error('parity: cannot find the project root');
    d = up;
  }
  return d;
}
export const ROOT = findRoot();
export const PARITY_DIR = join(ROOT, 'tests', 'parity');
const INPUTS = join(PARITY_DIR, 'inputs');
/** Generous: a session is a handful of commands; only a hang gets near it. */
const SESSION_TIMEOUT_MS = Number(process.env.TSDBG_PARITY_TIMEOUT_MS ?? 120_000);

export type OLevel = 'O0' | 'O2';
export interface Session { id: string; program: string; olevel: OLevel; name: string; exe: string; commands: string[] }
export interface Outcome { session: Session; gdb: string[]; tsdbg: string[]; same: boolean; firstDiff: number; note?: string }
export interface Known { kind: 'deliberate' | 'bug'; cause?: string; reason: string }

/** Fetches and builds the corpus (cached); program -> O-level -> binary. */
export function buildCorpus(): Map<string, Record<OLevel, string>> {
  const r = spawnSync('bash', [join(PARITY_DIR, 'corpus.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`parity: corpus.sh failed (status ${r.status})`);
  const out = new Map<string, Record<OLevel, string>>();
  for (const line of r.stdout.split('\n')) {
    const [name, o, path] = line.split(' ');
    if (!name || !path) continue;
    const rec = out.get(name) ?? ({} as Record<OLevel, string>);
    rec[o as OLevel] = path;
    out.set(name, rec);
  }
  return out;
}

/**
 * sessions/PROGRAM.gdb holds that program's sessions: `### NAME` starts one,
 * its lines are the commands (a `#` line is a comment). Each runs at -O0 and -O2.
 */
export function loadSessions(corpus: Map<string, Record<OLevel, string>>): Session[] {
  const dir = join(PARITY_DIR, 'sessions');
  const sessions: Session[] = [];
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.gdb')).sort()) {
    const program = f.replace(/\.gdb$/, '');
    const bins = corpus.get(program);
    if (!bins) throw new Error(`parity: sessions/${f} names a program the corpus does not build`);
    let cur: { name: string; commands: string[] } | undefined;
    const blocks: { name: string; commands: string[] }[] = [];
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const m = /^### (\S+)/.exec(line);
      if (m) { cur = { name: m[1]!, commands: [] }; blocks.push(cur); continue; }
      if (!cur || /^\s*(#|$)/.test(line)) continue;
      cur.commands.push(line);
    }
    for (const b of blocks) {
      for (const olevel of ['O0', 'O2'] as const) {
        sessions.push({ id: `${program}/${b.name}/${olevel}`, program, olevel, name: b.name, exe: bins[olevel], commands: b.commands });
      }
    }
  }
  return sessions;
}

export function loadKnown(): Map<string, Known> {
  const raw = JSON.parse(readFileSync(join(PARITY_DIR, 'differences.json'), 'utf8')) as Record<string, Known | string>;
  const m = new Map<string, Known>();
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'object') m.set(k, v);
  return m;
}

/** Every process in session `sid` (the pty's), and their descendants. */
function sessionProcesses(sid: number): number[] {
  const found: number[] = [];
  const parents = new Map<number, number>();
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${d}/stat`, 'utf8'); } catch { continue; }
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const pid = Number(d);
    parents.set(pid, Number(f[1]));
    if (Number(f[3]) === sid && pid !== sid) found.push(pid);
  }
  const all = new Set(found);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, ppid] of parents) if (!all.has(pid) && (all.has(ppid) || ppid === sid)) { all.add(pid); grew = true; }
  }
  return [...all];
}

function killAll(pids: number[]): void {
  for (const p of pids) { try { process.kill(p, 'SIGKILL'); } catch { /* gone */ } }
}

/** The fixed environment both debuggers (and so both inferiors) start with. */
function cleanEnv(home: string): string[] {
  return ['PATH=/usr/local/bin:/usr/bin:/bin', `HOME=${home}`, 'TERM=xterm', 'LANG=C', 'LC_ALL=C'];
}

/**
 * Runs argv on a pty 80 columns wide (gdb wraps there) and 1000 rows high (so
 * that gdb's pager never asks), stdin from `script`; the raw transcript.
 */
/** This run's own work directories (two runs at once must not share them), removed when it ends. */
let runDir: string | undefined;
function workDir(worker: number): string {
  if (!runDir) {
    const dir = mkdtempSync(join(tmpdir(), 'tsdbg-parity-'));
    process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
    runDir = dir;
  }
  return join(runDir, `w${worker}`);
}

export function runOnPty(argv: string[], script: string, worker = 0): Promise<{ text: string; timedOut: boolean }> {
  const home = join(tmpdir(), 'tsdbg-parity-home');
  mkdirSync(home, { recursive: true });
  // A fresh copy of inputs/ each time (a program may write there), at a path
  // both debuggers of one session share: its length moves the stack (PWD).
  const cwd = workDir(worker);
  rmSync(cwd, { recursive: true, force: true });
  mkdirSync(dirname(cwd), { recursive: true });
  cpSync(INPUTS, cwd, { recursive: true });
  const file = join(tmpdir(), `tsdbg-parity-${process.pid}-${Math.random().toString(36).slice(2)}.gdb`);
  writeFileSync(file, script);
  return new Promise((resolve) => {
    const p = pty.spawn('/usr/bin/env', ['-i', ...cleanEnv(home), '/bin/sh', '-c', 'exec "$@" < "$0"', file, ...argv], {
      name: 'xterm', cols: 80, rows: 1000, cwd, env: {},
    });
    let text = '';
    let timedOut = false;
    p.onData((d) => { text += d; });
    const timer = setTimeout(() => { timedOut = true; killAll([p.pid, ...sessionProcesses(p.pid)]); }, SESSION_TIMEOUT_MS);
    p.onExit(() => {
      clearTimeout(timer);
      killAll(sessionProcesses(p.pid)); // an inferior gdb left running, say
      try { spawnSync('rm', ['-f', file]); } catch { /* ignore */ }
      resolve({ text, timedOut });
    });
  });
}

const BY_DESIGN = /^(Snapshot engine: |\[Thread debugging using libthread_db|Using host libthread_db|Reading symbols from )/;

/** The transcript as lines, without what differs by design. */
export function normalize(raw: string, prompt: string): string[] {
  let t = raw.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '').replace(/\r+\n/g, '\n').replace(/\r/g, '');
  const p = prompt.replace(/[()]/g, '\\$&');
  t = t.replace(new RegExp(p, 'g'), ''); // gdb's prompts (tsdbg prints none on a pipe)
  // Process ids differ from run to run, by design.
  t = t.replace(/\b(process|Inferior 1 \[process|LWP) \d+/g, '$1 PID');
  const lines = t.split('\n').filter((l) => !BY_DESIGN.test(l));
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

export async function runSession(s: Session, worker = 0): Promise<Outcome> {
  const script = s.commands.join('\n') + '\n';
  const g = await runOnPty(['gdb', '-nx', '-q', s.exe], script, worker);
  const t = await runOnPty([process.execPath, join(ROOT, 'bin', 'tsdbg.js'), 'run', s.exe], script, worker);
  const gdb = normalize(g.text, '(gdb) ');
  const tsdbg = normalize(t.text, '(tsdbg) ');
  if (t.timedOut) tsdbg.push('<<tsdbg timed out>>');
  if (g.timedOut) gdb.push('<<gdb timed out>>');
  let firstDiff = -1;
  for (let i = 0; i < Math.max(gdb.length, tsdbg.length); i++) {
    if (gdb[i] !== tsdbg[i]) { firstDiff = i; break; }
  }
  return { session: s, gdb, tsdbg, same: firstDiff < 0, firstDiff };
}

/** Runs sessions `width` at a time (each runs gdb, then tsdbg). */
export async function runAll(sessions: Session[], width = 2, onDone?: (o: Outcome) => void): Promise<Outcome[]> {
  const out: Outcome[] = new Array(sessions.length);
  let next = 0;
  const worker = async (w: number) => {
    while (next < sessions.length) {
      const i = next++;
      out[i] = await runSession(sessions[i]!, w);
      onDone?.(out[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, sessions.length) }, (_, w) => worker(w)));
  return out;
}

/** The first differing lines of an outcome, gdb's then ours. */
export function diffExcerpt(o: Outcome, n = 4): string[] {
  const i = o.firstDiff;
  const lines = [`  at line ${i + 1}:`];
  for (const l of o.gdb.slice(i, i + n)) lines.push(`    gdb   | ${l}`);
  for (const l of o.tsdbg.slice(i, i + n)) lines.push(`    tsdbg | ${l}`);
  return lines;
}

export interface Report { text: string; agree: number; total: number; unlisted: Outcome[]; stale: string[]; unknownIds: string[] }

/** The benchmark-style summary and its judgement against the known list. */
export function report(outcomes: Outcome[], known: Map<string, Known>, all: boolean): Report {
  const lines: string[] = [];
  const groups = new Map<string, { agree: number; total: number }>();
  for (const o of outcomes) {
    const k = `${o.session.program} -${o.session.olevel}`;
    const g = groups.get(k) ?? { agree: 0, total: 0 };
    g.total++;
    if (o.same) g.agree++;
    groups.set(k, g);
  }
  const agree = outcomes.filter((o) => o.same).length;
  const pct = (a: number, t: number) => (t === 0 ? '0.0' : ((100 * a) / t).toFixed(1));
  lines.push(`parity: ${agree}/${outcomes.length} sessions agree with gdb (${pct(agree, outcomes.length)}%)`);
  for (const [k, g] of [...groups].sort()) lines.push(`  ${k.padEnd(14)} ${String(g.agree).padStart(3)}/${g.total} (${pct(g.agree, g.total)}%)`);
  const unlisted: Outcome[] = [];
  const stale: string[] = [];
  for (const o of outcomes) {
    const k = known.get(o.session.id);
    if (o.same) { if (k) stale.push(o.session.id); continue; }
    if (!k) unlisted.push(o);
    lines.push('', `${o.session.id}: ${k ? `${k.kind}: ${k.reason}` : 'NOT LISTED in differences.json'}`);
    lines.push(...diffExcerpt(o));
  }
  const byCause = new Map<string, string[]>();
  for (const o of outcomes) {
    if (o.same) continue;
    const k = known.get(o.session.id);
    const c = k ? `${k.kind}: ${k.cause ?? k.reason}` : 'not listed';
    byCause.set(c, [...(byCause.get(c) ?? []), o.session.id]);
  }
  if (byCause.size > 0) {
    lines.push('', 'differences by cause:');
    for (const [c, ids] of [...byCause].sort((a, b) => b[1].length - a[1].length)) lines.push(`  ${String(ids.length).padStart(3)}  ${c}`);
  }
  const ids = new Set(outcomes.map((o) => o.session.id));
  const unknownIds = all ? [...known.keys()].filter((k) => !ids.has(k)) : [];
  if (stale.length > 0) lines.push('', `listed as different but now agreeing: ${stale.join(', ')}`);
  if (unknownIds.length > 0) lines.push('', `listed sessions that do not exist: ${unknownIds.join(', ')}`);
  return { text: lines.join('\n'), agree, total: outcomes.length, unlisted, stale, unknownIds };
}
