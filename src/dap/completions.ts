/**
 * completions: the Debug Console (the `repl` context) completes as tsdbg's
 * prompt does on Tab (src/console/complete.ts, gdb's rules): command
 * names, subcommands, then locations, symbols, locals and members. The
 * cppdbg `-exec ` prefix is kept out of the completed line.
 */
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { DapBackend } from './backend.js';

/** `columnBase`: 1 when the client counts columns from 1 (DAP's default), else 0. */
export async function completionsRequest(
  backend: DapBackend, a: DebugProtocol.CompletionsArguments, columnBase: number,
): Promise<DebugProtocol.CompletionsResponse['body']> {
  if (typeof a.text !== 'string') throw new Error('"text" must be a string.');
  if (!Number.isInteger(a.column)) throw new Error('"column" must be a number.');
  // (a multi-line text: only the line asked about; DAP's `line` counts like columns)
  const lines = a.text.split('\n');
  const lineIndex = a.line === undefined ? lines.length - 1 : a.line - columnBase;
  const text = lines[lineIndex];
  if (text === undefined) throw new Error(`"line" ${a.line} is out of range.`);
  const cursor = Math.min(Math.max(0, a.column - columnBase), text.length);
  const prefix = /^-exec\s+/.exec(text)?.[0].length ?? 0;
  if (cursor < prefix) return { targets: [] };
  const { candidates, replaceFrom } = await backend.complete(text.slice(prefix), cursor - prefix);
  const start = prefix + replaceFrom;
  return {
    targets: candidates.map((c) => ({ label: c, text: c, start: start + columnBase, length: cursor - start })),
  };
}
