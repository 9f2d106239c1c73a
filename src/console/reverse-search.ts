/**
 * readline's Ctrl-R (reverse-i-search) over the command history, as a state
 * the line editor drives: each key typed narrows the search, Ctrl-R again
 * finds the next older match, the prompt reads as GNU readline's
 * (`(reverse-i-search)`QUERY': `, `(failed reverse-i-search)...` when nothing matches).
 */
export class ReverseSearch {
  query = '';
  /** Index of the match in entries (newest first), or -1. */
  private at = -1;
  private failed = false;

  /** `entries`: newest first (readline's order). `original`: the line being edited when the search began. */
  constructor(private readonly entries: readonly string[], readonly original: string) {}

  get match(): string | undefined {
    return this.at >= 0 ? this.entries[this.at] : undefined;
  }

  /** What the line shows while searching: the match, or the line searched from. */
  get line(): string {
    return this.match ?? this.original;
  }

  /** Where the cursor sits in the line: at the query inside the match. */
  get cursor(): number {
    const m = this.match;
    if (m === undefined) return this.original.length;
    const i = m.indexOf(this.query);
    return i < 0 ? 0 : i;
  }

  get prompt(): string {
    return `(${this.failed ? 'failed ' : ''}reverse-i-search)\`${this.query}': `;
  }

  /** A character typed: the newest match at or before the current one. */
  type(text: string): void {
    this.query += text;
    this.find(Math.max(this.at, 0));
  }

  /** Backspace: a shorter query, searched again from the newest entry. */
  erase(): void {
    this.query = this.query.slice(0, -1);
    this.at = -1;
    this.failed = false;
    if (this.query) this.find(0);
  }

  /** Ctrl-R again: the next older match. */
  again(): void {
    if (!this.query) return;
    this.find(this.at + 1);
  }

  private find(from: number): void {
    for (let i = from; i < this.entries.length; i++) {
      if (this.entries[i]!.includes(this.query)) {
        this.at = i;
        this.failed = false;
        return;
      }
    }
    this.failed = true;   // the last match stays shown, as readline's does
  }
}
