/**
 * tsdbg at a real terminal (node-pty), as a gdb user meets it, with gdb 13
 * on the same pty scenario as the reference where it has an answer:
 * Ctrl-D is the running program's end of file, lines typed ahead answer the
 * next question, the program's pty has our terminal's size, closing the
 * terminal ends the session cleanly, and every way out leaves no process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fixture } from '../fixtures/programs.js';
import { BOTH, alive, descendants, gdb, killTerminals, onPipes, tsdbg, TSDBG, until, type Terminal } from './pty-util.js';
import { startListening } from './rsp-util.js';

afterEach(() => killTerminals());

const PROMPT = '(tsdbg) ';

/** The processes under the session (the tracee), read while it is stopped. */
function tracees(t: Terminal): number[] {
  return descendants(t.pid);
}

async function gone(pids: number[]): Promise<void> {
  await until(() => pids.every((p) => !alive(p)), () => `processes ${pids.filter(alive).join(' ')} to be gone`);
}

/** A session stopped at `break inner` in the frames fixture. */
async function atInner(): Promise<{ t: Terminal; pids: number[] }> {
  const t = tsdbg(['run', fixture('frames')]);
  await t.waitFor(PROMPT);
  t.send('break inner\r');
  await t.waitFor(PROMPT);
  t.send('run\r');
  await t.waitFor('Breakpoint 1, inner');
  await t.waitFor(PROMPT);
  const pids = tracees(t);
  expect(pids.length).toBeGreaterThan(0);
  return { t, pids };
}

describe('the running program owns the keyboard', () => {
  for (const { who, start, prompt } of BOTH) {
    it(`${who}: Ctrl-D is end of file for cat, which exits normally; the prompt still works`, async () => {
      const t = start('/usr/bin/cat');
      await t.waitFor(prompt);
      t.send('run\r');
      await until(() => descendants(t.pid).length > 0, () => 'cat to start');
      t.send('hello\r');
      // the pty echoes the line once, cat writes it back once
      await t.waitFor(/hello\n[^]*hello\n/);
      t.send('\x04');
      await t.waitFor(/\[Inferior 1 \(process \d+\) exited normally\]\n/);
      await t.waitFor(prompt);
      t.send('echo alive\\n\r');
      await t.waitFor('alive\n');
      await t.waitFor(prompt);
      t.send('quit\r');
      expect((await t.exited).exitCode).toBe(0);
    });
  }

  for (const { who, start, prompt } of BOTH) {
    it(`${who}: Ctrl-C stops the running program with SIGINT and gives the prompt back`, async () => {
      const prog = fixture('target_loop');
      const t = start(prog);
      await t.waitFor(prompt);
      t.send('run\r');
      await t.waitFor(/pid \d+\n/);
      t.send('\x03');
      await t.waitFor('Program received signal SIGINT, Interrupt.\n');
      await t.waitFor(prompt);
      t.send('kill\r');
      await t.waitFor('(y or n) ');
      t.send('y\r');
      await t.waitFor(/\[Inferior 1 \(process \d+\) killed\]\n/);
      await t.waitFor(prompt);
      t.send('quit\r');
      expect((await t.exited).exitCode).toBe(0);
    });
  }

  it('the program\'s pty has our terminal\'s size, and follows a resize', async () => {
    // The program prints its size at each line until it sees the new one: our SIGWINCH and the keys
    // typed after the resize are separate events, so a line may still meet the old size.
    const t = tsdbg(['run', '/bin/sh', '-c', 'stty size; while read x; do s=$(stty size); echo "size $s"; [ "$s" = "40 120" ] && break; done; cat >/dev/null'], { cols: 91, rows: 27 });
    await t.waitFor(PROMPT);
    t.send('run\r');
    await t.waitFor('27 91\n');
    t.resize(120, 40);
    const keys = setInterval(() => t.send('\r'), 250);
    try {
      await t.waitFor('size 40 120\n');
    } finally {
      clearInterval(keys);
    }
    t.send('\x04');   // the keys sent after the new size went to cat: its end of input ends the program
    await t.waitFor(/exited normally/);
    await t.waitFor(PROMPT);
    t.send('quit\r');
    expect((await t.exited).exitCode).toBe(0);
  });
});

describe('lines typed ahead', () => {
  it('kill, y, quit pasted at once: y answers the question, quit ends the session, as in gdb', async () => {
    const { t, pids } = await atInner();
    t.send('kill\ry\rquit\r');
    // readline moves the cursor (an escape) before echoing the answer
    await t.waitFor(/Kill the program being debugged\? \(y or n\) (\x1b\[[0-9;?]*[A-Za-z])*y\n/);
    await t.waitFor(/\[Inferior 1 \(process \d+\) killed\]\n/);
    expect((await t.exited).exitCode).toBe(0);
    expect(t.output()).not.toMatch(/Undefined command: "y"/);
    await gone(pids);
  });

  it('gdb shows the same question and answer for the same paste', async () => {
    const t = gdb([fixture('frames')]);
    await t.waitFor('(gdb) ');
    t.send('break inner\r');
    await t.waitFor('(gdb) ');
    t.send('run\r');
    await t.waitFor('Breakpoint 1, inner');
    await t.waitFor('(gdb) ');
    t.send('kill\ry\rquit\r');
    await t.waitFor(/Kill the program being debugged\? \(y or n\) (\x1b\[[0-9;?]*[A-Za-z])*y\n/);
    await t.waitFor(/\[Inferior 1 \(process \d+\) killed\]\n/);
    expect((await t.exited).exitCode).toBe(0);
  });
});

/** Ended by the hangup, not by a crash (SIGSEGV, SIGABRT of node's terminal-reset assertion). */
async function hungUp(t: Terminal): Promise<void> {
  const e = await t.exited;
  expect(e.signal === 1 || e.exitCode === 129, `exit ${JSON.stringify(e)}:\n${t.output()}`).toBe(true);
  expect(t.output()).not.toMatch(/Assertion failed|Unhandled 'error'|setRawMode EIO/);
}

describe('closing the terminal', () => {
  it('closing the window kills the program tsdbg started; tsdbg ends by the hangup, no crash', async () => {
    const { t, pids } = await atInner();
    t.close();
    await hungUp(t);
    await gone(pids);
  });

  it('closing the window while the program runs: the same', async () => {
    const t = tsdbg(['run', fixture('target_loop')]);
    await t.waitFor(PROMPT);
    t.send('run\r');
    const pid = Number((await t.waitFor(/pid \d+/)).slice(4));
    expect(alive(pid)).toBe(true);
    t.close();
    await hungUp(t);
    await gone([pid]);
  });

  it('SIGHUP alone does the same', async () => {
    const { t, pids } = await atInner();
    process.kill(t.pid, 'SIGHUP');
    await hungUp(t);
    await gone(pids);
  });

  it('a process tsdbg attached to is detached and goes on running', async () => {
    const prog = spawn(fixture('target_loop'), [], { stdio: 'ignore' });
    try {
      const t = tsdbg(['run', '--pid', String(prog.pid)]);
      await t.waitFor(PROMPT);
      const tracer = () => Number(/TracerPid:\s*(\d+)/.exec(readFileSync(`/proc/${prog.pid}/status`, 'utf8'))?.[1]);
      expect(tracer()).not.toBe(0);
      t.close();
      await hungUp(t);
      await until(() => tracer() === 0, () => 'the process to be detached');
      expect(alive(prog.pid!)).toBe(true);
      expect(readFileSync(`/proc/${prog.pid}/stat`, 'utf8').split(' ')[2]).toMatch(/[RS]/);
    } finally {
      prog.kill('SIGKILL');
    }
  });

  it('under tsdbg connect to gdbserver: the remote program is killed and gdbserver ends, as with gdb', async () => {
    const s = await startListening('gdbserver', ['--once', '127.0.0.1:0', fixture('frames')]);
    try {
      const prog = descendants(s.child.pid!);
      expect(prog.length).toBe(1);
      const t = tsdbg(['connect', `127.0.0.1:${s.port}`, fixture('frames')]);
      await t.waitFor(PROMPT);
      t.send('break inner\r');
      await t.waitFor(PROMPT);
      t.send('continue\r');
      await t.waitFor('Breakpoint 1, inner');
      await t.waitFor(PROMPT);
      t.close();
      await hungUp(t);
      await gone(prog);
      await until(() => s.child.exitCode !== null || s.child.signalCode !== null, () => `gdbserver to exit:\n${s.stderr()}`);
    } finally {
      await s.stop();
    }
  });
});

describe('every way out leaves nothing behind', () => {
  it('EOF (Ctrl-D) at the prompt', async () => {
    const { t, pids } = await atInner();
    t.send('\x04');
    await t.exited;
    await gone(pids);
  });

  it('quit, answered y', async () => {
    const { t, pids } = await atInner();
    t.send('quit\r');
    await t.waitFor('Quit anyway? (y or n) ');
    t.send('y\r');
    expect((await t.exited).exitCode).toBe(0);
    await gone(pids);
  });

  it('SIGTERM', async () => {
    const { t, pids } = await atInner();
    process.kill(t.pid, 'SIGTERM');
    expect((await t.exited).exitCode).toBe(143);
    await gone(pids);
  });

  it('the reader of our output goes away (tsdbg ... | head): the program is killed, no unhandled EPIPE', async () => {
    const { child, out, err, exited } = onPipes([process.execPath, TSDBG, 'run', fixture('frames')]);
    try {
      child.stdin.write('break inner\nrun\ninfo inferiors\n');
      await until(() => /process \d+/.test(out()), () => `the inferior's pid in:\n${out()}${err()}`);
      const pid = Number(/process (\d+)/.exec(out())![1]);
      child.stdout.destroy();
      child.stdin.write('x/4000x $sp\nbt\nx/4000x $sp\n');
      expect(await exited).toBe(141);
      expect(err()).not.toMatch(/Unhandled|EPIPE/);
      await gone([pid]);
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('SIGINT at the prompt', async () => {
    const { t, pids } = await atInner();
    process.kill(t.pid, 'SIGINT');
    await t.exited;
    await gone(pids);
  });
});
