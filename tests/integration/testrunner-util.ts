/** Running the built `tsdbg test` and reading its reports with real parsers. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Parser, type FinalResults, type Result } from 'tap-parser';
import { XMLParser } from 'fast-xml-parser';
import { ROOT } from './rsp-util.js';
import { finished, SESSION_MS } from '../setup/wait.js';

export const TSDBG = path.join(ROOT, 'bin/tsdbg.js');

export interface Run { code: number | null; stdout: string; stderr: string }

/** `tsdbg test ARGS` in the project's folder, to its end (bounded: a hung run is killed and says so). */
export function tsdbgTest(args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const r = finished(spawnSync('node', [TSDBG, 'test', ...args], {
    cwd: ROOT, encoding: 'utf8', timeout: SESSION_MS * 2, killSignal: 'SIGKILL', env,
  }), `tsdbg test ${args.join(' ')}`);
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** TAP 14 through tap-parser (strict: a line that is not TAP fails it); every test point, subtests' included. */
export function parseTap(text: string): Promise<{ final: FinalResults; asserts: Result[] }> {
  return new Promise((resolve) => {
    const asserts: Result[] = [];
    const hook = (p: Parser) => {
      p.on('assert', (r: Result) => asserts.push(r));
      p.on('child', hook);
    };
    const p = new Parser({ strict: true }, (final) => resolve({ final, asserts }));
    hook(p);
    p.end(text);
  });
}

export interface JUnitCase { name: string; classname: string; failure?: { message: string; text: string } }

/** JUnit XML through fast-xml-parser: the test cases of every suite. */
export function parseJUnit(xml: string): { suites: { name: string; tests: number; failures: number; cases: JUnitCase[] }[] } {
  const doc = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '', isArray: (n) => n === 'testsuite' || n === 'testcase', textNodeName: '#text', cdataPropName: '#cdata' }).parse(xml, true);
  const suites = (doc.testsuites?.testsuite ?? []) as Record<string, unknown>[];
  return {
    suites: suites.map((s) => ({
      name: String(s.name),
      tests: Number(s.tests),
      failures: Number(s.failures),
      cases: ((s.testcase ?? []) as Record<string, unknown>[]).map((c) => {
        const f = c.failure as { message: string; '#cdata'?: string; '#text'?: string } | undefined;
        return { name: String(c.name), classname: String(c.classname), failure: f ? { message: f.message, text: String(f['#cdata'] ?? f['#text'] ?? '') } : undefined };
      }),
    })),
  };
}

/** A folder of scripts written for one test. */
export function scripts(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tsdbg-test-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
  return dir;
}
