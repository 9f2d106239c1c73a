/**
 * `info frame` against gdb -batch: the same scripts run through `tsdbg run
 * --batch` (and `tsdbg connect` to gdbserver) and gdb, on -O0 and -O2 builds
 * (inlined calls at frame 0 and above a real frame, frames without a frame
 * pointer, prologue and epilogue positions), a program without -g, the C
 * library (libc6-dbg), a thread's outermost frame (clone3) and a signal
 * trampoline. Every `info frame` block must be equal line for line.
 *
 * Stack addresses are the one thing the two debuggers legitimately disagree
 * on: they start the program with different environments, so its stack sits
 * elsewhere. Each block's stack addresses are therefore written relative to
 * the block's own frame address ("frame at"): what is compared is where
 * the arguments, locals, saved registers and neighbouring frames lie
 * relative to the frame, which both must compute the same.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startListening } from './rsp-util.js';
import { SESSION_MS } from '../setup/wait.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(root, 'tests', 'fixtures', 'bin');
const TSDBG = join(root, 'bin', 'tsdbg.js');

/** Build `src` (relative to the repository) into tests/fixtures/bin on first use. */
function build(src: string, name: string, flags: string[]): string {
  const out = join(BIN, name);
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(join(root, src)).mtimeMs) return out;
  mkdirSync(BIN, { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  execFileSync('gcc', [...flags, '-o', tmp, src], { cwd: root });
  renameSync(tmp, out);
  return out;
}

/** Offset of the first `ret` in a function, from objdump. */
function retOffset(prog: string, fn: string): number {
  const dis = execFileSync('objdump', ['-d', '--no-show-raw-insn', prog], { encoding: 'utf8' });
  const body = dis.split(`<${fn}>:`)[1]!.split('\n\n')[0]!;
  const start = Number.parseInt(/^\s*([0-9a-f]+):/m.exec(body)![1]!, 16);
  const ret = Number.parseInt(/^\s*([0-9a-f]+):\s+ret/m.exec(body)![1]!, 16);
  return ret - start;
}

const example = (name: string) => join(root, 'examples', 'bin', name);

function merged(argv: string[]): string {
  const r = spawnSync('sh', ['-c', 'exec "$@" 2>&1', 'sh', ...argv], { encoding: 'utf8', timeout: SESSION_MS, killSignal: 'SIGKILL', cwd: root });
  if (r.error) throw r.error;
  return r.stdout;
}

function tsdbgBatch(prog: string, commands: string[]): string {
  return merged(['node', TSDBG, 'run', '--batch', '-ex', 'set breakpoint pending on', ...commands.flatMap((c) => ['-ex', c]), prog]);
}

function gdbBatch(prog: string, commands: string[]): string {
  return merged(['gdb', '-nx', '-batch', '-ex', 'set debuginfod enabled off', '-ex', 'set breakpoint pending on',
    ...commands.flatMap((c) => ['-ex', c]), prog]);
}

/** The numbers of a block that are stack addresses: frames, argument and local bases, sp, save slots. */
const STACK_FIELD = /((?:frame at|Arglist at|Locals at|sp is|sp at|\b[a-z0-9]+ at) )(0x[0-9a-f]+)/g;
/** A pointer into the main thread's stack, in an argument (argv). */
const STACK_ARG = /0x7ffffff[c-f][0-9a-f]{4}\b/g;

/** `S+0x20`: a stack address relative to the block's frame address. */
function relative(v: bigint, anchor: bigint | undefined): string {
  if (anchor === undefined) return 'S?';
  const d = v - anchor;
  return d < 0n ? `S-0x${(-d).toString(16)}` : `S+0x${d.toString(16)}`;
}

/** The offset of an `S+0x20` / `S-0x10`. */
function offsetOf(rel: string): bigint {
  const m = /S([+-])0x([0-9a-f]+)/.exec(rel)!;
  return (m[1] === '-' ? -1n : 1n) * BigInt(`0x${m[2]}`);
}

/**
 * The `info frame` blocks of an output (and the one-line errors the command
 * gives), each with its stack addresses relative to its frame's address (or,
 * for the outermost frame, whose address is 0, to its caller's sp).
 */
function infoFrameBlocks(out: string): string[][] {
  const blocks: string[][] = [];
  let cur: string[] | undefined;
  for (const line of out.split('\n')) {
    if (/^Stack (level \d+, )?frame at /.test(line)) blocks.push(cur = [line]);
    else if (cur && line.startsWith(' ')) cur.push(line);
    else {
      cur = undefined;
      if (/^(No stack\.|No frame at level |Argument required)/.test(line)) blocks.push([line]);
    }
  }
  return blocks.map((b) => {
    const text = b.join('\n');
    const head = /frame at (0x[0-9a-f]+)/.exec(text)?.[1];
    const sp = /Previous frame's sp is (0x[0-9a-f]+)/.exec(text)?.[1];
    const base = head && head !== '0x0' ? head : sp;
    const anchor = base ? BigInt(base) : undefined;
    return b.map((l) => l
      .replace(STACK_FIELD, (all, what: string, v: string) => (v === '0x0' ? all : `${what}${relative(BigInt(v), anchor)}`))
      .replace(/(args: .*)$/, (args) => args.replace(STACK_ARG, (v) => relative(BigInt(v), anchor))));
  });
}

/** Run the script through both debuggers; their `info frame` blocks must be equal. */
function compare(prog: string, commands: string[]): string[][] {
  const ours = infoFrameBlocks(tsdbgBatch(prog, commands));
  const gdb = infoFrameBlocks(gdbBatch(prog, commands));
  expect(gdb.length).toBeGreaterThan(0);
  expect(ours).toEqual(gdb);
  return ours;
}

const flat = (blocks: string[][]) => blocks.flat();

describe('info frame, as gdb prints it', () => {
  it('linked_list -O0: frame 0 and main (whose return address is still shown), named levels, no process', () => {
    const blocks = compare(example('linked_list'), ['info frame', 'break push', 'run', 'info frame', 'up', 'info f',
      'info frame 0', 'info frame level 1', 'info frame 5', 'info frame level']);
    expect(blocks[0]).toEqual(['No stack.']);
    expect(blocks[1]).toEqual([
      'Stack level 0, frame at S+0x0:',
      ' rip = 0x555555555199 in push (linked_list.c:18); saved rip = 0x555555555308',
      ' called by frame at S+0x30',
      ' source language c.',
      ' Arglist at S-0x10, args: list=0x0, value=1',
      ' Locals at S-0x10, Previous frame\'s sp is S+0x0',
      ' Saved registers:',
      '  rbp at S-0x10, rip at S-0x8',
    ]);
    expect(blocks[2]![1]).toMatch(/^ rip = 0x555555555308 in main \(linked_list\.c:58\); saved rip = 0x7ffff7[0-9a-f]+$/);
    expect(blocks[3]![0]).toBe('Stack frame at S+0x0:');
  });

  it('-O2: an inlined call above a real frame, frames without a frame pointer, main saving registers', () => {
    const prog = build('tests/integration/info-frame.c', 'info-frame-O2', ['-g', '-O2']);
    const blocks = compare(prog, ['break leaf', 'run', 'info frame', 'up', 'info frame', 'up', 'info frame',
      'continue', 'info frame', 'up', 'info frame', 'up', 'info frame']);
    const lines = flat(blocks);
    expect(lines).toContain(' inlined into frame 2, caller of frame at S-0x20');
    expect(lines).toContain(' Arglist at unknown address.');
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}rbx at S-0x18, rbp at S-0x10, rip at S-0x8$/));
  });

  it('linked_list -O2: push inlined into main at frame 0 (registers still in the machine), main above it', () => {
    const prog = build('examples/linked_list.c', 'linked_list-O2', ['-g', '-O2']);
    const blocks = compare(prog, ['break push', 'run', 'info frame', 'up', 'info frame']);
    expect(blocks[0]!.slice(2)).toEqual([' inlined into frame 1', ' source language c.', ' Arglist at unknown address.',
      ' Locals at unknown address, Previous frame\'s sp in rsp']);
  });

  it('prologue and epilogue positions: before and after endbr64, push %rbp, mov %rsp,%rbp, pop %rbp, ret, at -O0 and -O2', () => {
    const o0 = build('tests/integration/info-frame.c', 'info-frame-O0', ['-g', '-O0']);
    const steps = (fn: string, n: number) => [`break *${fn}`, 'run', ...Array.from({ length: n }, () => ['info frame', 'stepi']).flat()];
    const blocks = compare(o0, steps('leaf', 14));
    // Before push %rbp the base is rsp - 8; its save slot appears once pushed.
    expect(blocks[0]).toContain('  rip at S-0x8');
    expect(blocks[1]).toContain('  rbp at S-0x10, rip at S-0x8');
    const fp = build('tests/integration/info-frame.c', 'info-frame-O2-fp', ['-g', '-O2', '-fno-omit-frame-pointer']);
    compare(fp, steps('heavy', 10));
    // endbr64 before push %rbp (control-flow protection).
    const cet = build('tests/integration/info-frame.c', 'info-frame-O0-cet', ['-g', '-O0', '-fcf-protection=full']);
    expect(compare(cet, steps('leaf', 4))[2]).toContain('  rbp at S-0x10, rip at S-0x8');
  });

  it('a program without -g: no source language, no arguments, the symbol at the pc', () => {
    const prog = build('examples/linked_list.c', 'linked_list-nog', ['-O0']);
    const blocks = compare(prog, ['break push', 'run', 'info frame', 'up', 'info frame', 'delete', `break *push+${retOffset(prog, 'push')}`,
      'continue', 'info frame']);
    expect(blocks[0]![1]).toMatch(/^ rip = 0x[0-9a-f]+ in push; saved rip = 0x[0-9a-f]+$/);
    expect(blocks[0]).toContain(' Arglist at S-0x10, args: ');
    expect(flat(blocks).some((l) => l.includes('source language'))).toBe(false);
    // At its `ret`, gdb's epilogue unwinder knows only the return address (the CFI still lists rbp).
    expect(blocks[2]!.slice(-2)).toEqual([' Saved registers:', '  rip at S-0x8']);
  });

  it('the C library (libc6-dbg): fflush at its first instruction, its caller', () => {
    const blocks = compare(example('linked_list'), ['break fflush', 'run', 'info frame', 'up', 'info frame']);
    expect(blocks[0]![1]).toMatch(/^ rip = 0x7ffff7[0-9a-f]+ in __GI__IO_fflush \(\.\/libio\/iofflush\.c:\d+\); saved rip = 0x555555555[0-9a-f]+$/);
  });

  it('a thread: clone3, the outermost frame (frame at 0x0, return address not saved), and start_thread', () => {
    const blocks = compare(example('threads'), ['break worker', 'run', 'frame 2', 'info frame', 'frame 1', 'info frame']);
    expect(blocks[0]).toContain(' Outermost frame: outermost');
    expect(blocks[0]![1]).toMatch(/saved rip = <not saved>$/);
    expect(blocks[0]).toContain(' source language asm.');
  });

  it('a signal trampoline: __restore_rt, its registers saved in the signal frame', () => {
    const script = ['break on_usr1', 'run', 'continue', 'up', 'info frame'];
    const ours = infoFrameBlocks(tsdbgBatch(example('signals'), script))[0]!;
    const gdb = infoFrameBlocks(gdbBatch(example('signals'), script))[0]!;
    // The kernel aligns the signal frame's FPU area: the distance between the
    // trampoline's frame (the interrupted sp) and the handler's depends on
    // where the stack sits. The save slots, relative to the saved sp, do not.
    const view = (b: string[]) => {
      const slot = offsetOf(/sp at (S[+-]0x[0-9a-f]+)/.exec(b.join('\n'))![1]!);
      const bySlot = (l: string) => l.replace(/S[+-]0x[0-9a-f]+/g, (r) => relative(offsetOf(r), slot).replace('S', 'SP'));
      return b.map((l) => (l.startsWith('  ') || l.includes('sp at') ? bySlot(l) : l.replace(/caller of frame at \S+/, 'caller of frame at <handler>')));
    };
    expect(ours[1]).toMatch(/^ rip = 0x[0-9a-f]+ in __restore_rt; saved rip = 0x7ffff7[0-9a-f]+$/);
    expect(ours).toContain(' Arglist at unknown address.');
    expect(view(ours)).toEqual(view(gdb));
  });

  it('through tsdbg connect to gdbserver: the same blocks as gdb running the program', async () => {
    const prog = build('tests/integration/info-frame.c', 'info-frame-O2', ['-g', '-O2']);
    const script = ['break leaf', 'continue', 'info frame', 'up', 'info frame', 'up', 'info frame'];
    const server = await startListening('gdbserver', ['--once', '127.0.0.1:0', prog]);
    try {
      const out = await new Promise<string>((resolve, reject) => {
        const child = spawn('node', [TSDBG, 'connect', '--batch', ...[...script, 'kill'].flatMap((c) => ['-ex', c]), `127.0.0.1:${server.port}`],
          { stdio: ['ignore', 'pipe', 'pipe'] });
        let text = '';
        child.stdout.on('data', (b: Buffer) => { text += b.toString(); });
        child.stderr.on('data', (b: Buffer) => { text += b.toString(); });
        const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`tsdbg connect timed out:\n${text}`)); }, SESSION_MS);
        child.on('exit', () => { clearTimeout(timer); resolve(text); });
      });
      const gdb = infoFrameBlocks(gdbBatch(prog, ['break leaf', 'run', ...script.slice(2)]));
      expect(gdb.length).toBe(3);
      expect(infoFrameBlocks(out)).toEqual(gdb);
    } finally {
      await server.stop();
    }
  });
});
