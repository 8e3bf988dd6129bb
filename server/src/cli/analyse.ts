/** From read sources to findings: parse, index, check (on worker threads for large runs, see `checkWorkers.ts`). */
import type { Finding } from '../core/model';
import { Workspace } from '../core/workspace';
import { fileURLToPath } from 'node:url';
import { relativePath, type Skip } from './files';
import { checkInWorkers } from './checkWorkers';
import { parseHere } from './parse';
import type { SourceFile } from './sources';

export interface AnalyseOptions {
  tenant?: string;
  /** Paths in messages are relative to this folder. */
  cwd: string;
  /** Worker threads allowed; 1 parses in this thread. */
  jobs: number;
  /** Called with the number of files parsed so far. */
  onProgress: (parsed: number) => void;
}

export interface Analysis {
  findings: Finding[];
  /** Files the parser gave up on. */
  skipped: Skip[];
}

export type Analyse = (sources: SourceFile[], options: AnalyseOptions) => Promise<Analysis>;

/** Below this many files, starting workers costs more than it saves. */
const PARALLEL_THRESHOLD = 200;

export const analyseSources: Analyse = async (sources, options) => {
  const { tenant, cwd, jobs, onProgress } = options;
  if (jobs > 1 && sources.length > PARALLEL_THRESHOLD) return checkInWorkers(sources, options);
  const outcomes = parseHere(sources, onProgress);
  const workspace = new Workspace({ tenant, displayName: (uri) => relativePath(cwd, fileURLToPath(uri)), keepState: () => false });
  const skipped: Skip[] = [];
  // Upserted in file order whichever thread parsed them, so findings never depend on timing.
  outcomes.forEach((outcome, i) => {
    if ('snapshot' in outcome) workspace.upsert(outcome.snapshot);
    else skipped.push({ path: sources[i].path, reason: `the parser failed: ${outcome.error}` });
  });
  return { findings: workspace.findings(), skipped };
};
