/**
 * The index workers' old generation, with V8's real flags (heap.test.ts
 * checks which flags are set, this file what they do): a worker made
 * while indexing holds a domain's worth of objects without a full
 * collection, one made afterwards collects as V8 does by default.
 */
import { once } from 'node:events';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { INDEX_WORKER_LIMITS, INDEX_WORKER_OLD_SPACE_MB, whileIndexing } from './heap';

/** Keeps ~`mb` MB of small objects alive, as a worker holding snapshots does, and answers with its full collections. */
const PROBE = `
const { PerformanceObserver, constants } = require('node:perf_hooks');
const { parentPort, workerData } = require('node:worker_threads');
let majors = 0;
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) if (entry.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
});
observer.observe({ entryTypes: ['gc'] });
const kept = [];
// ~100 bytes an entry: an object, a string and a one-element array.
for (let i = 0; i < workerData.mb * 10_000; i++) kept.push({ n: i, name: 'rate ' + i, spans: [i] });
// GC entries are delivered after the task that collected.
setTimeout(() => parentPort.postMessage({ majors, kept: kept.length }), 100);
`;

async function fullCollections(mb: number): Promise<number> {
  const worker = new Worker(PROBE, { eval: true, workerData: { mb }, resourceLimits: INDEX_WORKER_LIMITS });
  try {
    const [answer] = (await once(worker, 'message')) as [{ majors: number; kept: number }];
    expect(answer.kept).toBe(mb * 10_000);
    return answer.majors;
  } finally {
    await worker.terminate();
  }
}

describe('index workers’ old generation', () => {
  it('is first collected near 96 MB for workers made while indexing, and as V8 does for the others', async () => {
    // Half of it: a 500-file domain's snapshots are ~40 MB.
    const mb = INDEX_WORKER_OLD_SPACE_MB / 2;
    expect(await whileIndexing(() => fullCollections(mb), false, [])).toBe(0);
    expect(await fullCollections(mb)).toBeGreaterThan(0);
  }, 30_000);
});
