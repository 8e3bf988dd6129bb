/**
 * The GraphStore on a real Neo4j (neo4j-driver). One write transaction per
 * call, rows of all its documents batched with UNWIND, every value a parameter
 * (`cypher.ts`). Integers come back as JS numbers (`disableLosslessIntegers`).
 * Bolt messages go out in 64 KB chunks (`boltChunks.ts`).
 */
import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import { widenBoltChunks } from './boltChunks';
import * as Q from './cypher';
import {
  LABELS,
  RELATIONSHIP_TYPES,
  sortGraph,
  type AtomNode,
  type Conflict,
  type DocumentGraph,
  type MoleculeNode,
  type PartOfRole,
  type Relation,
} from './model';
import { documentLinksOf, type DocumentLinks, type LinkFacts } from './links';
import { DOCUMENT_LINKS } from './linksCypher';
import { ensureSchema } from './neo4jSchema';
import { appearsInFrom, batchRows, chunked, distinctRuns, linkRows, writeRows, type BatchRows, type Group, type KeepRow, type WriteRows } from './neo4jRows';
import {
  byHopsThenId,
  checkDepth,
  checkTenant,
  compareIds,
  documentsOf,
  type ConflictHit,
  type Cycle,
  type GraphStats,
  type GraphStore,
  type Impact,
  type MoleculeUse,
  type RelatedConcept,
} from './store';
import { atomSummary, moleculeSummary } from './summaries';

export interface Neo4jOptions {
  url: string;
  user?: string;
  password?: string;
  database?: string;
}

const NOTHING = { blocks: [], molecules: [], appearsIn: [], partOf: [], requires: [] };

/** A group's weight in a chunk: its rows. */
const size = (group: Group) => group.rows.length;

/** What a document referenced before its replacement. */
interface Before {
  id: string;
  atoms: string[];
  domains: string[];
}

/** Element ids of the nodes a batch wrote or references, by graph id. */
interface ElementIds {
  documents: Map<string, string>;
  domains: Map<string, string>;
  atoms: Map<string, string>;
  molecules: Map<string, string>;
}

widenBoltChunks();

/** Connects, checks the connection and creates the schema; errors never contain the password. */
export async function openNeo4jGraphStore(options: Neo4jOptions): Promise<Neo4jGraphStore> {
  const auth = options.user ? neo4j.auth.basic(options.user, options.password ?? '') : undefined;
  let driver: Driver | undefined;
  try {
    driver = neo4j.driver(options.url, auth, { disableLosslessIntegers: true, logging: { level: 'error', logger: () => {} } });
    await driver.verifyConnectivity({ database: options.database });
    await ensureSchema(driver, options.database);
    return new Neo4jGraphStore(driver, options.database);
  } catch (error) {
    await driver?.close();
    throw new Error(`cannot open the Neo4j graph store at ${redactUrl(options.url)}: ${redact((error as Error).message, options.password)}`);
  }
}

/** The URL without user info. */
export function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

function redact(message: string, password: string | undefined): string {
  return password ? message.split(password).join('***') : message;
}

export class Neo4jGraphStore implements GraphStore {
  constructor(
    private readonly driver: Driver,
    private readonly database?: string,
  ) {}

  private write<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.withSession((s) => s.executeWrite(work));
  }

  private read<T>(work: (tx: ManagedTransaction) => Promise<T>): Promise<T> {
    return this.withSession((s) => s.executeRead(work));
  }

  private async withSession<T>(work: (s: ReturnType<Driver['session']>) => Promise<T>): Promise<T> {
    const session = this.driver.session({ database: this.database });
    try {
      return await work(session);
    } finally {
      await session.close();
    }
  }

  replaceDocument(tenant: string, graph: DocumentGraph): Promise<void> {
    return this.replaceDocuments(tenant, [graph]);
  }

  /**
   * One write transaction. Within it, each run of distinct documents
   * (`distinctRuns`) is one batch: prune every document, merge what the
   * graph holds and create what is new (`writeBatch`), then collect — the
   * same result as one document after the other, as documents own their
   * blocks, rules and relationships and only atoms and domains are shared
   * (`batchRows` orders atom values as sequential writes would). One difference: an atom sequential writes would delete and
   * re-create inside the batch is kept as the same node.
   *
   * The transaction holds the whole list until it commits: keep lists to a
   * few hundred documents (500 documents of ~300 rows each exceeded the
   * transaction memory pool of a 512 MiB heap; 250 fit).
   */
  async replaceDocuments(tenant: string, graphs: DocumentGraph[]): Promise<void> {
    for (const graph of graphs) checkTenant(tenant, graph);
    if (graphs.length === 0) return;
    const batches = distinctRuns(graphs).map(batchRows);
    await this.write(async (tx) => {
      for (const batch of batches) await this.writeBatch(tx, tenant, batch);
    });
  }

  /**
   * Documents (merged if the graph holds them, else created), atoms, blocks,
   * molecules, then the relationships between them. The statements that
   * write documents, domains, atoms and molecules return their element ids
   * (`ElementIds`), and the relationships are written between nodes found by
   * those: each node is looked up by its key once per batch, not once per
   * relationship.
   */
  private async writeBatch(tx: ManagedTransaction, tenant: string, batch: BatchRows): Promise<void> {
    const before = await this.prune(tx, tenant, batch.keep);
    const held = new Set(before.map((b) => b.id));
    // Documents the graph holds are merged (what they keep is there already); new ones are created (cypher.ts).
    const parts = [
      { q: Q.MERGE, rows: writeRows(batch.documents.filter((d) => held.has(d.id))) },
      { q: Q.CREATE, rows: writeRows(batch.documents.filter((d) => !held.has(d.id))) },
    ];
    const run = (query: string, params: Record<string, unknown>) => tx.run(query, { tenantId: tenant, ...params });
    const ids: ElementIds = { documents: new Map(), domains: new Map(), atoms: new Map(), molecules: new Map() };
    for (const { q, rows } of parts) {
      for (const chunk of chunked(rows.documents)) {
        for (const r of (await run(q.documents, { rows: chunk })).records) {
          ids.documents.set(r.get('id'), r.get('doc'));
          ids.domains.set(r.get('domainId'), r.get('domain'));
        }
      }
    }
    const elementGroups = (groups: Group[], of: Map<string, string>): Group[] =>
      groups.flatMap((g) => {
        const id = of.get(g.id);
        return id === undefined ? [] : [{ id, rows: g.rows }];
      });
    for (const groups of chunked(elementGroups(batch.atoms, ids.domains), size)) {
      for (const r of (await run(Q.MERGE_ATOMS, { groups })).records) ids.atoms.set(r.get('id'), r.get('eid'));
    }
    for (const { q, rows } of parts) for (const groups of chunked(elementGroups(rows.blocks, ids.documents), size)) await run(q.blocks, { groups });
    for (const { q, rows } of parts) {
      for (const chunk of chunked(rows.molecules)) {
        for (const r of (await run(q.molecules, { rows: chunk })).records) ids.molecules.set(r.get('id'), r.get('eid'));
      }
    }
    await this.referenced(tx, tenant, ids, parts.map((p) => p.rows));
    for (const { q, rows } of parts) {
      const partOf = [
        ...linkRows(rows.partOf.filter((l) => l.role !== 'exception'), ids.atoms, ids.molecules),
        ...linkRows(rows.partOf.filter((l) => l.role === 'exception'), ids.molecules, ids.molecules),
      ];
      for (const chunk of chunked(partOf)) await run(q.partOf, { rows: chunk });
      for (const chunk of chunked(linkRows(rows.requires, ids.molecules, ids.atoms))) await run(q.requires, { rows: chunk });
      for (const chunk of chunked(linkRows(rows.appearsIn, ids.atoms, ids.documents))) await run(q.appearsIn, { rows: chunk });
    }
    await this.collect(tx, tenant, before, batch.defined);
  }

  /**
   * Adds the element ids of atoms and molecules the batch's relationships
   * reference but the batch did not write (none for graphs `toGraph` made:
   * a document's graph lists every atom it uses, and an exception's rule is
   * in the same document).
   */
  private async referenced(tx: ManagedTransaction, tenant: string, ids: ElementIds, rows: WriteRows[]): Promise<void> {
    const missing = { atoms: new Set<string>(), molecules: new Set<string>() };
    const need = (kind: 'atoms' | 'molecules', id: string) => {
      if (!ids[kind].has(id)) missing[kind].add(id);
    };
    for (const r of rows) {
      for (const l of r.partOf) {
        need(l.role === 'exception' ? 'molecules' : 'atoms', l.from);
        need('molecules', l.to);
      }
      for (const l of r.requires) {
        need('molecules', l.from);
        need('atoms', l.to);
      }
      for (const l of r.appearsIn) need('atoms', l.from);
    }
    for (const [kind, label] of [['atoms', 'Atom'], ['molecules', 'Molecule']] as const) {
      for (const chunk of chunked([...missing[kind]])) {
        for (const r of (await tx.run(Q.elementIds(label), { tenantId: tenant, ids: chunk })).records) ids[kind].set(r.get('id'), r.get('eid'));
      }
    }
  }

  async removeDocument(tenant: string, documentId: string): Promise<void> {
    await this.write(async (tx) => {
      const before = await this.prune(tx, tenant, [{ id: documentId, domainId: null, ...NOTHING }]);
      await tx.run(Q.DELETE_DOCUMENT, { tenantId: tenant, documentId });
      await this.collect(tx, tenant, before, new Map());
    });
  }

  /** Removes what the documents no longer have (`keep`); returns what each that exists referenced before. */
  private async prune(tx: ManagedTransaction, tenant: string, keep: KeepRow[]): Promise<Before[]> {
    const before: Before[] = [];
    for (const ids of chunked(keep.map((k) => k.id))) {
      const records = (await tx.run(Q.DOCUMENTS_BEFORE, { tenantId: tenant, ids })).records;
      for (const r of records) before.push({ id: r.get('id'), atoms: r.get('atoms'), domains: r.get('domains') });
    }
    const existing = new Set(before.map((b) => b.id));
    const rows = keep.filter((k) => existing.has(k.id));
    for (const { keep: key, query } of Q.PRUNE) {
      const docs = rows.map((k) => ({ id: k.id, keep: k[key] }));
      for (const chunk of chunked(docs, (d) => 1 + (Array.isArray(d.keep) ? d.keep.length : 0))) await tx.run(query, { tenantId: tenant, docs: chunk });
    }
    return before;
  }

  /** Clears values the documents no longer define; deletes atoms nothing references and empty domains. */
  private async collect(tx: ManagedTransaction, tenant: string, before: Before[], defined: Map<string, string[]>): Promise<void> {
    const [values, atoms, domains] = Q.COLLECT;
    const docs = before.map(({ id, atoms }) => ({ id, atoms, defined: defined.get(id) ?? [] }));
    for (const chunk of chunked(docs, (d) => 1 + d.atoms.length + d.defined.length)) await tx.run(values, { tenantId: tenant, docs: chunk });
    for (const chunk of chunked([...new Set(before.flatMap((b) => b.atoms))])) await tx.run(atoms, { tenantId: tenant, atoms: chunk });
    for (const chunk of chunked([...new Set(before.flatMap((b) => b.domains))])) await tx.run(domains, { tenantId: tenant, domains: chunk });
  }

  async readDocument(tenant: string, documentId: string): Promise<DocumentGraph | null> {
    return this.read(async (tx) => {
      const [record] = (await tx.run(Q.READ_DOCUMENT, { tenantId: tenant, documentId })).records;
      if (!record) return null;
      const partOf = record.get('partOf') as DocumentGraph['partOf'];
      const appearsIn = (record.get('appearsIn') as Record<string, unknown>[]).map(appearsInFrom);
      const requires = record.get('requires') as DocumentGraph['requires'];
      const ids = [...new Set([...appearsIn.map((r) => r.atomId), ...partOf.map((r) => r.from), ...requires.map((r) => r.atomId)])];
      const atoms = (await tx.run(Q.ATOMS_BY_ID, { tenantId: tenant, ids })).records.map((r) => r.get('atom') as AtomNode);
      return sortGraph({
        tenantId: tenant,
        document: record.get('document'),
        domain: record.get('domain'),
        blocks: record.get('blocks'),
        atoms,
        molecules: record.get('molecules'),
        partOf,
        appearsIn,
        requires,
      });
    });
  }

  async setConflicts(tenant: string, domain: string, conflicts: Conflict[]): Promise<void> {
    const rows = conflicts.map(({ from, to, reason, severity }) => ({ from, to, reason, severity }));
    await this.replaceLinks(Q.SET_CONFLICTS, tenant, domain, rows);
  }

  async setRelations(tenant: string, domain: string, relations: Relation[]): Promise<void> {
    const rows = relations.map(({ from, to, type, strength }) => ({ from, to, type, strength }));
    await this.replaceLinks(Q.SET_RELATIONS, tenant, domain, rows);
  }

  private async replaceLinks(queries: string[], tenant: string, domain: string, rows: Record<string, unknown>[]): Promise<void> {
    const [remove, merge] = queries;
    await this.write(async (tx) => {
      await tx.run(remove, { tenantId: tenant, domain });
      for (const chunk of chunked(rows)) await tx.run(merge, { tenantId: tenant, rows: chunk });
    });
  }

  async moleculesContainingAtom(tenant: string, atomId: string): Promise<MoleculeUse[]> {
    const records = await this.read(async (tx) => (await tx.run(Q.MOLECULES_CONTAINING_ATOM, { tenantId: tenant, atomId })).records);
    return records
      .map((r) => ({ molecule: moleculeSummary(r.get('molecule') as MoleculeNode), roles: (r.get('roles') as PartOfRole[]).sort() }))
      .sort((a, b) => compareIds(a.molecule.id, b.molecule.id));
  }

  async conflictsOf(tenant: string, moleculeId: string): Promise<ConflictHit[]> {
    const records = await this.read(async (tx) => (await tx.run(Q.CONFLICTS_OF, { tenantId: tenant, moleculeId })).records);
    return records
      .map((r) => ({ molecule: moleculeSummary(r.get('molecule') as MoleculeNode), reason: r.get('reason'), severity: r.get('severity') }))
      .sort((a, b) => compareIds(a.molecule.id, b.molecule.id) || compareIds(a.reason, b.reason));
  }

  async impact(tenant: string, atomId: string, depth: number): Promise<Impact | null> {
    const query = Q.impactQuery(checkDepth(depth));
    return this.read(async (tx) => {
      const [record] = (await tx.run(query, { tenantId: tenant, atomId })).records;
      if (!record) return null;
      const hits = record.get('hits') as { hops: number; atom: AtomNode | null; molecule: MoleculeNode | null }[];
      const molecules = hits.flatMap((h) => (h.molecule ? [{ ...moleculeSummary(h.molecule), hops: h.hops }] : [])).sort(byHopsThenId);
      const atoms = hits.flatMap((h) => (h.atom ? [{ ...atomSummary(h.atom), hops: h.hops }] : [])).sort(byHopsThenId);
      const ids = [...new Set(molecules.map((m) => m.documentId))];
      const docs = new Map(
        (await tx.run(Q.DOCUMENTS_BY_ID, { tenantId: tenant, ids })).records.map((r) => [
          r.get('id') as string,
          { uri: r.get('uri') as string, title: r.get('title') as string },
        ]),
      );
      return { atom: atomSummary(record.get('atom')), depth, molecules, atoms, documents: documentsOf(molecules, (id) => docs.get(id)) };
    });
  }

  async relatedConcepts(tenant: string, atomId: string, depth: number): Promise<RelatedConcept[]> {
    const query = Q.relatedQuery(checkDepth(depth));
    const records = await this.read(async (tx) => (await tx.run(query, { tenantId: tenant, atomId })).records);
    return records
      .map((r) => ({ atom: atomSummary(r.get('atom') as AtomNode), hops: r.get('hops') as number }))
      .sort((a, b) => a.hops - b.hops || compareIds(a.atom.id, b.atom.id));
  }

  async cycles(tenant: string, domain?: string): Promise<Cycle[]> {
    const records = await this.read(async (tx) => (await tx.run(Q.CYCLIC_ATOMS, { tenantId: tenant, domain: domain ?? null })).records);
    const cyclic = new Map(
      records.map((r) => {
        const atom = r.get('atom') as AtomNode;
        return [atom.id, { atom, reach: new Set(r.get('reach') as string[]), steps: r.get('steps') as [string, string][] }];
      }),
    );
    const cycles = new Map<string, Cycle>();
    for (const [id, { reach }] of cyclic) {
      const members = [...cyclic.keys()].filter((b) => b === id || (reach.has(b) && cyclic.get(b)!.reach.has(id))).sort(compareIds);
      const key = members.join('|');
      if (cycles.has(key)) continue;
      const inside = new Set(members);
      const molecules = new Set(members.flatMap((m) => cyclic.get(m)!.steps.filter(([, y]) => inside.has(y)).map(([mol]) => mol)));
      const atoms = members.map((m) => atomSummary(cyclic.get(m)!.atom));
      cycles.set(key, { domain: atoms[0].domain, atoms, molecules: [...molecules].sort(compareIds) });
    }
    return [...cycles.values()].sort((a, b) => compareIds(a.atoms[0].id, b.atoms[0].id));
  }

  async stats(tenant: string): Promise<GraphStats> {
    const nodes = Object.fromEntries(LABELS.map((l) => [l, 0])) as GraphStats['nodes'];
    const relationships = Object.fromEntries(RELATIONSHIP_TYPES.map((t) => [t, 0])) as GraphStats['relationships'];
    await this.read(async (tx) => {
      for (const label of LABELS) {
        nodes[label] = (await tx.run(Q.countNodes(label), { tenantId: tenant })).records[0].get('n') as number;
        for (const r of (await tx.run(Q.countRelationships(label), { tenantId: tenant })).records) {
          relationships[r.get('type') as keyof GraphStats['relationships']] += r.get('n') as number;
        }
      }
    });
    return { nodes, relationships };
  }

  async clearTenant(tenant: string): Promise<void> {
    await this.withSession(async (s) => {
      for (const label of LABELS) await s.run(Q.clearLabel(label), { tenantId: tenant });
    });
  }

  close(): Promise<void> {
    return this.driver.close();
  }

  async documentLinks(tenant: string, documentIds: string[]): Promise<DocumentLinks[]> {
    const params = { tenantId: tenant, documentIds: [...new Set(documentIds)] };
    const records = await this.read(async (tx) => (await tx.run(DOCUMENT_LINKS, params)).records);
    return documentLinksOf(records.map((r) => r.toObject() as LinkFacts));
  }
}
