/**
 * Indexing a large workspace on worker threads, parse and checks both, so
 * that the server's thread never holds a disk file's snapshot while it
 * indexes (the snapshots are most of the garbage it would collect, and
 * parsing them back from messages most of its work).
 *
 * Files are handed out by domain (guessed from the path and the front
 * matter, as `kos check` hands them out; a free worker takes from the tail
 * of another's queue), with their text or, when the server let go of the
 * text it decoded for the guess, the bytes it read (moved to the worker,
 * which decodes them). A worker parses a file, keeps the snapshot and sends
 * back only what the server keeps of a document at rest: its domain, the
 * names it writes (occurrences), its workspace-symbol entries and its text
 * deflated (`storedText.ts`). Once every
 * file guessed into a domain has been parsed, the worker holding most of
 * them checks the domain (the others hand theirs over first), sends back
 * its findings and lets go of the snapshots. A file whose front matter
 * names another domain than the guess is let go of: the server checks that
 * domain itself (`KnowledgeBase.restDomain` without findings).
 */
import { availableParallelism } from 'node:os';
import type { DocumentSnapshot } from '../core/document';
import type { Finding } from '../core/model';
import { Workspace } from '../core/workspace';
import { nextBatch, queuesByDomain, RequestWorker } from '../cli/checkWorkers';
import { decodeMarkdown } from '../cli/decode';
import { INDEX_WORKER_LIMITS, whileIndexing } from '../cli/heap';
import { fromSent, parseSafely, toSent, type SentOutcome } from '../cli/parse';
import { ENTRIES, ENTRY, entryNumbers, type SymbolTable } from './features/workspaceSymbols';
import { occurrencesOf } from './knowledge';
import { compactInts, joinIds, packIds, packMore, packPlaces, placesOf, SEPARATOR, stringTable, type PackedNames, type PackedStrings } from './names';
import { CheckSnapshots } from './forChecks';
import { deflateText } from './storedText';
import { textHash } from './indexCache';

const INDEX_WORKER = 'kos-index-worker';

/** Files per parse request. */
const BATCH = 8;
/** Parse requests each worker holds at once: it starts the next while the server takes in the last. */
const LANES = 3;

/** A file to index. */
export interface IndexSource {
  uri: string;
  /** The domain guessed from it, and its length: files are handed out by guessed domain. */
  guess: string;
  size: number;
  /**
   * Its text; null when the server let go of it and kept the `bytes` it was
   * decoded from (the worker decodes them), and once it was handed to a
   * worker (the server keeps it deflated, as the worker sends it back).
   */
  text: string | null;
  bytes?: Uint8Array;
}

type Request =
  | { op: 'parse'; files: ({ index: number; uri: string } & ({ text: string } | { bytes: Uint8Array }))[] }
  | { op: 'take'; indexes: number[] }
  | { op: 'drop'; indexes: number[] }
  | { op: 'give'; snapshots: [number, SentOutcome][] }
  | { op: 'check'; tenant: string; indexes: number[] };

/**
 * What a worker sends back for each file of a parse request (a record):
 * what the document keeps at rest, or why the parser failed (`{"error"}`).
 * The index cache keeps records as they are. Two JSON values, a tab between:
 * a head with what the server needs at once (domain, version, the keys of
 * the names the document writes), then a body with the rest, read when
 * first asked for (a warm start reads 10,000 heads, ~15% of the bytes).
 * Compact: every name of the document once (the head's keys, then `t`),
 * every block and molecule id once (`u`), occurrences and symbol entries as
 * runs of numbers (indexes into those), so that reading a record makes few
 * strings and objects besides those the knowledge base keeps.
 */
interface RecordHead {
  /** Domain, version. */
  d: string;
  v: number;
  /** The keys of the names the document writes, each once: strings 0 to k.length - 1. */
  k: string[];
}

interface RecordBody {
  /** The other strings the search reads (symbol entries' lower-case forms): strings k.length on. */
  l: string[];
  /** The rest (names as written, containers), joined with NULs (`PackedStrings.more`). */
  t: string;
  /** Block and molecule ids: the document's own, one per line. */
  u: string;
  /** Per occurrence: as `PackedNames.places`. */
  o: number[];
  /** Per symbol entry: as `SymbolTable.entries` (its strings numbered as the occurrences'). */
  e: number[];
}

type Failure = { error: string };

/**
 * A file of a parse request: its record (a failure's too: why the file was
 * skipped), its text deflated and the hash of its text (`textHash`; null
 * for a failure).
 */
type Parsed = [index: number, record: string, text: Uint8Array | null, hash: string | null];

/** A document's record (see `RecordHead`). */
export function recordOf(doc: DocumentSnapshot): string {
  const t = stringTable();
  const u = stringTable();
  const occurrences = occurrencesOf(doc);
  // The keys first, so that the head holds them alone, then the lower-case forms the search reads.
  for (const o of occurrences) t.id(o.key);
  const keys = t.list.length;
  const { names, entries: e } = entryNumbers(doc);
  for (let i = 0; i < e.length; i += ENTRY) t.id(names[e[i + 1]]);
  const listed = t.list.length;
  const o = placesOf(occurrences, t.id, u.id);
  // The entries' names are numbered in the document's one table.
  for (let i = 0; i < e.length; i += ENTRY) for (let j = i; j < i + 3; j++) e[j] = t.id(names[e[j]]);
  const head: RecordHead = { d: doc.domain, v: doc.version, k: t.list.slice(0, keys) };
  const body: RecordBody = { l: t.list.slice(keys, listed), t: t.list.slice(listed).join(SEPARATOR), u: joinIds(u.list), o, e };
  return `${JSON.stringify(head)}\t${JSON.stringify(body)}`;
}

/** What a document keeps at rest besides its keys: its names and symbol entries (one string table for both). */
export interface RestingNames {
  names: PackedNames;
  /** For `KnowledgeBase.rest`: what features keep derived from the document. */
  derived: [object, unknown][];
}

/** A file parsed in a worker, as the server keeps it at rest. */
export interface IndexedFile {
  index: number;
  domain: string;
  version: number;
  /** The keys of the names it writes, each once: the first `keyCount` of `keys` (`load` appends the rest of its strings). */
  keys: readonly string[];
  keyCount: number;
  /** Its names and symbol entries, read from the record's body (once: the knowledge base keeps them). */
  load: () => RestingNames;
}

/** A record read in two parts (the index cache's): its head as text, its body when asked for (null for a failure record, whole in `head`). */
export interface SplitRecord {
  head: string;
  body: (() => string) | null;
}

/**
 * What a record says of a document, for `KnowledgeBase.rest`: its head at
 * once, its body when `load` is called (at once too when `eager`). Each
 * string is one string however often the document writes it (not shared
 * with other documents: looking every name up in a table cost more time
 * than it saved memory).
 */
export function restingOf(record: string | SplitRecord, eager = false): Omit<IndexedFile, 'index'> | Failure {
  const split = typeof record === 'string' ? splitRecord(record) : record;
  if (split.body === null) {
    const failure = JSON.parse(split.head) as Partial<Failure>;
    return { error: typeof failure.error === 'string' ? failure.error : 'an unreadable record' };
  }
  const head = JSON.parse(split.head) as RecordHead;
  let body: (() => string) | null = split.body;
  let loaded: RestingNames | null = null;
  const load = (): RestingNames => {
    if (loaded) return loaded;
    const { l, t, u, o, e } = JSON.parse(body!()) as RecordBody;
    body = null;
    // The keys and the rest of the strings in one array (`keyCount` says where the keys end).
    const list = head.k;
    for (const s of l) list.push(s);
    const strings: PackedStrings = { list, more: packMore(list, t) };
    const names: PackedNames = { strings, ids: packIds(u), places: packPlaces(o) };
    const symbols: SymbolTable = { names: strings, entries: compactInts(e) };
    return (loaded = { names, derived: [[ENTRIES, symbols]] });
  };
  const keyCount = head.k.length;
  if (eager) load();
  return { domain: head.d, version: head.v, keys: head.k, keyCount, load };
}

function splitRecord(record: string): SplitRecord {
  const tab = record.indexOf('\t');
  if (tab === -1) return { head: record, body: null };
  const body = record.slice(tab + 1);
  return { head: record.slice(0, tab), body: () => body };
}

export interface WorkerIndexing {
  jobs: number;
  /** The workers' entry file (default: this bundle, `dist/cli.js`; tests name it). */
  script?: string;
  /** The tenant the domains are checked for. */
  tenant: () => string;
  /** False once the run is superseded: nothing more is handed out or reported. */
  current: () => boolean;
  /** A file parsed, its record as the worker sent it, its text deflated, and the hash of its text (`textHash`). */
  parsed(file: IndexedFile, record: string, text: Uint8Array, hash: string): void;
  /** A file skipped: the parser failed. */
  failed(index: number, reason: string): void;
  /**
   * Every file guessed into a domain was parsed: those really in it, checked
   * together, with their findings; those in another `domain` than guessed
   * with `null` (the server checks that domain itself).
   */
  checked(domain: string, indexes: number[], findings: Finding[] | null): void;
  /** Files parsed so far (failed ones included). */
  progress(done: number): void;
}

export function isIndexWorker(data: unknown): boolean {
  return data === INDEX_WORKER;
}

export async function indexInWorkers(sources: readonly IndexSource[], options: WorkerIndexing): Promise<void> {
  if (sources.length === 0) return;
  const guesses = sources.map((source) => source.guess);
  const groups = new Map<string, number[]>();
  guesses.forEach((guess, index) => {
    const group = groups.get(guess);
    if (group) group.push(index);
    else groups.set(guess, [index]);
  });
  // No more workers than domains: a domain is checked by one worker, and a second one would only split its
  // parse and then hand the snapshots over (one 500-file domain, a warm start after one file changed: 4.5 s
  // and ~150 MB more at the peak with two workers, 3.6 s with one).
  const jobs = Math.max(1, Math.min(options.jobs, groups.size));
  // With workers on every core, scavenges on one thread each (see `whileIndexing`).
  return whileIndexing(() => runWorkers(sources, options, guesses, groups, jobs), jobs > 1 && jobs >= availableParallelism());
}

async function runWorkers(sources: readonly IndexSource[], options: WorkerIndexing, guesses: string[], groups: Map<string, number[]>, jobs: number): Promise<void> {
  // In the esbuild bundle `__filename` is `dist/cli.js`, which serves index requests when started like this.
  const workers = Array.from({ length: jobs }, () => new RequestWorker<Request>(options.script ?? __filename, INDEX_WORKER, INDEX_WORKER_LIMITS));
  try {
    const left = new Map([...groups].map(([guess, members]) => [guess, members.length]));
    const queues = queuesByDomain(
      guesses,
      sources.map((source) => source.size),
      jobs,
    );
    const holder = new Int32Array(sources.length).fill(-1);
    const domains: (string | undefined)[] = new Array(sources.length);
    const closing: Promise<void>[] = [];
    let failure: unknown = null;
    let done = 0;

    /** Hands the snapshots at `indexes` from their holders to worker `to`. */
    const move = (indexes: number[], to: number) =>
      Promise.all(
        workers.map(async (worker, w) => {
          const mine = indexes.filter((i) => holder[i] === w);
          if (mine.length === 0 || w === to) return;
          const snapshots = await worker.request<[number, SentOutcome][]>({ op: 'take', indexes: mine });
          await workers[to].request({ op: 'give', snapshots });
          for (const i of mine) holder[i] = to;
        }),
      );

    const close = async (guess: string) => {
      const members = groups.get(guess)!.filter((i) => domains[i] !== undefined);
      // Files the guess put in the wrong domain: their domain is checked by the server (`restDomain` without findings).
      const strays = new Map<string, number[]>();
      for (const i of members) if (domains[i] !== guess) strays.set(domains[i]!, [...(strays.get(domains[i]!) ?? []), i]);
      if (strays.size > 0) {
        await Promise.all(
          workers.map((worker, w) => {
            const indexes = members.filter((i) => holder[i] === w && domains[i] !== guess);
            return indexes.length > 0 ? worker.request({ op: 'drop', indexes }) : undefined;
          }),
        );
        if (options.current()) for (const [domain, indexes] of strays) options.checked(domain, indexes, null);
      }
      const mine = members.filter((i) => domains[i] === guess);
      if (mine.length === 0) return;
      const counts = workers.map((_, w) => mine.filter((i) => holder[i] === w).length);
      const owner = counts.indexOf(Math.max(...counts));
      await move(mine, owner);
      const findings = await workers[owner].request<string>({ op: 'check', tenant: options.tenant(), indexes: mine });
      if (options.current()) options.checked(guess, mine, JSON.parse(findings) as Finding[]);
    };

    const work = async (w: number) => {
      while (options.current()) {
        const batch = nextBatch(queues, w, BATCH);
        if (batch.length === 0) return;
        const moved: ArrayBuffer[] = [];
        const files = batch.map((index) => {
          const source = sources[index];
          if (source.text !== null) {
            // Not held until the run ends: 10,000 texts held were 52 MB of this thread's heap at its peak.
            const { text } = source;
            source.text = null;
            return { index, uri: source.uri, text };
          }
          const bytes = movable(source.bytes!);
          source.bytes = undefined;
          moved.push(bytes.buffer as ArrayBuffer);
          return { index, uri: source.uri, bytes };
        });
        const answer = await workers[w].request<Parsed[]>({ op: 'parse', files }, moved);
        if (!options.current()) return;
        for (const [index, record, text, hash] of answer) {
          // Read whole at once: the server's thread has time while the workers parse.
          const resting = restingOf(record, true);
          if ('error' in resting) {
            options.failed(index, resting.error);
            continue;
          }
          holder[index] = w;
          domains[index] = resting.domain;
          options.parsed({ index, ...resting }, record, text!, hash!);
        }
        done += batch.length;
        options.progress(done);
        for (const index of batch) {
          const guess = guesses[index];
          const n = left.get(guess)! - 1;
          left.set(guess, n);
          if (n === 0) closing.push(close(guess).catch((error: unknown) => void (failure ??= error)));
        }
      }
    };
    await Promise.all(workers.flatMap((_, w) => Array.from({ length: LANES }, () => work(w))));
    await Promise.all(closing);
    if (failure !== null && options.current()) throw failure;
  } finally {
    await Promise.all(workers.map((worker) => worker.stop()));
  }
}

/** Bytes whose buffer can be moved to a worker: they are all of it (a file read is), else a copy. */
function movable(bytes: Uint8Array): Uint8Array {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer ? bytes : bytes.slice();
}

/** The worker's side: parse and keep snapshots, hand them over on request, check a domain and let it go. */
export function serveIndexRequests(port: { on(event: 'message', listener: (message: Request) => void): void; postMessage(value: unknown, transfer?: ArrayBuffer[]): void }): void {
  const snapshots = new Map<number, DocumentSnapshot>();
  const forChecks = new CheckSnapshots();
  port.on('message', (message) => {
    switch (message.op) {
      case 'parse': {
        const texts: ArrayBuffer[] = [];
        const records = message.files.map((file): Parsed => {
          const { index, uri } = file;
          const read = 'text' in file ? file : decodeMarkdown(file.bytes);
          // The server decoded the same bytes: this is not expected.
          if ('reason' in read) return [index, JSON.stringify({ error: read.reason } satisfies Failure), null, null];
          const { text } = read;
          // Disk documents are never edited in place (opening one parses it again), and only checked here.
          const outcome = parseSafely({ uri, text }, 'checks');
          if ('error' in outcome) return [index, JSON.stringify({ error: `the parser failed: ${outcome.error}` } satisfies Failure), null, null];
          const doc = outcome.snapshot;
          const record = recordOf(doc);
          const deflated = deflateText(text);
          snapshots.set(index, forChecks.keep(doc, deflated));
          texts.push(deflated.buffer as ArrayBuffer);
          return [index, record, deflated, textHash(text)];
        });
        return port.postMessage(records, texts);
      }
      case 'take': {
        const taken = message.indexes.map((index): [number, SentOutcome] => [index, toSent({ snapshot: snapshots.get(index)! })]);
        for (const index of message.indexes) snapshots.delete(index);
        return port.postMessage(taken);
      }
      case 'drop':
        for (const index of message.indexes) snapshots.delete(index);
        return port.postMessage(null);
      case 'give':
        for (const [index, sent] of message.snapshots) {
          const outcome = fromSent(sent);
          if ('snapshot' in outcome) snapshots.set(index, outcome.snapshot);
        }
        return port.postMessage(null);
      case 'check': {
        // Checked once: the domain keeps no state (no memo held until the check ends).
        const workspace = new Workspace({ tenant: message.tenant, keepState: () => false });
        for (const index of message.indexes) workspace.upsert(snapshots.get(index)!);
        const findings = workspace.findings();
        for (const index of message.indexes) snapshots.delete(index);
        forChecks.forget();
        return port.postMessage(JSON.stringify(findings));
      }
    }
  });
}
