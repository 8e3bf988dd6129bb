/**
 * The language server's garbage collection, set at run time for the whole
 * process (workers included), so that every editor's `kos lsp` has it
 * without node flags; a flag given to node wins.
 *
 * - How far V8 lets a heap grow past what survived its last full
 *   collection. By default it grows by up to 4× when the program allocates
 *   fast — and parsing and checking a workspace allocate ~400 bytes per
 *   byte of text, so the index workers' heaps grew to several times what
 *   they hold (a cold index of 10,000 files / 52 MB peaked at ~1,800 MiB).
 *   Growing by 60% at most peaked at ~980 MiB in the same time (40%: no
 *   lower peak, slower).
 * - While index workers run, scavenges on the collecting thread alone. A
 *   parallel scavenge hands work to helper threads, which only pays off
 *   with a core to spare: while two index workers keep both cores busy,
 *   each of their ~700 scavenges per cold index waited on helpers competing
 *   with the other worker (median of four interleaved cold indexes of
 *   10,000 files: 26.7 s with parallel scavenges, 24.9 s without). Once
 *   they are done the server's thread has the cores to itself, and parallel
 *   scavenges are back (a warm start, which runs no worker: 2.0 s with
 *   them, 2.1 s without).
 */
import { setFlagsFromString } from 'node:v8';
import type { ResourceLimits } from 'node:worker_threads';

export const HEAP_GROWING_PERCENT = 60;

/**
 * The language server's index workers' young generation: 12 MB (two 4 MB
 * semi-spaces) instead of V8's 48 MB (two 16 MB semi-spaces, which a
 * worker's parsing fills at once). What survives a worker's scavenges is
 * the domain's snapshots it holds until the check, and a larger nursery
 * lets little more of the parse die young. Cold indexes of 10,000 files,
 * interleaved, medians of three (docs/benchmarks.md): V8's 656 MiB peak
 * (VmHWM) in 15.0 s, 16 MB 605 MiB in 15.5 s, 12 MB 580 MiB in 16.9 s,
 * 8 MB 580 MiB in 17.0 s; with the workers holding less (later), 20 MB
 * 584 MiB in 16.1 s, 16 MB 592 MiB in 16.3 s, 12 MB 535 MiB in 17.5 s.
 */
export const INDEX_WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 12 };

export function tuneGarbageCollection(execArgv: readonly string[] = process.execArgv): void {
  if (!execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}

let busy = 0;

/** Runs `work` (which keeps worker threads busy on every core) with scavenges on one thread. */
export async function withBusyWorkers<T>(work: () => Promise<T>, execArgv: readonly string[] = process.execArgv): Promise<T> {
  const tune = !execArgv.some((a) => /^--(no-)?parallel[-_]scavenge\b/.test(a));
  if (tune && busy++ === 0) setFlagsFromString('--no-parallel-scavenge');
  try {
    return await work();
  } finally {
    if (tune && --busy === 0) setFlagsFromString('--parallel-scavenge');
  }
}
