/** The index cache's housekeeping (`indexCache.ts`); reading and writing it are tested with the workers (indexWorkers.test.ts). */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { removeOrphans } from '../indexCache';

describe('the index cache', () => {
  it('removes the temporary files of writers that are gone, and only those', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kos-index-cache-'));
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'index-0123.txt');
    // A process that has exited: its pid names no running process now.
    const gone = spawnSync(process.execPath, ['-e', '']).pid!;
    const names = [
      'index-0123.txt',
      `index-0123.txt.${gone}.1.tmp`,
      `index-0123.txt.${process.pid}.7.tmp`,
      `index-4567.txt.${gone}.1.tmp`,
      'index-0123.txt.notes.tmp',
    ];
    for (const name of names) fs.writeFileSync(path.join(dir, name), '');
    await removeOrphans(file);
    expect(fs.readdirSync(dir).sort()).toEqual(names.filter((n) => n !== `index-0123.txt.${gone}.1.tmp`).sort());
  });
});
