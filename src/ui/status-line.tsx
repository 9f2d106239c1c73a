/**
 * The status line: process, its state and why it stopped, the snapshot engine, the target.
 * Files by their base name: a line table's name can be a whole path, which would push the
 * rest off an 80-column line.
 */
import React from 'react';
import { Text } from 'ink';
import { basename } from 'node:path';
import type { DebuggerState, StopInfo } from '../debugger/state.js';

export function stopText(s: StopInfo): string {
  const at = s.function ? ` in ${s.function}${s.file && s.line !== undefined ? ` at ${basename(s.file)}:${s.line}` : ''}` : '';
  switch (s.reason) {
    case 'breakpoint': return `breakpoint ${s.breakpoints.join(', ')}${at}`;
    case 'watchpoint': return `watchpoint ${s.breakpoints.join(', ')}${at}`;
    case 'signal': return `signal ${s.signal ?? ''}${at}`;
    case 'exited': return `exited with code ${s.exitCode ?? 0}`;
    case 'killed': return `killed${s.signal ? ` by ${s.signal}` : ''}`;
    default: return `${s.reason}${at}`;
  }
}

export function statusText(s: DebuggerState): string {
  const parts: string[] = [];
  if (s.process) {
    parts.push(`process ${s.process.pid}`, s.running ? 'running' : s.stop ? `stopped: ${stopText(s.stop)}` : s.process.state);
    if (s.process.engine) parts.push(`engine ${s.process.engine}`);
    parts.push(`target ${s.process.kind}`);
  } else {
    parts.push(s.stop && (s.stop.reason === 'exited' || s.stop.reason === 'killed') ? `no process (${stopText(s.stop)})` : 'no process');
    if (s.program) parts.push(s.program);
  }
  return parts.join(' | ');
}

export function StatusLine({ state, width }: { state: DebuggerState; width: number }): React.ReactElement {
  const text = statusText(state);
  return <Text inverse wrap="truncate">{text.padEnd(width)}</Text>;
}
