/**
 * Where a key typed at the terminal goes, as with gdb's shared terminal:
 *
 * - at the prompt or a question: to readline (line editing, history);
 * - while the program runs: to the program's pty, byte for byte, so its
 *   line discipline echoes, edits and turns Ctrl-D into end-of-file for the
 *   program (gdb hands the terminal to the inferior the same way);
 * - while a command works: held, then given to readline one line at a time
 *   when input is wanted again, so a line typed ahead answers the next
 *   question (`kill`, `y`, `quit` pasted together) or becomes the next
 *   command, each echoed where gdb shows it;
 * - Ctrl-C outside readline: `interrupt` (stop the program).
 */
import type { Key } from 'node:readline';

type KeyListener = (s: string | undefined, key: Key | undefined) => void;

export class KeyRouter {
  private readonly readline: KeyListener[];
  private held: Array<[string | undefined, Key | undefined]> = [];
  private live = true;
  /** While keys are held in a command: looks whether the program has started running to take them. */
  private watch: NodeJS.Timeout | undefined;
  private readonly onKey: KeyListener;

  /**
   * `input`: the terminal readline reads (its keypress listeners are taken
   * over); `program`: the running program's input, when it runs;
   * `interrupt`: Ctrl-C while a command works.
   */
  constructor(
    private readonly input: NodeJS.ReadStream,
    private readonly program: () => ((data: string) => void) | undefined,
    private readonly interrupt: () => void,
  ) {
    this.readline = input.listeners('keypress') as KeyListener[];
    for (const l of this.readline) input.off('keypress', l);
    this.onKey = (s, key) => this.route(s, key);
    input.on('keypress', this.onKey);
  }

  /** A command starts: keys wait (or go to the program while it runs). */
  hold(): void {
    this.live = false;
  }

  /** Input is wanted (a prompt, a question): replay held keys up to the first whole line, then go live. */
  release(): void {
    this.live = true;
    this.stopWatching();
    while (this.live && this.held.length) {
      const [s, key] = this.held.shift()!;
      this.toReadline(s, key);
      // the line's handler may have started a command (hold() again): the rest waits for it
      if (key?.name === 'return' || key?.name === 'enter') break;
    }
  }

  /**
   * When the program runs: the keys held so far are its input, in order
   * (gdb's shared terminal buffers them for whoever reads first: the program).
   */
  private programRuns(): void {
    const program = this.program();
    if (this.live || !program) return;
    const held = this.held;
    this.held = [];
    for (const [s, key] of held) {
      const bytes = key?.sequence ?? s;
      if (bytes !== undefined) program(bytes);
    }
  }

  /** Give readline back its own keypress listeners. */
  dispose(): void {
    this.stopWatching();
    this.input.off('keypress', this.onKey);
    for (const l of this.readline) this.input.on('keypress', l);
  }

  private route(s: string | undefined, key: Key | undefined): void {
    if (this.live) { this.toReadline(s, key); return; }
    if (key?.ctrl && key.name === 'c') { this.held = []; this.interrupt(); return; }
    // in order: a key never passes one typed before it that is still held
    this.held.push([s, key]);
    this.programRuns();
    // the program may be between stops the command makes on its way (exec, libraries, threads):
    // once it runs, what was typed is its input
    if (this.held.length) this.watch ??= setInterval(() => { if (this.held.length) this.programRuns(); else this.stopWatching(); }, 20);
  }

  private stopWatching(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
  }

  private toReadline(s: string | undefined, key: Key | undefined): void {
    for (const l of this.readline) l(s, key);
  }
}
