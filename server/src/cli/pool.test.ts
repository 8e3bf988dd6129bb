import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runInWorkers } from './pool';
import { tempTree } from './testing';

// The pool's protocol in plain JavaScript (the TypeScript side, `serveTasks`, runs in the bundle).
const root = tempTree({
  'double.mjs': `import { parentPort, workerData } from 'node:worker_threads';
parentPort.on('message', ({ id, task }) => {
  // Answer out of order: later tasks often finish first.
  setTimeout(() => parentPort.postMessage({ id, result: { value: task * workerData.factor } }), (7 * task) % 5);
});`,
  'crash.mjs': `import { parentPort } from 'node:worker_threads';
parentPort.on('message', () => { throw new Error('boom'); });`,
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('runInWorkers', () => {
  it('returns results in task order, reporting each completion', async () => {
    const tasks = Array.from({ length: 40 }, (_, i) => i);
    const done: number[] = [];
    const results = await runInWorkers<number, { value: number }>(tasks, {
      script: path.join(root, 'double.mjs'),
      workerData: { factor: 2 },
      jobs: 3,
      onResult: (n) => done.push(n),
    });
    expect(results.map((r) => r.value)).toEqual(tasks.map((t) => t * 2));
    expect(done).toEqual(tasks.map((t) => t + 1));
  });

  it('decodes what workers send, and holds no result when told not to collect them', async () => {
    const seen: number[] = [];
    const results = await runInWorkers<number, number>([1, 2, 3], {
      script: path.join(root, 'double.mjs'),
      workerData: { factor: 10 },
      jobs: 2,
      decode: (sent) => (sent as { value: number }).value + 1,
      onResult: (_n, index, result) => (seen[index] = result as number),
      collect: false,
    });
    expect(seen).toEqual([11, 21, 31]);
    expect(results.filter((r) => r !== undefined)).toEqual([]);
  });

  it('starts no worker for no tasks', async () => {
    expect(await runInWorkers([], { script: path.join(root, 'missing.mjs'), workerData: null, jobs: 4 })).toEqual([]);
  });

  it('rejects when a worker fails', async () => {
    await expect(
      runInWorkers([1, 2, 3], { script: path.join(root, 'crash.mjs'), workerData: null, jobs: 2 }),
    ).rejects.toThrow('boom');
  });
});
