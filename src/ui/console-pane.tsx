/**
 * The console: the session's output (gdb's text) and the prompt with what
 * is being typed, last. While a command runs the prompt is not shown (gdb
 * prints it when the command ends), what is typed ahead still is.
 */
import React from 'react';
import { Text } from 'ink';
import { allLines, tail, type Lines } from './text.js';
import { Line, Pane } from './pane.js';

export interface ConsolePaneProps {
  console: Lines;
  prompt: string;
  input: string;
  /** A command runs and no question is open: no prompt. */
  busy: boolean;
  width: number;
  height: number;
  scroll: number;
  focused: boolean;
}

export function ConsolePane({ console, prompt, input, busy, width, height, scroll, focused }: ConsolePaneProps): React.ReactElement {
  const shown = tail(allLines(console, width), height - 2, scroll);
  return (
    <Pane title={scroll ? `Console (${scroll} up)` : 'Console'} width={width} height={height} focused={focused}>
      {shown.map((l, i) => <Line key={i}>{l}</Line>)}
      <Line>{busy ? '' : prompt}{input}<Text inverse> </Text></Line>
    </Pane>
  );
}
