/**
 * Stable UUIDs for what the stores hold, derived from identity (seed: UUID
 * primary keys). The same knowledge always maps to the same ids, so a sync
 * is idempotent and PostgreSQL and Neo4j agree without a lookup.
 *
 * Identity (knowledge-markdown §2): an atom is (tenant, domain, normalised
 * name); a document is (tenant, uri); a block and a molecule live in their
 * document; an unnamed (heuristic) atom is (document, block, span).
 */
import { randomBytes } from 'node:crypto';
import { uuidFrom } from '../core/markdown/ids';

export function domainId(tenant: string, domain: string): string {
  return uuidFrom(`domain\0${tenant}\0${domain}`);
}

export function documentId(tenant: string, uri: string): string {
  return uuidFrom(`document\0${tenant}\0${uri}`);
}

/** Block ids are already UUIDs (see core/markdown/ids.ts); scoped by tenant so two tenants never share a row id. */
export function blockRowId(tenant: string, uri: string, blockId: string): string {
  return uuidFrom(`block\0${tenant}\0${uri}\0${blockId}`);
}

export function atomId(tenant: string, domain: string, key: string): string {
  return uuidFrom(`atom\0${tenant}\0${domain}\0${key}`);
}

export function extractedAtomId(tenant: string, uri: string, blockId: string, start: number, end: number): string {
  return uuidFrom(`extracted\0${tenant}\0${uri}\0${blockId}\0${start}\0${end}`);
}

/** Molecule ids in a snapshot (`blockId`, `blockId#row2`, `blockId#unless0`) are unique per document. */
export function moleculeRowId(tenant: string, uri: string, moleculeId: string): string {
  return uuidFrom(`molecule\0${tenant}\0${uri}\0${moleculeId}`);
}

export function tenantRowId(tenant: string): string {
  return uuidFrom(`tenant\0${tenant}`);
}

/** The synthetic root block of a document (seed: `documents.root_block_id`); its children are the document's top-level blocks. */
export function rootBlockId(tenant: string, uri: string): string {
  return uuidFrom(`root-block\0${tenant}\0${uri}`);
}

/** The history row holding version `version` of an atom (the current row keeps the atom's id; see writer.ts). */
export function atomVersionId(atomRowId: string, version: number): string {
  return uuidFrom(`atom-version\0${atomRowId}\0${version}`);
}

/**
 * `count` new UUIDs of version 7 (RFC 9562): the time in milliseconds, then
 * random bits. Rows given them (`sync_state`, whose ids mean nothing) are
 * added at the end of their primary key's B-tree instead of all over it, so
 * a large table's inserts keep touching the same few pages.
 */
export function timeOrderedIds(count: number, now: number = Date.now()): string[] {
  const bytes = randomBytes(16 * count);
  for (let at = 0; at < bytes.length; at += 16) {
    bytes.writeUIntBE(now, at, 6);
    bytes[at + 6] = 0x70 | (bytes[at + 6] & 0x0f);
    bytes[at + 8] = 0x80 | (bytes[at + 8] & 0x3f);
  }
  const hex = bytes.toString('hex');
  const ids: string[] = new Array(count);
  for (let i = 0, at = 0; i < count; i++, at += 32) {
    ids[i] = `${hex.slice(at, at + 8)}-${hex.slice(at + 8, at + 12)}-${hex.slice(at + 12, at + 16)}-${hex.slice(at + 16, at + 20)}-${hex.slice(at + 20, at + 32)}`;
  }
  return ids;
}
