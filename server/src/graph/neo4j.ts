/**
 * The GraphStore on a real Neo4j (neo4j-driver). One write transaction per
 * document, rows batched with UNWIND, every value a parameter
 * (`cypher.ts`). Integers come back as JS numbers (`disableLosslessIntegers`).
 */
import neo4j, { type Driver, type ManagedTransaction } from 'neo4j-driver';
import * as Q from './cypher';
import {
  LABELS,
  RELATIONSHIP_TYPES,
  graphKeys,
  sortGraph,
  type AtomNode,
  type Conflict,
  type DocumentGraph,
  type GraphKeys,
  type MoleculeNode,
  type PartOfRole,
  type Relation,
} from './model';
import { ensureSchema } from './neo4jSchema';
import { appearsInFrom, documentParams, rowsOf } from './neo4jRows';
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

const CHUNK = 10_000;
const NOTHING: GraphKeys = { blocks: [], molecules: [], appearsIn: [], partOf: [], requires: [], defined: [] };

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

  async replaceDocument(tenant: string, graph: DocumentGraph): Promise<void> {
    checkTenant(tenant, graph);
    const documentId = graph.document.id;
    const keys = graphKeys(graph);
    const rows = rowsOf(graph);
    await this.write(async (tx) => {
      const old = await this.prune(tx, tenant, documentId, keys, graph.domain.id);
      const params = { tenantId: tenant, documentId, domainId: graph.domain.id };
      await tx.run(Q.MERGE_DOCUMENT, { ...params, ...documentParams(graph) });
      const batches: [string, Record<string, unknown>[]][] = [
        [Q.MERGE_BLOCKS, rows.blocks],
        [Q.MERGE_ATOMS, rows.atoms],
        [Q.MERGE_MOLECULES, rows.molecules],
        [Q.MERGE_ATOM_PART_OF, rows.atomPartOf],
        [Q.MERGE_EXCEPTION_PART_OF, rows.exceptionPartOf],
        [Q.MERGE_APPEARS_IN, rows.appearsIn],
        [Q.MERGE_REQUIRES, rows.requires],
      ];
      for (const [query, all] of batches) {
        for (let i = 0; i < all.length; i += CHUNK) await tx.run(query, { ...params, rows: all.slice(i, i + CHUNK) });
      }
      await this.collect(tx, tenant, documentId, old, keys.defined);
    });
  }

  async removeDocument(tenant: string, documentId: string): Promise<void> {
    await this.write(async (tx) => {
      const old = await this.prune(tx, tenant, documentId, NOTHING, null);
      await tx.run(Q.DELETE_DOCUMENT, { tenantId: tenant, documentId });
      await this.collect(tx, tenant, documentId, old, []);
    });
  }

  private async prune(
    tx: ManagedTransaction,
    tenant: string,
    documentId: string,
    keep: GraphKeys,
    domainId: string | null,
  ): Promise<{ atoms: string[]; domains: string[] }> {
    const params = { tenantId: tenant, documentId };
    const atoms = (await tx.run(Q.DOCUMENT_ATOMS, params)).records.map((r) => r.get('id') as string);
    const domains = (await tx.run(Q.DOCUMENT_DOMAINS, params)).records.map((r) => r.get('id') as string);
    for (const query of Q.PRUNE) await tx.run(query, { ...params, ...keep, domainId });
    return { atoms, domains };
  }

  private async collect(
    tx: ManagedTransaction,
    tenant: string,
    documentId: string,
    old: { atoms: string[]; domains: string[] },
    defined: string[],
  ): Promise<void> {
    for (const query of Q.COLLECT) await tx.run(query, { tenantId: tenant, documentId, ...old, defined });
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
      for (let i = 0; i < rows.length; i += CHUNK) await tx.run(merge, { tenantId: tenant, rows: rows.slice(i, i + CHUNK) });
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
}
