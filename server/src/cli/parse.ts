/**
 * Parsing documents, in this thread or in worker threads. The worker is the
 * CLI bundle itself (`dist/cli.js`) started with `workerData` marking it as a
 * parse worker; see `main.ts`.
 */
import { parseDocument, type DocumentSnapshot } from '../core/document';
import { runInWorkers, serveTasks } from './pool';

export type ParseOutcome = { snapshot: DocumentSnapshot } | { error: string };

export interface ParseTask {
  uri: string;
  text: string;
}

const PARSE_WORKER = 'kos-parse-worker';

/** Parsing never fails by contract; if it does anyway, that file is skipped, not the run. */
export function parseSafely({ uri, text }: ParseTask): ParseOutcome {
  try {
    return { snapshot: parseDocument(uri, text) };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

export function parseHere(tasks: ParseTask[], onProgress: (done: number) => void): ParseOutcome[] {
  return tasks.map((task, i) => {
    const outcome = parseSafely(task);
    onProgress(i + 1);
    return outcome;
  });
}

/** `onOutcome` sees each outcome as it arrives (with its task's index), before the whole run ends. */
export function parseInWorkers(
  tasks: ParseTask[],
  jobs: number,
  onOutcome: (done: number, index: number, outcome: ParseOutcome) => void,
): Promise<ParseOutcome[]> {
  // In the esbuild bundle `__filename` is `dist/cli.js`, which serves parse requests when started as below.
  return runInWorkers(tasks, {
    script: __filename,
    workerData: PARSE_WORKER,
    jobs,
    onResult: (done, index, result) => onOutcome(done, index, result as ParseOutcome),
  });
}

export function isParseWorker(workerData: unknown): boolean {
  return workerData === PARSE_WORKER;
}

export function serveParseRequests(): void {
  serveTasks(parseSafely);
}
