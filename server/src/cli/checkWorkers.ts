/**
 * `kos check` of many files on worker threads, parse and checks both.
 *
 * Each worker parses the files it is handed and keeps the snapshots. Files
 * are handed out by domain (guessed from the path and the front matter), so
 * that a domain's documents mostly end up in one worker, which then runs
 * that domain's checks; the main thread never holds a snapshot. Only
 * documents parsed away from their domain's worker travel between workers:
 * those a free worker took from the other's queue near the end (so that
 * neither idles) and those whose front matter names a domain the guess
 * missed. Checks are per (tenant, domain), so the findings are those of one
 * `Workspace` over every file, in the same order (`compareFindings`).
 */
import { Worker, type ResourceLimits } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { domainOf, type DocumentSnapshot } from '../core/document';
import type { Finding } from '../core/model';
import { compareFindings, Workspace } from '../core/workspace';
import type { Analysis, AnalyseOptions } from './analyse';
import { relativePath, type Skip } from './files';
import { parseSafely } from './parse';
import type { SourceFile } from './sources';

const CHECK_WORKER = 'kos-check-worker';

/** Files per parse request: big enough to keep messages few, small enough to balance the tail. */
const BATCH = 8;

type Request =
  | { op: 'parse'; files: { index: number; uri: string; text: string }[] }
  | { op: 'take'; indexes: number[] }
  | { op: 'give'; snapshots: [number, DocumentSnapshot][] }
  | { op: 'check' };

type Parsed = { index: number; domain: string } | { index: number; error: string };

interface WorkerSettings {
  kind: typeof CHECK_WORKER;
  tenant?: string;
  cwd: string;
}

export function isCheckWorker(data: unknown): boolean {
  return (data as WorkerSettings | null)?.kind === CHECK_WORKER;
}

export async function checkInWorkers(sources: SourceFile[], options: AnalyseOptions): Promise<Analysis> {
  const jobs = Math.max(1, Math.min(options.jobs, sources.length));
  const settings: WorkerSettings = { kind: CHECK_WORKER, tenant: options.tenant, cwd: options.cwd };
  // In the esbuild bundle `__filename` is `dist/cli.js`, which serves check requests when started like this.
  const workers = Array.from({ length: jobs }, () => new RequestWorker<Request>(__filename, settings));
  try {
    const queues = queuesByDomain(
      sources.map((source) => guessDomain(source)),
      sources.map((source) => source.text.length),
      jobs,
    );
    const holder = new Int32Array(sources.length).fill(-1);
    const domains: (string | undefined)[] = new Array(sources.length);
    const skipped: [number, Skip][] = [];
    let parsed = 0;
    const work = async (w: number) => {
      for (;;) {
        const batch = nextBatch(queues, w);
        if (batch.length === 0) return;
        const files = batch.map((index) => ({ index, uri: sources[index].uri, text: sources[index].text }));
        for (const outcome of await workers[w].request<Parsed[]>({ op: 'parse', files })) {
          if ('error' in outcome) skipped.push([outcome.index, { path: sources[outcome.index].path, reason: `the parser failed: ${outcome.error}` }]);
          else {
            holder[outcome.index] = w;
            domains[outcome.index] = outcome.domain;
          }
        }
        parsed += batch.length;
        options.onProgress(parsed);
      }
    };
    await Promise.all(workers.map((_, w) => work(w)));
    await gatherDomains(workers, holder, domains);
    const found = await Promise.all(workers.map((worker) => worker.request<Finding[]>({ op: 'check' })));
    return { findings: found.flat().sort(compareFindings), skipped: skipped.sort((a, b) => a[0] - b[0]).map(([, skip]) => skip) };
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/** One queue of file indexes per worker: whole guessed domains, largest first onto the least loaded worker. */
export function queuesByDomain(guesses: readonly string[], sizes: readonly number[], jobs: number): number[][] {
  const byDomain = new Map<string, { files: number[]; size: number }>();
  guesses.forEach((domain, index) => {
    let group = byDomain.get(domain);
    if (!group) byDomain.set(domain, (group = { files: [], size: 0 }));
    group.files.push(index);
    group.size += sizes[index];
  });
  const queues: number[][] = Array.from({ length: jobs }, () => []);
  const load = new Array<number>(jobs).fill(0);
  for (const group of [...byDomain.values()].sort((a, b) => b.size - a.size)) {
    const w = load.indexOf(Math.min(...load));
    queues[w].push(...group.files);
    load[w] += group.size;
  }
  for (const queue of queues) queue.sort((a, b) => a - b);
  return queues;
}

/** The domain a file will most likely have: front matter `domain:` if it is plainly there, else the path's. */
export function guessDomain(source: { uri: string; text: string }): string {
  const frontMatter = /^---\r?\n([\s\S]{0,4000}?)\r?\n---/.exec(source.text);
  const declared = frontMatter && /^domain:[ \t]*(['"]?)([^\r\n]*?)\1[ \t]*$/m.exec(frontMatter[1]);
  return domainOf(source.uri, declared ? { domain: declared[2] } : null);
}

/** The next files for worker `w`: from the head of its own queue, else from the tail of the longest other queue. */
export function nextBatch(queues: number[][], w: number, size = BATCH): number[] {
  if (queues[w].length > 0) return queues[w].splice(0, size);
  let longest = -1;
  for (let v = 0; v < queues.length; v++) if (queues[v].length > 0 && (longest === -1 || queues[v].length > queues[longest].length)) longest = v;
  if (longest === -1) return [];
  // Take a smaller bite than from one's own queue: the owner is still working through it.
  const queue = queues[longest];
  return queue.splice(Math.max(0, queue.length - Math.ceil(size / 2)));
}

/** Moves every snapshot to the worker that holds most of its domain's documents. */
async function gatherDomains(workers: RequestWorker<Request>[], holder: Int32Array, domains: (string | undefined)[]): Promise<void> {
  const counts = new Map<string, number[]>();
  domains.forEach((domain, index) => {
    if (domain === undefined) return;
    let perWorker = counts.get(domain);
    if (!perWorker) counts.set(domain, (perWorker = new Array<number>(workers.length).fill(0)));
    perWorker[holder[index]]++;
  });
  const owner = new Map([...counts].map(([domain, perWorker]) => [domain, perWorker.indexOf(Math.max(...perWorker))]));
  /** moves[from][to]: indexes to carry. */
  const moves = workers.map(() => workers.map((): number[] => []));
  domains.forEach((domain, index) => {
    if (domain === undefined) return;
    const to = owner.get(domain)!;
    if (holder[index] !== to) moves[holder[index]][to].push(index);
  });
  await Promise.all(
    moves.flatMap((row, from) =>
      row.map(async (indexes, to) => {
        if (indexes.length === 0) return;
        const snapshots = await workers[from].request<[number, DocumentSnapshot][]>({ op: 'take', indexes });
        await workers[to].request({ op: 'give', snapshots });
      }),
    ),
  );
}

/** A worker thread answering one request at a time, in order. */
export class RequestWorker<Request = unknown> {
  private readonly worker: Worker;
  private readonly waiting: { resolve: (value: unknown) => void; reject: (error: Error) => void }[] = [];
  private failure: Error | null = null;

  constructor(script: string, settings: unknown, limits?: ResourceLimits) {
    this.worker = new Worker(script, { workerData: settings, resourceLimits: limits });
    this.worker.on('message', (value: unknown) => this.waiting.shift()?.resolve(value));
    this.worker.on('error', (error) => this.fail(error));
    this.worker.on('exit', (code) => this.fail(new Error(`a worker thread stopped early (exit code ${code})`)));
  }

  /** Sends `message` (moving the buffers in `transfer` to the worker) and resolves with the answer. */
  request<R>(message: Request, transfer?: ArrayBuffer[]): Promise<R> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<R>((resolve, reject) => {
      this.waiting.push({ resolve: resolve as (value: unknown) => void, reject });
      this.worker.postMessage(message, transfer);
    });
  }

  /** The limits of the worker's heap in effect (empty once it stopped). */
  get resourceLimits(): ResourceLimits {
    return this.worker.resourceLimits ?? {};
  }

  async stop(): Promise<void> {
    this.failure ??= new Error('the worker was stopped');
    await this.worker.terminate();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.waiting.splice(0)) waiter.reject(error);
  }
}

/** The worker's side: keep parsed snapshots, hand them over on request, check what it holds. */
export function serveCheckRequests(port: { on(event: 'message', listener: (message: Request) => void): void; postMessage(value: unknown): void }, settings: WorkerSettings): void {
  const snapshots = new Map<number, DocumentSnapshot>();
  port.on('message', (message) => {
    switch (message.op) {
      case 'parse':
        return port.postMessage(
          message.files.map(({ index, uri, text }): Parsed => {
            // Only checked: no values read from prose nor rules' normalised forms (`ExtractDetail`).
            const outcome = parseSafely({ uri, text }, 'checks');
            if ('error' in outcome) return { index, error: outcome.error };
            snapshots.set(index, outcome.snapshot);
            return { index, domain: outcome.snapshot.domain };
          }),
        );
      case 'take': {
        const taken = message.indexes.map((index): [number, DocumentSnapshot] => [index, snapshots.get(index)!]);
        for (const index of message.indexes) snapshots.delete(index);
        return port.postMessage(taken);
      }
      case 'give':
        for (const [index, snapshot] of message.snapshots) snapshots.set(index, snapshot);
        return port.postMessage(null);
      case 'check': {
        const workspace = new Workspace({ tenant: settings.tenant, displayName: (uri) => relativePath(settings.cwd, fileURLToPath(uri)), keepState: () => false });
        // In file order, like the single-threaded check.
        for (const index of [...snapshots.keys()].sort((a, b) => a - b)) workspace.upsert(snapshots.get(index)!);
        return port.postMessage(workspace.findings());
      }
    }
  });
}
