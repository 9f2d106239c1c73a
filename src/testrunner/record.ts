/**
 * --record: a script's text with each expectation's value replaced by the
 * one seen when it ran (the first time), for a first golden run.
 *   expect p->x == 0      ->  expect p->x == 7
 *   expect p->x           ->  expect p->x == 7
 *   expect stop at main   ->  expect stop at tick
 * Lines that never ran, and expectations with no single value (output,
 * snapshot diff, no leak), are kept as written.
 */
import { parseExpectation } from './script.js';

export function recordScript(text: string, seen: Map<number, string>): string {
  return text.split('\n').map((line, i) => {
    const now = seen.get(i + 1);
    const m = /^(\s*)expect\s+(.*?)\s*$/.exec(line);
    if (now === undefined || !m) return line;
    let e;
    try { e = parseExpectation(m[2]!, { file: '', line: i + 1 }); } catch { return line; }
    const pad = m[1]!;
    switch (e.kind) {
      case 'compare': return `${pad}expect ${e.lhs} == ${now}`;
      case 'true': return `${pad}expect ${e.expr} == ${now}`;
      case 'stop': return `${pad}expect stop at ${now}`;
      case 'exit': return `${pad}expect exit ${now}`;
      case 'signal': return now ? `${pad}expect signal ${now}` : line;
      case 'memory': return `${pad}expect memory ${e.addr} == ${now}`;
      default: return line;
    }
  }).join('\n');
}
