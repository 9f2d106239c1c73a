/**
 * gdb's pager (utils.c pager_file::puts, prompt_for_continue) for a console
 * on a terminal: with `set pagination on` and a height, once height-1 lines
 * of a command's output are shown, the next character waits behind gdb's
 * `--Type <RET> for more, q to quit, c to continue without paging--`. The
 * answer is a line: RET shows a page more, `c` the rest of this command's
 * output, `q` drops it and quits the command (gdb's `Quit`). Output that
 * comes while it waits (the program's, errors) is held too, so the order is
 * kept. Each command starts counting afresh (reset()).
 */
export const PAGER_PROMPT = '--Type <RET> for more, q to quit, c to continue without paging--';

export interface PagerHost<T> {
  /** Lines per page (undefined: unlimited) and whether paging is on, read at each write. */
  height(): number | undefined;
  enabled(): boolean;
  /** Show the pager's prompt and read the line typed (undefined: input ended). */
  readLine(prompt: string): Promise<string | undefined>;
  /** `q`: say gdb's `Quit` and quit the command that prints. */
  quit(): void;
  /** Show (part of) an output item. */
  show(item: T, text: string): void;
}

export class Pager<T> {
  private lines = 0;
  /** This command's output is shown without paging (`c`) or dropped (`q`). */
  private mode: 'page' | 'all' | 'drop' = 'page';
  private held: Array<[T, string, boolean]> = [];
  private waiting: Promise<void> | undefined;

  constructor(private readonly host: PagerHost<T>) {}

  /** A new command: count its lines from the top. */
  reset(): void {
    this.lines = 0;
    this.mode = 'page';
  }

  /** Resolves once nothing waits behind the prompt (the next prompt may show). */
  async settled(): Promise<void> {
    while (this.waiting) await this.waiting;
  }

  /** An output item; `paged`: counted and paged (the console's standard output), else only kept in order. */
  write(item: T, text: string, paged: boolean): void {
    if (this.waiting) { this.held.push([item, text, paged]); return; }
    if (this.mode === 'drop') {
      // (the command's own `Quit` when it saw the interrupt: said already)
      if (!paged && text !== 'Quit\n') this.host.show(item, text);
      return;
    }
    const height = this.host.height();
    if (!paged || this.mode === 'all' || !this.host.enabled() || height === undefined || height <= 1) {
      this.host.show(item, text);
      return;
    }
    for (let i = 0; i < text.length; i++) {
      if (this.lines >= height - 1) {
        if (i > 0) this.host.show(item, text.slice(0, i));
        this.held.push([item, text.slice(i), paged]);
        this.waiting = this.ask();
        return;
      }
      if (text[i] === '\n') this.lines++;
    }
    this.host.show(item, text);
  }

  private async ask(): Promise<void> {
    const answer = (await this.host.readLine(PAGER_PROMPT))?.trim();
    this.lines = 0;
    if (answer === 'q' || answer === undefined) {
      this.mode = 'drop';
      this.host.quit();
    } else if (answer === 'c') {
      this.mode = 'all';
    }
    const held = this.held;
    this.held = [];
    this.waiting = undefined;
    for (const [item, text, paged] of held) this.write(item, text, paged);
  }
}
