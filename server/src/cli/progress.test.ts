import { describe, expect, it } from 'vitest';
import { createProgress } from './progress';

function run(steps: [time: number, done: number][]) {
  let time = 0;
  let written = '';
  const progress = createProgress({ stream: { write: (t: string) => (written += t) }, total: 10, now: () => time });
  for (const [at, done] of steps) {
    time = at;
    progress.update(done);
  }
  progress.finish();
  return written;
}

describe('createProgress', () => {
  it('stays silent on runs shorter than a second, and then clears nothing', () => {
    expect(run([[100, 1], [500, 5], [999, 10]])).toBe('');
  });

  it('redraws the line in place at most every 100 ms after the first second, then clears it', () => {
    expect(run([[500, 1], [1000, 2], [1050, 3], [1100, 4], [1150, 5], [1300, 10]])).toBe(
      '\r\x1b[2KChecking 2/10 files…' + '\r\x1b[2KChecking 4/10 files…' + '\r\x1b[2KChecking 10/10 files…' + '\r\x1b[2K',
    );
  });
});
