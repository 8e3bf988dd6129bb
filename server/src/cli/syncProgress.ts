/** The `Writing 12/40 documents…` line of `kos sync` on a terminal's stderr: quiet for a second, then redrawn at most ten times a second. */
import type { OutputStream } from './io';

export interface PhaseProgress {
  update(phase: string, done: number, total: number): void;
  finish(): void;
}

const DELAY_MS = 1000;
const INTERVAL_MS = 100;
const CLEAR_LINE = '\r\x1b[2K';

export function createPhaseProgress(stream: OutputStream, now: () => number = Date.now): PhaseProgress {
  const start = now();
  let drawnAt: number | null = null;
  return {
    update(phase, done, total) {
      const time = now();
      if (time - start < DELAY_MS || (drawnAt !== null && time - drawnAt < INTERVAL_MS && done < total)) return;
      drawnAt = time;
      stream.write(`${CLEAR_LINE}${phase} ${done}/${total} documents…`);
    },
    finish() {
      if (drawnAt !== null) stream.write(CLEAR_LINE);
    },
  };
}

export const silentPhaseProgress: PhaseProgress = { update() {}, finish() {} };
