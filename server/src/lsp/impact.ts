/**
 * Graph answers for the impact features (hover, code lens, the impact graph):
 * what a change to an atom affects, where each affected rule is written, and
 * which rules are in conflict.
 *
 * The answer comes from the team's Neo4j when the sync feature holds a
 * connection (`ctx.services.neo4j`): it knows the colleagues' documents too.
 * Neo4j gets a time budget; when it is slow, fails or does not know the atom
 * yet, the local index answers (`localImpact.ts`) and the answer says so
 * (`fallback`). A Neo4j answer arriving after the budget still fills the
 * cache, so the next hover has it. Answers are cached per atom and depth
 * until the knowledge base (`kb.generation`) or the shared graph
 * (`services.graphGeneration`) changes.
 *
 * Rules in answers are graph rows (`moleculeRowId(tenant, uri, id)`); to show
 * where a rule is written the local snapshot is needed (`placeOfRule`). A
 * document only the team graph knows is linked as a whole.
 */
import { blockById, lineIndex, toRange, type DocumentSnapshot } from '../core/document';
import type { AtomDefinition, Finding, Molecule, Range } from '../core/model';
import { MAX_DEPTH, type GraphStore, type Impact, type MoleculeSummary, type MoleculeUse } from '../graph/store';
import { atomId, moleculeRowId } from '../persistence/ids';
import type { ServerContext } from './context';
import type { KnowledgeBase, Occurrence } from './knowledge';
import { keysOfAtoms, localImpact, localUses } from './localImpact';

export type GraphSource = 'neo4j' | 'memory';

export interface ImpactAnswer {
  /** Null when no graph knows the atom. */
  impact: Impact | null;
  source: GraphSource;
  /** Set when Neo4j is in use but this answer comes from the local index: why. */
  fallback?: string;
}

/**
 * How long a hover waits for Neo4j before answering from the local index;
 * `KNOWLEDGE_IMPACT_BUDGET_MS` overrides it (a distant Neo4j, tests that
 * must not race a cold one).
 */
export const NEO4J_BUDGET_MS = 150;

function defaultBudget(): number {
  const fromEnv = Number(process.env.KNOWLEDGE_IMPACT_BUDGET_MS);
  return Number.isFinite(fromEnv) && fromEnv > 0 ? fromEnv : NEO4J_BUDGET_MS;
}

export interface AnswerOptions {
  /** Time budget for Neo4j in milliseconds (tests shorten or lengthen it). */
  budgetMs?: number;
}

/** What a change to the atom `key` of `domain` affects, up to `depth` relationships away. */
export function impactOf(ctx: ServerContext, domain: string, key: string, depth: number, options: AnswerOptions = {}): Promise<ImpactAnswer> {
  const cache = cacheOf(ctx);
  const tenant = ctx.kb.tenant;
  const id = atomId(tenant, domain, key);
  const d = clampDepth(depth);
  const cacheKey = `${id}|${d}`;
  cache.renew(stampOf(ctx));
  const hit = cache.answers.get(cacheKey);
  if (hit) return hit;
  const answer = answerImpact(ctx, cache, cacheKey, tenant, domain, key, id, d, options.budgetMs ?? defaultBudget());
  cache.answers.set(cacheKey, answer);
  // Fallbacks for a slow or failing Neo4j, and failures, are not kept: the next question asks Neo4j again.
  answer.then(
    (a) => {
      if (a.fallback !== undefined && a.source === 'memory' && cache.answers.get(cacheKey) === answer) cache.answers.delete(cacheKey);
    },
    () => {
      if (cache.answers.get(cacheKey) === answer) cache.answers.delete(cacheKey);
    },
  );
  return answer;
}

async function answerImpact(
  ctx: ServerContext,
  cache: AnswerCache,
  cacheKey: string,
  tenant: string,
  domain: string,
  key: string,
  id: string,
  depth: number,
  budgetMs: number,
): Promise<ImpactAnswer> {
  const store = teamGraph(ctx);
  let fallback: string | undefined;
  if (store) {
    const stamp = cache.stamp;
    const query = cache.teamQuery(cacheKey, () => store.impact(tenant, id, depth));
    // A late answer fills the cache for the next question (when nothing changed meanwhile).
    query.then(
      (impact) => {
        if (impact && cache.stamp === stamp && !cache.answers.has(cacheKey)) {
          cache.answers.set(cacheKey, Promise.resolve({ impact, source: 'neo4j' }));
        }
      },
      () => undefined,
    );
    const outcome = await within(query, budgetMs);
    if (outcome.kind === 'value' && outcome.value) {
      cache.noteFallback(ctx, null);
      return { impact: outcome.value, source: 'neo4j' };
    }
    fallback =
      outcome.kind === 'value'
        ? 'the team graph does not know this atom yet'
        : outcome.kind === 'timeout'
          ? `Neo4j did not answer within ${budgetMs} ms`
          : `Neo4j failed: ${outcome.message}`;
    if (outcome.kind !== 'value') cache.noteFallback(ctx, fallback);
  }
  const impact = localImpact(ctx.kb, domain, key, depth);
  return { impact, source: 'memory', ...(fallback !== undefined ? { fallback } : {}) };
}

/**
 * The molecules each atom is PART_OF (with its roles), from the source an
 * impact answer came from: the impact graph draws its edges for rules the
 * local index does not hold from this. Neo4j gets the same time budget.
 */
export async function usesOf(
  ctx: ServerContext,
  source: GraphSource,
  domain: string,
  atomIds: string[],
  options: AnswerOptions = {},
): Promise<Map<string, MoleculeUse[]>> {
  const tenant = ctx.kb.tenant;
  const out = new Map<string, MoleculeUse[]>();
  const store = source === 'neo4j' ? teamGraph(ctx) : null;
  if (store) {
    const outcome = await within(
      Promise.all(atomIds.map(async (id) => [id, await store.moleculesContainingAtom(tenant, id)] as const)),
      options.budgetMs ?? defaultBudget(),
    );
    if (outcome.kind === 'value') {
      for (const [id, uses] of outcome.value) out.set(id, uses);
      return out;
    }
  }
  const keys = keysOfAtoms(ctx.kb, domain, atomIds);
  for (const id of atomIds) {
    const key = keys.get(id);
    out.set(id, key === undefined ? [] : localUses(ctx.kb, domain, key));
  }
  return out;
}

/** How an answer's source reads in a hover's footer. */
export function describeSource(answer: Pick<ImpactAnswer, 'source' | 'fallback'>): string {
  if (answer.source === 'neo4j') return 'from Neo4j';
  return answer.fallback ? `from the local index (${answer.fallback})` : 'from the local index';
}

// ---------------------------------------------------------------------------
// Where rules are written
// ---------------------------------------------------------------------------

export interface RulePlace {
  uri: string;
  /** The rule's range; the document's start when only the team graph knows the rule. */
  range: Range;
  /** The rule as the local index has it; absent when only the team graph knows it. */
  local?: { doc: DocumentSnapshot; molecule: Molecule };
}

const START: Range = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/**
 * Where an affected rule is written. `uri` is its document's (from
 * `Impact.documents`). The rule is found by its row id in the local
 * snapshot, or by its normalised text when the local text was edited since
 * the team graph got it (new blocks get new ids); else the document is the place.
 */
export function placeOfRule(kb: KnowledgeBase, rule: Pick<MoleculeSummary, 'id' | 'summary'>, uri: string): RulePlace {
  const doc = kb.get(uri);
  if (!doc) return { uri, range: START };
  const molecule = rowsOf(kb.tenant, doc).get(rule.id) ?? doc.molecules.find((m) => m.normalized === rule.summary);
  return molecule ? { uri, range: ruleRange(doc, molecule), local: { doc, molecule } } : { uri, range: START };
}

/** Document id → URI, from an impact answer. */
export function documentUris(impact: Impact): Map<string, string> {
  return new Map(impact.documents.map((d) => [d.id, d.uri]));
}

/** A rule's range in its document. */
export function ruleRange(doc: DocumentSnapshot, m: Molecule): Range {
  return toRange(doc, m.blockId, m.span);
}

/** A local rule's graph id. */
export function ruleRowId(tenant: string, uri: string, m: Pick<Molecule, 'id'>): string {
  return moleculeRowId(tenant, uri, m.id);
}

const rowIndex = new WeakMap<DocumentSnapshot, { tenant: string; rows: Map<string, Molecule> }>();

/** A snapshot's molecules by graph row id (computed once per snapshot and tenant). */
function rowsOf(tenant: string, doc: DocumentSnapshot): Map<string, Molecule> {
  const hit = rowIndex.get(doc);
  if (hit && hit.tenant === tenant) return hit.rows;
  const rows = new Map(doc.molecules.map((m) => [moleculeRowId(tenant, doc.uri, m.id), m]));
  rowIndex.set(doc, { tenant, rows });
  return rows;
}

/**
 * The rule under the cursor: the innermost rule whose text holds `offset`,
 * else the innermost rule written on the cursor's line (the list marker, a
 * trailing tag, the space after the text).
 */
export function ruleAt(doc: DocumentSnapshot, offset: number): Molecule | undefined {
  const line = lineIndex(doc).position(offset).line;
  let inText: Molecule | undefined;
  let onLine: Molecule | undefined;
  const size = (m: Molecule) => m.span.end - m.span.start;
  for (const m of doc.molecules) {
    const base = blockById(doc, m.blockId)?.span.start;
    if (base === undefined) continue;
    if (offset >= base + m.span.start && offset <= base + m.span.end) {
      if (!inText || size(m) < size(inText)) inText = m;
      continue;
    }
    const range = ruleRange(doc, m);
    if (line >= range.start.line && line <= range.end.line && (!onLine || size(m) < size(onLine))) onLine = m;
  }
  return inText ?? onLine;
}

// ---------------------------------------------------------------------------
// Conflicts (the checker's rule-conflict findings: always as current as the text)
// ---------------------------------------------------------------------------

/** The rule-conflict findings reported at a rule (one per conflicting rule). */
export function conflictsAt(kb: KnowledgeBase, uri: string, range: Range): Finding[] {
  return kb.workspace.findingsFor(uri).filter((f) => f.code === 'rule-conflict' && sameRange(f.range, range));
}

/** The graph id of the rule a rule-conflict finding points at (from its data), if it says. */
export function conflictPartner(tenant: string, f: Finding): string | undefined {
  const id = f.data?.otherRuleId;
  const uri = f.data?.otherUri;
  return typeof id === 'string' && typeof uri === 'string' ? moleculeRowId(tenant, uri, id) : undefined;
}

export function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character
  );
}

// ---------------------------------------------------------------------------
// Atoms in the local index
// ---------------------------------------------------------------------------

/** The local definitions of an atom, with the occurrence of each name. */
export function definitionsOf(kb: KnowledgeBase, domain: string, key: string): { occurrence: Occurrence; definition: AtomDefinition }[] {
  const out: { occurrence: Occurrence; definition: AtomDefinition }[] = [];
  for (const o of kb.occurrences(domain, key)) {
    if (o.kind !== 'definition') continue;
    const definition = kb.get(o.uri)?.definitions.find((d) => d.blockId === o.blockId && d.nameSpan.start === o.span.start);
    if (definition) out.push({ occurrence: o, definition });
  }
  return out;
}

export function clampDepth(depth: number): number {
  return Number.isFinite(depth) ? Math.max(1, Math.min(MAX_DEPTH, Math.round(depth))) : 3;
}

// ---------------------------------------------------------------------------
// The cache, per server
// ---------------------------------------------------------------------------

class AnswerCache {
  stamp = '';
  readonly answers = new Map<string, Promise<ImpactAnswer>>();
  /** Neo4j queries in flight, so that a slow Neo4j is not asked the same question twice. */
  private readonly inFlight = new Map<string, Promise<Impact | null>>();
  private lastFallback: string | null = null;

  /** Forgets every answer when the knowledge or the shared graph changed. */
  renew(stamp: string): void {
    if (stamp === this.stamp) return;
    this.stamp = stamp;
    this.answers.clear();
  }

  teamQuery(key: string, run: () => Promise<Impact | null>): Promise<Impact | null> {
    const flightKey = `${this.stamp}|${key}`;
    let query = this.inFlight.get(flightKey);
    if (!query) {
      query = run();
      this.inFlight.set(flightKey, query);
      const done = () => this.inFlight.delete(flightKey);
      query.then(done, done);
    }
    return query;
  }

  /** Logs when answers start or stop falling back from Neo4j (not on every hover). */
  noteFallback(ctx: ServerContext, reason: string | null): void {
    if (reason === this.lastFallback) return;
    if (reason !== null) ctx.log(`impact: ${reason}; answering from the local index`);
    else if (this.lastFallback !== null) ctx.log('impact: Neo4j answers again');
    this.lastFallback = reason;
  }
}

const caches = new WeakMap<ServerContext, AnswerCache>();

function cacheOf(ctx: ServerContext): AnswerCache {
  let cache = caches.get(ctx);
  if (!cache) caches.set(ctx, (cache = new AnswerCache()));
  return cache;
}

function stampOf(ctx: ServerContext): string {
  return `${ctx.kb.tenant}|${ctx.kb.generation}|${ctx.services.graphGeneration?.() ?? 0}`;
}

function teamGraph(ctx: ServerContext): GraphStore | null {
  try {
    return ctx.services.neo4j?.() ?? null;
  } catch {
    return null;
  }
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'timeout' } | { kind: 'error'; message: string };

/** The promise's outcome, or 'timeout' after `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<Outcome<T>> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'timeout' }), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve({ kind: 'value', value });
      },
      (error: unknown) => {
        clearTimeout(timer);
        resolve({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
  });
}
