/**
 * gdb's QUIT: Ctrl-C while a command computes or prints (not while the program runs) ends that command
 * with `Quit`, and the next command runs. `x/2147483647b 0` after an `x/s` examines two billion strings,
 * in gdb too: only Ctrl-C ends it. On a terminal and on a pipe (SIGINT), for gdb and tsdbg alike.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { fixture } from '../fixtures/programs.js';
import { ownerEnv } from '../setup/leaks.js';
import { TSDBG, gdb, killTerminals, tsdbg, until } from './pty-util.js';

afterEach(() => killTerminals());

const SETUP = ['break inner', 'run', 'x/s 4294967296'];
const LONG = 'x/2147483647b 0';
const errors = (s: string) => s.split('\n').filter((l) => l.startsWith('0x0:\t<error: Cannot access memory at address 0x0>')).length;

describe('Ctrl-C ends a long command', () => {
  for (const who of ['gdb', 'tsdbg'] as const) {
    it(`${who} on a terminal: Quit, the prompt, and the next command runs`, async () => {
      // (without paging, as the gdb helper starts gdb)
      const t = who === 'gdb' ? gdb([fixture('frames')]) : tsdbg(['run', '-ex', 'set pagination off', fixture('frames')]);
      const prompt = who === 'gdb' ? '(gdb) ' : '(tsdbg) ';
      await t.waitFor(prompt);
      for (const c of SETUP) { t.send(`${c}\r`); await t.waitFor(prompt); }
      t.send(`${LONG}\r`);
      await until(() => errors(t.output()) > 300, () => t.output().slice(-500));
      t.send('\x03');
      await t.waitFor(/Quit\r?\n/);
      await t.waitFor(prompt);
      t.send('print 6*7\r');
      await t.waitFor('$1 = 42');
      t.send('kill\r');
      await t.waitFor('(y or n)');
      t.send('y\r');
      await t.waitFor(prompt);
      t.send('quit\r');
      await t.exited;
    });

    it(`${who} reading a pipe: SIGINT quits the command, the next line runs`, async () => {
      const argv = who === 'gdb' ? ['gdb', '-q', '-nx', fixture('frames')] : [process.execPath, TSDBG, 'run', fixture('frames')];
      const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...ownerEnv() } });
      try {
        let out = '';
        let err = '';
        child.stdout.on('data', (b: Buffer) => { out += b.toString(); });
        child.stderr.on('data', (b: Buffer) => { err += b.toString(); });
        const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
        child.stdin.write(`${[...SETUP, LONG].join('\n')}\n`);
        await until(() => errors(out) > 300, () => (out + err).slice(-500));
        child.kill('SIGINT');
        await until(() => err.includes('Quit\n'), () => (out + err).slice(-500));
        child.stdin.write('print 6*7\nkill\n');
        await until(() => out.includes('$1 = 42'), () => (out + err).slice(-500));
        child.stdin.end();
        await exited;
        // one Quit, nothing after it from the long command
        expect(err.split('\n').filter((l) => l === 'Quit')).toHaveLength(1);
        expect(out.slice(out.indexOf('$1 = 42'))).not.toMatch(/^0x0:/m);
      } finally {
        child.kill('SIGKILL');
      }
    });
  }
});
