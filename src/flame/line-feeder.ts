// The contract between the folded stream reader and its two line parsers (pure JS and native).

/** Adds lines of folded stacks to a tree, as fast as it can, handing back the lines it does not accept. */
export interface LineFeeder {
  /**
   * Adds the lines of `buf[from, to)` (each ended by `\n`, the last possibly by `to`) until one is malformed,
   * overlong or otherwise not for the fast path; returns that line's start, or `to` when all were added.
   * Counts the lines read (blank ones too) and the stacks added into the summary it was made with.
   */
  feed(buf: Buffer, from: number, to: number): number;
  /** Adds one stack the slow parser accepted, in input order. */
  addStack(frames: readonly string[], kernel: readonly boolean[], count: number): void;
  /** Ends the input; the tree is complete after this. */
  finish(): void;
}

/** What a feeder counts. */
export interface FeedCounts {
  lines: number;
  stacks: number;
}
