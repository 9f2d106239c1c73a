/**
 * gdb's query() at a terminal: a yes/no question asked at the prompt while a
 * command waits for it (restart? quit with a live program?). The line typed
 * next (or typed ahead) is the answer; anything but y/n asks again; end of input gives the default,
 * as gdb does when its input goes away.
 */
import type { Interface } from 'node:readline';

export class TerminalQuestions {
  private rl: Interface | undefined;
  private pending: ((line: string | undefined) => void) | undefined;
  private wantInput: (() => void) | undefined;

  /**
   * The readline that shows the questions and reads the answers;
   * `wantInput` runs at each question (lines typed ahead answer it first).
   */
  use(rl: Interface, wantInput?: () => void): void {
    this.rl = rl;
    this.wantInput = wantInput;
    rl.on('close', () => this.pending?.(undefined));
  }

  /** Give a typed line to the open question; false when no question is open. */
  take(line: string): boolean {
    if (!this.pending) return false;
    this.pending(line);
    return true;
  }

  /** Ctrl-C at a question answers no (gdb abandons the command). */
  interrupt(): boolean {
    if (!this.pending) return false;
    process.stdout.write('^C\n');
    this.pending('n');
    return true;
  }

  /** A line typed at `prompt` (gdb's pager asks this way); undefined when input ends. */
  readonly readLine = (prompt: string): Promise<string | undefined> => {
    const rl = this.rl;
    if (!rl) return Promise.resolve('');
    return new Promise((resolve) => {
      this.pending = (line) => {
        this.pending = undefined;
        resolve(line);
      };
      rl.setPrompt(prompt);
      rl.prompt();
      this.wantInput?.();
    });
  };

  /** `defaultNo`: gdb's nquery, whose answer at end of input is no. */
  readonly ask = (question: string, defaultNo = false): Promise<boolean> => {
    const rl = this.rl;
    if (!rl) return Promise.resolve(!defaultNo);
    const lines = question.split('\n');
    const last = lines.pop()!;
    if (lines.length) process.stdout.write(`${lines.join('\n')}\n`);
    return new Promise((resolve) => {
      const prompt = () => { rl.setPrompt(`${last} `); rl.prompt(); this.wantInput?.(); };
      this.pending = (line) => {
        const a = line?.trim().toLowerCase();
        if (a !== undefined && !/^(y|yes|n|no)$/.test(a)) {
          process.stdout.write('Please answer y or n.\n');
          prompt();
          return;
        }
        this.pending = undefined;
        if (a === undefined) process.stdout.write(`EOF [answered ${defaultNo ? 'N' : 'Y'}; input not from terminal]\n`);
        resolve(a === undefined ? !defaultNo : a.startsWith('y'));
      };
      prompt();
    });
  };
}
