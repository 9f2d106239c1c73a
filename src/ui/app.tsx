/** The whole screen (./layout.ts places the panes); ./frame.ts writes the rows that change. */
import React from 'react';
import { Box } from 'ink';
import type { UiModel, UiView } from './model.js';
import type { PaneName, Rect } from './layout.js';
import { useView } from './use-view.js';
import { SourcePane } from './source-pane.js';
import { AsmPane } from './asm-pane.js';
import { RegistersPane } from './registers-pane.js';
import { StackPane } from './stack-pane.js';
import { BreakpointsPane } from './breakpoints-pane.js';
import { ThreadsPane } from './threads-pane.js';
import { LocalsPane } from './locals-pane.js';
import { MemoryPane } from './memory-pane.js';
import { DiffPane } from './diff-pane.js';
import { CheckpointsPane } from './checkpoints-pane.js';
import { ConsolePane } from './console-pane.js';
import { OutputPane } from './output-pane.js';
import { StatusLine } from './status-line.js';
import { WatchPane } from './watch-pane.js';
import { SyscallsPane } from './syscalls-pane.js';
import { KstatsPane } from './kstats-pane.js';

export function App({ model }: { model: UiModel }): React.ReactElement {
  return <Screen view={useView(model)} />;
}

/** The screen for one view (a frozen view draws the same screen: the component tests use this). */
export function Screen({ view }: { view: UiView }): React.ReactElement {
  const { layout } = view;
  const p = layout.panes;
  const main = (['src', 'asm', 'regs', 'syscalls', 'kstats', 'memory', 'diff'] as const).filter((n) => p[n]).sort((a, b) => p[a]!.top - p[b]!.top);
  const info = (['stack', 'locals', 'watch', 'breakpoints', 'threads', 'checkpoints'] as const).filter((n) => p[n]);
  return (
    <Box flexDirection="column" width={layout.cols} height={layout.rows}>
      {main.map((n) => <PaneOf key={n} name={n} rect={p[n]!} view={view} />)}
      <Box flexDirection="row">{info.map((n) => <PaneOf key={n} name={n} rect={p[n]!} view={view} />)}</Box>
      <Box flexDirection="row">
        <PaneOf name="cmd" rect={p.cmd!} view={view} />
        <PaneOf name="output" rect={p.output!} view={view} />
      </Box>
      <StatusLine state={view.state} width={layout.cols} />
    </Box>
  );
}

function PaneOf({ name, rect, view }: { name: PaneName; rect: Rect; view: UiView }): React.ReactElement {
  const s = view.state;
  const common = { width: rect.width, height: rect.height, scroll: view.scroll[name] ?? 0, focused: view.focus === name };
  const frame = view.frames[s.selectedFrame] ?? (s.selectedFrame === 0 ? s.stop : undefined);
  switch (name) {
    case 'src':
      // disassembly where there is no source
      if (view.source?.lines) return <SourcePane {...common} source={view.source} frame={frame} breakpoints={s.breakpoints} colour={view.colour} />;
      return <AsmPane {...common} instructions={view.asm} pc={frame?.pc} breakpoints={s.breakpoints} />;
    case 'asm': return <AsmPane {...common} instructions={view.asm} pc={frame?.pc} breakpoints={s.breakpoints} />;
    case 'regs': return <RegistersPane {...common} registers={s.registers} group={view.regGroup} fp={view.fpRegs} fpChanged={view.fpChanged} />;
    case 'syscalls': return <SyscallsPane {...common} calls={view.syscalls} />;
    case 'kstats': return <KstatsPane {...common} kstats={view.kstats} />;
    case 'memory': return <MemoryPane {...common} memory={view.memory ?? { expression: '' }} />;
    case 'diff': return <DiffPane {...common} diff={view.diff ?? { expression: '' }} />;
    case 'stack': return <StackPane {...common} frames={view.frames} selected={s.selectedFrame} />;
    case 'locals': return <LocalsPane {...common} rows={view.locals} cursor={view.localsCursor} hint="C-x w: watch" />;
    case 'watch': return <WatchPane {...common} rows={view.watch} cursor={view.watchCursor} />;
    case 'breakpoints': return <BreakpointsPane {...common} breakpoints={s.breakpoints} />;
    case 'threads': return <ThreadsPane {...common} threads={s.threads} selected={s.selectedThread} />;
    case 'checkpoints': return <CheckpointsPane {...common} checkpoints={s.checkpoints} snapshots={s.snapshots} limits={s.limits} />;
    case 'cmd': return <ConsolePane {...common} console={view.console} prompt={view.prompt} input={view.input} busy={view.busy && view.prompt === '(tsdbg) '} />;
    case 'output': return <OutputPane {...common} output={view.program} />;
  }
}
