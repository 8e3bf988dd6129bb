/**
 * Document graphs as Neo4j parameter rows: fields picked explicitly (a
 * stray key can never become a property such as `tenantId`), integers sent
 * as Neo4j integers, spans as JSON (properties cannot be maps).
 *
 * A batch is a list of documents with distinct ids, written as if one after
 * the other (`batchRows`); `distinctRuns` cuts a longer list into such batches.
 */
import neo4j from 'neo4j-driver';
import { graphKeys, type AppearsIn, type DocumentGraph } from './model';
import { atomWrite } from './summaries';

/** Rows (or `$docs` entries) per statement, so that a huge batch does not make a huge parameter. */
export const CHUNK = 10_000;

/** A `$docs` row of the prune step: the document, its new domain (null: none) and the keys to keep. */
export interface KeepRow {
  id: string;
  domainId: string | null;
  blocks: string[];
  molecules: string[];
  appearsIn: string[];
  partOf: string[];
  requires: string[];
}

export type Row = Record<string, unknown>;

/** Rows that share a node looked up once (`id`: a document or domain). */
export interface Group {
  id: string;
  rows: Row[];
}

/**
 * A relationship: `from` and `to` are graph ids (ids of atoms, molecules or
 * documents) until the writer replaces them with the nodes' element ids
 * (`linkRows`); the other keys are its properties.
 */
export interface Link extends Row {
  from: string;
  to: string;
}

/** What one document owns: its node, blocks, molecules and their relationships. */
export interface DocumentRows {
  id: string;
  document: Row;
  blocks: Row[];
  molecules: Row[];
  /** Atom → molecule, and exception → the rule it narrows. */
  partOf: Link[];
  /** Molecule → atom. */
  requires: Link[];
  /** Atom → document. */
  appearsIn: Link[];
}

export interface BatchRows {
  keep: KeepRow[];
  /** Atoms each document defines now (by document id), for collection. */
  defined: Map<string, string[]>;
  /** Atoms by domain (`id`: the domain's id). */
  atoms: Group[];
  documents: DocumentRows[];
}

/** The parameters of the statements that write some documents of a batch (`writeRows`). */
export interface WriteRows {
  documents: Row[];
  /** Blocks by document (`id`: the document's id). */
  blocks: Group[];
  molecules: Row[];
  partOf: Link[];
  requires: Link[];
  appearsIn: Link[];
}

/** Consecutive runs of documents with distinct ids; a document seen again starts a new run (so the later version wins). */
export function distinctRuns(graphs: DocumentGraph[]): DocumentGraph[][] {
  const runs: DocumentGraph[][] = [];
  let ids = new Set<string>();
  for (const graph of graphs) {
    if (runs.length === 0 || ids.has(graph.document.id)) {
      runs.push([]);
      ids = new Set();
    }
    runs[runs.length - 1].push(graph);
    ids.add(graph.document.id);
  }
  return runs;
}

/**
 * Rows of documents with distinct ids. A graph's PART_OF and REQUIRES are
 * written with its molecules (toGraph's relationships start or end at the
 * document's own molecules).
 */
export function batchRows(graphs: DocumentGraph[]): BatchRows {
  const keep: KeepRow[] = [];
  const defined = new Map<string, string[]>();
  for (const graph of graphs) {
    const { defined: atoms, ...keys } = graphKeys(graph);
    keep.push({ id: graph.document.id, domainId: graph.domain.id, ...keys });
    defined.set(graph.document.id, atoms);
  }
  return { keep, defined, atoms: atomGroups(graphs), documents: graphs.map(documentRows) };
}

/**
 * A document's rows. A relationship listed twice is sent once, with its last
 * values: what MERGE makes of it, and what lets new documents CREATE theirs.
 */
function documentRows(graph: DocumentGraph): DocumentRows {
  const docId = graph.document.id;
  return {
    id: docId,
    document: documentRow(graph),
    blocks: graph.blocks.map(({ id, blockType, parentId, order, checksum }) => ({ id, blockType, parentId, order: neo4j.int(order), checksum })),
    molecules: graph.molecules.map(
      ({ id, type, moleculeType, ruleType, summary, condition, result, configuration, enforcement, domain, documentId, blockId }) => ({
        id,
        type,
        moleculeType,
        ruleType,
        summary,
        condition,
        result,
        configuration,
        enforcement,
        domain,
        documentId,
        blockId,
      }),
    ),
    partOf: lastBy(graph.partOf, (r) => `${r.from}|${r.to}|${r.role}`).map(({ from, to, role, order }) => ({ from, to, role, order: neo4j.int(order) })),
    requires: lastBy(graph.requires, (r) => `${r.moleculeId}|${r.atomId}`).map(({ moleculeId, atomId, type, enforcement }) => ({
      from: moleculeId,
      to: atomId,
      type,
      enforcement,
    })),
    appearsIn: lastBy(graph.appearsIn, (r) => `${r.atomId}|${r.blockId}`).map(({ atomId, blockId, spans, confidence, source }) => ({
      from: atomId,
      to: docId,
      blockId,
      spans: JSON.stringify(spans.map(({ start, end }) => ({ start, end }))),
      confidence,
      source,
    })),
  };
}

/** The statements' parameters for `docs`. */
export function writeRows(docs: DocumentRows[]): WriteRows {
  return {
    documents: docs.map((d) => d.document),
    blocks: docs.flatMap((d) => groups(d.id, d.blocks)),
    molecules: docs.flatMap((d) => d.molecules),
    partOf: docs.flatMap((d) => d.partOf),
    requires: docs.flatMap((d) => d.requires),
    appearsIn: docs.flatMap((d) => d.appearsIn),
  };
}

/**
 * `links` with their ends as element ids (`from` looked up in `fromIds`, `to`
 * in `toIds`). A link with an end neither map holds is left out, as a MATCH
 * of a node that does not exist gives no row.
 */
export function linkRows(links: Link[], fromIds: ReadonlyMap<string, string>, toIds: ReadonlyMap<string, string>): Link[] {
  const rows: Link[] = [];
  for (const link of links) {
    const from = fromIds.get(link.from);
    const to = toIds.get(link.to);
    if (from !== undefined && to !== undefined) rows.push({ ...link, from, to });
  }
  return rows;
}

/** One item per key, at its first place, with the last value given for it. */
function lastBy<T>(items: T[], key: (item: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const item of items) byKey.set(key(item), item);
  return [...byKey.values()];
}

/** `rows` under `id`, in groups of at most CHUNK rows. */
function groups(id: string, rows: Row[]): Group[] {
  const out: Group[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) out.push({ id, rows: rows.slice(i, i + CHUNK) });
  return out;
}

function documentRow(graph: DocumentGraph): Row {
  const { id, uri, title, type, domain } = graph.document;
  return { document: { id, uri, title, type, domain }, domain: { id: graph.domain.id, name: graph.domain.name } };
}

/**
 * One row per atom, grouped by domain, as writing the documents in order
 * would leave it: the last document defining the atom gives its value; an
 * atom the batch only uses is created (if new) as its first user writes it.
 */
function atomGroups(graphs: DocumentGraph[]): Group[] {
  const rows = new Map<string, { domainId: string; row: Row }>();
  for (const graph of graphs) {
    for (const atom of graph.atoms) {
      const { base, defines } = atomWrite(atom, graph.document.id);
      if (!defines && rows.has(atom.id)) continue;
      const { id, name, key, domain, type, value, unit, canonical, oneOf, confidence, source, definedIn } = base;
      const fields = { id, name, key, domain, type, value, unit, canonical, oneOf, confidence, source, definedIn };
      rows.set(atom.id, { domainId: graph.domain.id, row: { defines, base: fields } });
    }
  }
  const byDomain = new Map<string, Row[]>();
  for (const { domainId, row } of rows.values()) push(byDomain, domainId, row);
  return [...byDomain].flatMap(([id, domainRows]) => groups(id, domainRows));
}

function push<T>(map: Map<string, T[]>, key: string, item: T): void {
  const list = map.get(key);
  if (list) list.push(item);
  else map.set(key, [item]);
}

/** Consecutive groups whose total weight is at most CHUNK (a heavier item goes alone). */
export function chunked<T>(items: T[], weight: (item: T) => number = () => 1): T[][] {
  const chunks: T[][] = [];
  let load = Infinity;
  for (const item of items) {
    const w = weight(item);
    if (load + w > CHUNK) {
      chunks.push([]);
      load = 0;
    }
    chunks[chunks.length - 1].push(item);
    load += w;
  }
  return chunks;
}

export function appearsInFrom(row: Record<string, unknown>): AppearsIn {
  return { ...(row as Omit<AppearsIn, 'spans'>), spans: JSON.parse(row.spans as string) as AppearsIn['spans'] };
}
