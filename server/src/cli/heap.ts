/**
 * How far V8 lets a heap grow past what survived its last full collection.
 * By default it grows by up to 4× when the program allocates fast — and
 * parsing and checking a workspace allocate ~400 bytes per byte of text, so
 * the index workers' heaps grew to several times what they hold (a cold
 * index of 10,000 files / 52 MB peaked at ~1,800 MiB). Growing by 60% at
 * most peaked at ~980 MiB in the same time (40%: no lower peak, slower).
 * Set at run time, for the whole process (workers included), so that every
 * editor's `kos lsp` has it without node flags; a `--heap-growing-percent`
 * given to node wins.
 */
import { setFlagsFromString } from 'node:v8';

export const HEAP_GROWING_PERCENT = 60;

export function limitHeapGrowth(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((a) => /^--heap[-_]growing[-_]percent\b/.test(a))) return;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
