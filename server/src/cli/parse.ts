/**
 * Parsing documents, in this thread or in worker threads. The worker is the
 * CLI bundle itself (`dist/cli.js`) started with `workerData` marking it as a
 * parse worker; see `main.ts`.
 */
import { parseDocument, type DocumentSnapshot } from '../core/document';
import type { ExtractDetail } from '../core/extract';
import { runInWorkers, serveTasks } from './pool';

export type ParseOutcome = { snapshot: DocumentSnapshot } | { error: string };

export interface ParseTask {
  uri: string;
  text: string;
}

const PARSE_WORKER = 'kos-parse-worker';

/** Parsing never fails by contract; if it does anyway, that file is skipped, not the run. */
export function parseSafely({ uri, text }: ParseTask, detail: ExtractDetail = 'full'): ParseOutcome {
  try {
    return { snapshot: parseDocument(uri, text, 0, detail) };
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

/**
 * How a worker sends an outcome: a snapshot as JSON text when JSON keeps it
 * exactly (plain objects and arrays, strings, booleans, null and finite
 * numbers other than -0), else as it is. This thread parses JSON in about
 * half the time a structured clone takes to arrive, and into a heap about a
 * quarter smaller (JSON.parse shares the repeated short strings: types,
 * operators, names, ids).
 */
export type SentOutcome = ParseOutcome | { json: string };

export function toSent(outcome: ParseOutcome): SentOutcome {
  if (!('snapshot' in outcome)) return outcome;
  let exact = true;
  const json = JSON.stringify(outcome.snapshot, function (this: Record<string, unknown>, key, value: unknown) {
    // The holder's own value: `value` has been through `toJSON` already (a Date arrives as a string).
    if (this[key] !== value) exact = false;
    else if (typeof value === 'number') {
      if (!Number.isFinite(value) || Object.is(value, -0)) exact = false;
    } else if (value === undefined || typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') {
      exact = false;
    } else if (typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) !== Object.prototype) {
      exact = false;
    }
    return value;
  });
  return exact ? { json } : outcome;
}

export function fromSent(sent: SentOutcome): ParseOutcome {
  return 'json' in sent ? { snapshot: JSON.parse(sent.json) as DocumentSnapshot } : sent;
}

/** `onOutcome` sees each outcome as it arrives (with its task's index), before the whole run ends. */
export function parseInWorkers(tasks: ParseTask[], jobs: number, onOutcome: (done: number, index: number, outcome: ParseOutcome) => void): Promise<ParseOutcome[]> {
  // In the esbuild bundle `__filename` is `dist/cli.js`, which serves parse requests when started as below.
  return runInWorkers(tasks, {
    script: __filename,
    workerData: PARSE_WORKER,
    jobs,
    decode: (sent) => fromSent(sent as SentOutcome),
    onResult: (done, index, result) => onOutcome(done, index, result as ParseOutcome),
  });
}

export function isParseWorker(workerData: unknown): boolean {
  return workerData === PARSE_WORKER;
}

export function serveParseRequests(): void {
  serveTasks((task: ParseTask) => toSent(parseSafely(task)));
}
