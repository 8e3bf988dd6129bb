/** The `Checking 1234/10000 files…` line on a terminal's stderr during long runs. */

export interface Progress {
  update(done: number): void;
  /** Clears the line if it was shown. */
  finish(): void;
}

export interface ProgressOptions {
  stream: { write(text: string): unknown };
  total: number;
  now?: () => number;
}

/** Quiet for the first second, then redrawn at most ten times a second. */
const DELAY_MS = 1000;
const INTERVAL_MS = 100;
const CLEAR_LINE = '\r\x1b[2K';

export function createProgress({ stream, total, now = Date.now }: ProgressOptions): Progress {
  const start = now();
  let drawnAt: number | null = null;
  return {
    update(done) {
      const time = now();
      if (time - start < DELAY_MS || (drawnAt !== null && time - drawnAt < INTERVAL_MS)) return;
      drawnAt = time;
      stream.write(`${CLEAR_LINE}Checking ${done}/${total} files…`);
    },
    finish() {
      if (drawnAt !== null) stream.write(CLEAR_LINE);
    },
  };
}

export const silentProgress: Progress = { update() {}, finish() {} };
