/** A failure as lines of text: what every reporter shows of it. */
import { where, type Failure } from './results.js';

export function failureLines(f: Failure): [string, string][] {
  const out: [string, string][] = [['at', where(f.loc)], ['statement', f.source], ['message', f.message]];
  if (f.expected !== undefined) out.push(['expected', f.expected]);
  if (f.actual !== undefined) out.push(['actual', f.actual]);
  if (f.where) out.push(['program', `${f.where.function ?? '??'}${f.where.file ? ` (${f.where.file}:${f.where.line})` : ''}`]);
  return out;
}

/** Plain text of a failure, for JUnit's failure body and the pretty reporter. */
export function failureText(f: Failure, indent = ''): string {
  const lines = failureLines(f).map(([k, v]) => `${indent}${`${k}:`.padEnd(11)}${v.replace(/\n/g, `\n${indent}${' '.repeat(11)}`)}`);
  if (f.backtrace?.length) lines.push(`${indent}backtrace:`, ...f.backtrace.map((b) => `${indent}  ${b}`));
  if (f.diff?.length) lines.push(`${indent}diff:`, ...f.diff.map((d) => `${indent}  ${d}`));
  return lines.join('\n');
}
