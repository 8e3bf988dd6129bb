/**
 * `impact.ts` on its own: answers from the team graph (the in-memory store
 * standing in for it, and a real Neo4j when configured) or the local index,
 * the time budget and the fallbacks, the cache and what invalidates it, rules
 * only the team graph knows, and the impact graph's edges for those.
 */
import { describe, expect, it } from 'vitest';
import { parseDocument } from '../../core/document';
import { toGraph } from '../../graph/model';
import type { GraphStore, Impact } from '../../graph/store';
import { atomId } from '../../persistence/ids';
import { uniqueTenant } from '../../persistence/testing';
import { graphBackends } from '../../sync/testing';
import type { ServerContext, Services } from '../context';
import { impactGraph } from '../features/impactGraph';
import { describeSource, impactOf, placeOfRule } from '../impact';
import { KnowledgeBase } from '../knowledge';
import { onCleanup } from './serve';
import { DEFAULT_SETTINGS } from '../settings';

const ALPHA_URI = 'file:///ws/domains/tax/alpha.md';
const BETA_URI = 'file:///ws/domains/tax/beta.md';
const GAMMA_URI = 'file:///colleague/domains/tax/gamma.md';
const ALPHA = '# Alpha\n\n- **A**: 10%\n- IF [[A]] > 5% THEN [[B]] = 1 {block}\n';
const BETA = '# Beta\n\n- IF [[B]] = 1 THEN [[C]] = yes\n';
const GAMMA = '# Gamma\n\n- [[A]] MUST BE <= 50%\n';


/** A server context with just what impact.ts reads: the knowledge base (alpha and beta), the services, settings and a log. */
function contextWith(tenant: string, services: Services = {}): ServerContext & { logs: string[] } {
  const kb = new KnowledgeBase(tenant);
  kb.upsert(parseDocument(ALPHA_URI, ALPHA), 'disk');
  kb.upsert(parseDocument(BETA_URI, BETA), 'disk');
  const logs: string[] = [];
  return { kb, services, logs, log: (m: string) => logs.push(m), settings: { for: async () => DEFAULT_SETTINGS } } as unknown as ServerContext & {
    logs: string[];
  };
}

/** The team's graph: alpha, beta and a colleague's document the local index does not have. */
async function fill(store: GraphStore, tenant: string): Promise<void> {
  for (const [uri, text] of [
    [ALPHA_URI, ALPHA],
    [BETA_URI, BETA],
    [GAMMA_URI, GAMMA],
  ]) {
    await store.replaceDocument(tenant, toGraph(tenant, parseDocument(uri, text)));
  }
}

/** A store that answers `impact` as told and counts the calls; everything else is the memory store's. */
function scripted(base: GraphStore, impact: (tenant: string, id: string, depth: number) => Promise<Impact | null>) {
  const calls = { impact: 0 };
  const store = new Proxy(base, {
    get(target, prop, receiver) {
      if (prop === 'impact') {
        return (t: string, id: string, d: number) => {
          calls.impact++;
          return impact(t, id, d);
        };
      }
      const value = Reflect.get(target, prop, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { store, calls };
}

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

describe('impact answers from the local index', () => {
  it('come from the in-memory graph when there is no team graph, and are cached until the knowledge changes', async () => {
    const ctx = contextWith('local');
    const first = await impactOf(ctx, 'tax', 'a', 3);
    expect(first.source).toBe('memory');
    expect(first.fallback).toBeUndefined();
    expect(describeSource(first)).toBe('from the local index');
    expect(first.impact?.molecules.map((m) => [m.summary, m.hops])).toEqual([
      ['IF A > 5% THEN B = 1 {block}', 1],
      ['IF B = 1 THEN C = yes', 3],
    ]);
    expect(await impactOf(ctx, 'tax', 'a', 3)).toBe(first);
    // Another depth is another question.
    expect((await impactOf(ctx, 'tax', 'a', 1)).impact?.molecules).toHaveLength(1);
    // An edit anywhere: answered again, with the new rule.
    ctx.kb.upsert(parseDocument(BETA_URI, `${BETA}- [[A]] MUST BE <= 50%\n`), 'open');
    const after = await impactOf(ctx, 'tax', 'a', 3);
    expect(after).not.toBe(first);
    expect(after.impact?.molecules).toHaveLength(3);
  });

  it('read a large workspace as it is, with no graph to build first', async () => {
    const ctx = contextWith('many');
    for (let i = 0; i < 300; i++) ctx.kb.upsert(parseDocument(`file:///ws/domains/tax/r${i}.md`, `# R${i}\n\n- IF [[A]] > ${i}% THEN [[Out ${i}]] = 1\n`), 'disk');
    const a = await impactOf(ctx, 'tax', 'a', 2);
    expect(a.impact?.molecules).toHaveLength(301);
    expect(a.impact?.atoms.map((x) => x.name)).toContain('Out 299');
    ctx.kb.remove('file:///ws/domains/tax/r7.md');
    expect((await impactOf(ctx, 'tax', 'a', 2)).impact?.molecules).toHaveLength(300);
  });

  it('place rules at their lines, by graph id or, after local edits changed the ids, by their text', () => {
    const ctx = contextWith('local');
    const rule = ctx.kb.get(ALPHA_URI)!.molecules[0];
    const byText = placeOfRule(ctx.kb, { id: 'not-a-local-id', summary: rule.normalized }, ALPHA_URI);
    expect(byText.local?.molecule).toBe(rule);
    expect(byText.range.start.line).toBe(3);
    expect(placeOfRule(ctx.kb, { id: 'x', summary: 'no such rule' }, ALPHA_URI)).toEqual({
      uri: ALPHA_URI,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
    });
  });
});

describe('impact answers with a team graph', () => {
  for (const backend of graphBackends()) {
    describe(`on ${backend.name}`, () => {
      async function team() {
        const t = uniqueTenant('impact').id;
        const store = await backend.open();
        onCleanup(async () => {
          await store.clearTenant(t);
          await store.close();
        });
        await fill(store, t);
        return { t, store };
      }

      it('come from the team graph, which knows documents the local index does not', async () => {
        const { t, store } = await team();
        const ctx = contextWith(t, { neo4j: () => store });
        const answer = await impactOf(ctx, 'tax', 'a', 3, { budgetMs: 10_000 });
        expect(answer.source).toBe('neo4j');
        expect(describeSource(answer)).toBe('from Neo4j');
        expect(answer.impact?.molecules).toHaveLength(3);
        expect(answer.impact?.documents.map((d) => d.uri).sort()).toEqual([GAMMA_URI, ALPHA_URI, BETA_URI].sort());
        const gamma = answer.impact!.molecules.find((m) => m.summary === 'A MUST BE <= 50%')!;
        // Only the team graph has it: the document is the place.
        expect(placeOfRule(ctx.kb, gamma, GAMMA_URI)).toEqual({ uri: GAMMA_URI, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
        const r1 = answer.impact!.molecules.find((m) => m.summary.startsWith('IF A'))!;
        expect(placeOfRule(ctx.kb, r1, ALPHA_URI).range.start).toEqual({ line: 3, character: 2 });
      });

      it('give the impact graph edges for rules only the team graph knows', async () => {
        const { t, store } = await team();
        const ctx = contextWith(t, { neo4j: () => store });
        const result = await impactGraph(ctx, { textDocument: { uri: ALPHA_URI }, position: { line: 2, character: 4 }, depth: 3 }, { budgetMs: 10_000 });
        expect(result?.source).toBe('neo4j');
        const label = new Map(result!.nodes.map((n) => [n.id, n.label]));
        const edges = result!.edges.map((e) => `${label.get(e.source)} -${e.kind}-> ${label.get(e.target)}`);
        expect(edges).toContain('A -part-of-> A MUST BE <= 50%');
        expect(edges).toContain('A MUST BE <= 50% -in-document-> Gamma');
        expect(edges).toContain('A -part-of-> IF A > 5% THEN B = 1 {block}');
        const gamma = result!.nodes.find((n) => n.label === 'A MUST BE <= 50%')!;
        expect(gamma.location).toEqual({ uri: GAMMA_URI, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } });
      });
    });
  }
});

describe('impact answers when the team graph is slow, failing or behind', () => {
  async function memoryTeam(t: string) {
    const { MemoryGraphStore } = await import('../../graph/memory');
    const base = new MemoryGraphStore();
    await fill(base, t);
    return base;
  }

  it('fall back to the local index after the time budget, and a late answer serves the next question', async () => {
    const t = 'slow';
    const base = await memoryTeam(t);
    const late = deferred<Impact | null>();
    const { store, calls } = scripted(base, () => late.promise);
    const ctx = contextWith(t, { neo4j: () => store });
    const first = await impactOf(ctx, 'tax', 'a', 3, { budgetMs: 20 });
    expect(first.source).toBe('memory');
    expect(first.fallback).toBe('Neo4j did not answer within 20 ms');
    expect(describeSource(first)).toBe('from the local index (Neo4j did not answer within 20 ms)');
    expect(first.impact?.molecules).toHaveLength(2);
    expect(ctx.logs).toContain('impact: Neo4j did not answer within 20 ms; answering from the local index');
    // Neo4j answers after all: the next question gets that answer without asking again.
    late.resolve(await base.impact(t, atomId(t, 'tax', 'a'), 3));
    await late.promise;
    const second = await impactOf(ctx, 'tax', 'a', 3, { budgetMs: 20 });
    expect(second.source).toBe('neo4j');
    expect(second.impact?.molecules).toHaveLength(3);
    expect(calls.impact).toBe(1);
  });

  it('fall back when the team graph fails, and ask it again next time', async () => {
    const t = 'failing';
    const { store, calls } = scripted(await memoryTeam(t), async () => {
      throw new Error('connection refused');
    });
    const ctx = contextWith(t, { neo4j: () => store });
    const answer = await impactOf(ctx, 'tax', 'a', 3);
    expect(answer).toMatchObject({ source: 'memory', fallback: 'Neo4j failed: connection refused' });
    expect(answer.impact?.molecules).toHaveLength(2);
    await impactOf(ctx, 'tax', 'a', 3);
    expect(calls.impact).toBe(2);
  });

  it('fall back when the team graph does not know the atom yet (typed but not synced)', async () => {
    const t = 'behind';
    const ctx = contextWith(t, { neo4j: () => null });
    const { store } = scripted(await memoryTeam(t), async () => null);
    ctx.services.neo4j = () => store;
    ctx.kb.upsert(parseDocument(BETA_URI, `${BETA}- **Fresh**: 1\n- IF [[Fresh]] = 1 THEN [[C]] = no\n`), 'open');
    const answer = await impactOf(ctx, 'tax', 'fresh', 3);
    expect(answer).toMatchObject({ source: 'memory', fallback: 'the team graph does not know this atom yet' });
    expect(answer.impact?.molecules).toHaveLength(1);
  });

  it('are asked again when the shared graph changed (its generation is part of the cache key)', async () => {
    const t = 'generations';
    const base = await memoryTeam(t);
    const { store, calls } = scripted(base, (tt, id, d) => base.impact(tt, id, d));
    let generation = 0;
    const ctx = contextWith(t, { neo4j: () => store, graphGeneration: () => generation });
    await impactOf(ctx, 'tax', 'a', 3, { budgetMs: 10_000 });
    await impactOf(ctx, 'tax', 'a', 3, { budgetMs: 10_000 });
    expect(calls.impact).toBe(1);
    generation++;
    const again = await impactOf(ctx, 'tax', 'a', 3, { budgetMs: 10_000 });
    expect(calls.impact).toBe(2);
    expect(again.source).toBe('neo4j');
  });
});
