/**
 * The language server's V8 settings, set at run time for the whole process
 * (workers included), so that every editor's `kos lsp` has them without
 * node flags; a flag given to node wins.
 *
 * - How far V8 lets a heap grow past what survived its last full
 *   collection. By default it grows by up to 4× when the program allocates
 *   fast — and parsing and checking a workspace allocate ~400 bytes per
 *   byte of text, so the index workers' heaps grew to several times what
 *   they hold (a cold index of 10,000 files / 52 MB peaked at ~1,800 MiB).
 *   Growing by 60% at most peaked at ~980 MiB in the same time (40% then:
 *   no lower peak, slower). Since the workers hold less, 40% while they
 *   run lowers the peak (`INDEXING_HEAP_GROWING_PERCENT`).
 * - How much TurboFan inlines (`MAX_INLINED_BYTECODE_CUMULATIVE`).
 * - While index workers keep every core busy, scavenges on the collecting
 *   thread alone. A parallel scavenge hands work to helper threads, which
 *   only pays off with a core to spare: while two index workers keep both
 *   cores busy, each of their ~700 scavenges per cold index waited on
 *   helpers competing with the other worker (median of four interleaved
 *   cold indexes of 10,000 files: 26.7 s with parallel scavenges, 24.9 s
 *   without). Once they are done the server's thread has the cores to
 *   itself, and parallel scavenges are back (a warm start, which runs no
 *   worker: 2.0 s with them, 2.1 s without).
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

/**
 * While index workers run, heap growth bounded at 40% instead of 60%: a
 * worker holds a domain's snapshots until its check (~60 MiB alive at most
 * for a 500-file domain) and collects a small heap cheaply, and the server's
 * thread only adds what documents keep at rest. Once they are done the
 * server's thread collects less often again while the user types.
 */
export const INDEXING_HEAP_GROWING_PERCENT = 40;

/**
 * TurboFan inlines at most this many bytecode bytes into one function (V8's
 * default is 920). Each of the three isolates of a cold index (the server's
 * thread and two index workers) optimizes the same parser and checks on its
 * own, and with V8's default the compile jobs kept recompiling large
 * inlined bodies throughout: ~13 s of the ~50 s of CPU a cold index of
 * 10,000 files takes on two cores went to the compiler and collector threads,
 * competing with the workers. With 150 a worker's own code was no slower.
 */
export const MAX_INLINED_BYTECODE_CUMULATIVE = 150;

/** The language server's V8 settings (`kos lsp`), unless node was given its own. */
export function tuneGarbageCollection(execArgv: readonly string[] = process.execArgv): void {
  if (!given(execArgv, 'heap-growing-percent')) setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  if (!given(execArgv, 'max-inlined-bytecode-size-cumulative')) setFlagsFromString(`--max-inlined-bytecode-size-cumulative=${MAX_INLINED_BYTECODE_CUMULATIVE}`);
}

/**
 * Where the old generation of an index worker is first collected: 96 MB
 * (V8 starts a heap's at a few MB, and collects it again each time it grows
 * 40% past what survived). A worker's old generation fills with the
 * snapshots of the domain it parses, all alive until the domain is
 * checked: collected as it grew, a 500-file domain cost four full
 * collections, each marking the snapshots parsed so far, ~35 per worker
 * in a cold index of 10,000 files, and their concurrent marking kept the
 * platform threads busy while both cores were. At 96 MB a worker collects
 * about once a domain, most often once the domain it held was let go of.
 * Set for every isolate made while the flag is (the workers are made
 * while indexing; the server's thread was made before). Cold indexes of
 * 10,000 files, interleaved: see docs/benchmarks.md.
 */
export const INDEX_WORKER_OLD_SPACE_MB = 96;

/** A V8 flag set while index workers run, and what it is once they are done. */
interface Tuning {
  name: string;
  during: string;
  after: string;
  /** Only while the workers keep every core busy. */
  busyOnly: boolean;
}

const TUNINGS: Tuning[] = [
  { name: 'heap-growing-percent', during: `--heap-growing-percent=${INDEXING_HEAP_GROWING_PERCENT}`, after: `--heap-growing-percent=${HEAP_GROWING_PERCENT}`, busyOnly: false },
  { name: 'parallel-scavenge', during: '--no-parallel-scavenge', after: '--parallel-scavenge', busyOnly: true },
  // 0: V8's own figure (isolates made later, `kos check`'s workers among them, start small again).
  { name: 'initial-old-space-size', during: `--initial-old-space-size=${INDEX_WORKER_OLD_SPACE_MB}`, after: '--initial-old-space-size=0', busyOnly: false },
];

const active = new Map<Tuning, number>();

/**
 * Runs `work`, which keeps index workers busy, with the tunings above
 * (`busy`: the workers fill every core). Runs may overlap: each tuning is
 * undone when the last run that set it ends, failed or not.
 */
export async function whileIndexing<T>(work: () => Promise<T>, busy: boolean, execArgv: readonly string[] = process.execArgv): Promise<T> {
  const tunings = TUNINGS.filter((t) => (busy || !t.busyOnly) && !given(execArgv, t.name));
  for (const t of tunings) {
    const n = active.get(t) ?? 0;
    if (n === 0) setFlagsFromString(t.during);
    active.set(t, n + 1);
  }
  try {
    return await work();
  } finally {
    for (const t of tunings) {
      const n = active.get(t)! - 1;
      active.set(t, n);
      if (n === 0) setFlagsFromString(t.after);
    }
  }
}

/** Whether node was started with the flag `name` (or its `--no-` form; dashes or underscores). */
function given(execArgv: readonly string[], name: string): boolean {
  const pattern = new RegExp(`^--(no-)?${name.replace(/-/g, '[-_]')}\\b`);
  return execArgv.some((a) => pattern.test(a));
}
