/**
 * The progress line (src/console/spinner.ts) of long work: drawn in place at
 * a terminal and erased at the end; nothing in a pipe or on TERM=dumb.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { TSDBG } from './pty-util.js';
import path from 'node:path';
import { ROOT } from './rsp-util.js';
import { closeScreens, screen } from './ui-util.js';
import { ownerEnv } from '../setup/leaks.js';

afterEach(closeScreens);

const MODULE = path.join(ROOT, 'dist/src/console/spinner.js');
/** A spinner over synchronous work (its line is drawn at once), then async work, then a line of output. */
const SCRIPT = `
const { Spinner } = await import(${JSON.stringify(MODULE)});
const s = new Spinner('Reading symbols from big...');
let n = 0; for (let i = 0; i < 2e7; i++) n += i;
await new Promise((r) => setTimeout(r, 300));
s.stop();
process.stdout.write('done\\n');
`;

describe('the progress line', () => {
  it('at a terminal: drawn, then erased before what follows', async () => {
    const s = screen([process.execPath, '--input-type=module', '-e', SCRIPT], { cols: 80, rows: 10 });
    let seen = '';
    s.pty.onData((d) => { seen += d; });
    await s.exited;
    expect(seen).toContain('⠋ Reading symbols from big...');
    expect(seen).toContain('\r\x1b[K');
    const rows = s.rows();
    expect(rows[0]).toBe('done');
    expect(rows.join('\n')).not.toContain('Reading symbols');
  });

  it('in a pipe: nothing', () => {
    const piped = spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { encoding: 'utf8', env: { ...process.env, ...ownerEnv() } });
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe('done\n');
  });

  it('TERM=dumb at a terminal: nothing', async () => {
    const s = screen([process.execPath, '--input-type=module', '-e', SCRIPT], { cols: 80, rows: 10, env: { TERM: 'dumb' } });
    let seen = '';
    s.pty.onData((d) => { seen += d; });
    await s.exited;
    expect(seen).not.toContain('Reading symbols');
    expect(s.rows()[0]).toBe('done');
  });
});

describe('tsdbg run on a large program', () => {
  it('shows the progress line while its symbols load, then erases it', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-big-'));
    try {
      // 9 MiB of initialised data: a program past the 8 MiB mark
      writeFileSync(path.join(dir, 'big.c'), 'char big[9 << 20] = { 1 };\nint main(void) { return big[0] - 1; }\n');
      execFileSync('gcc', ['-g', '-o', path.join(dir, 'big'), path.join(dir, 'big.c')]);
      const s = screen([process.execPath, TSDBG, 'run', '--batch', '-ex', 'info line main', path.join(dir, 'big')], { cols: 100, rows: 10 });
      let seen = '';
      s.pty.onData((d) => { seen += d; });
      await s.exited;
      expect(seen).toMatch(/⠋ Reading symbols from .*big\.\.\./);
      expect(s.text()).toMatch(/^Line 2 of .*big\.c/m);
      expect(s.text()).not.toContain('Reading symbols from');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
