/**
 * One operation at a time: the core runs console lines and structured calls
 * in the order they come, each after the previous one has ended (whether it
 * succeeded or failed). Ctrl-C (interrupt) does not queue: it reaches the
 * running operation at once.
 */
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();
  private depth = 0;

  /** Operations queued or running. */
  get pending(): number {
    return this.depth;
  }

  run<T>(fn: () => Promise<T>): Promise<T> {
    this.depth++;
    const result = this.tail.then(fn);
    // the next operation waits for this one's end, not for its success
    this.tail = result.then(() => undefined, () => undefined).finally(() => { this.depth--; });
    return result;
  }
}
