/**
 * The DDL of the seed's tables (data-structure-reference §2, §4.3, §6.2), as
 * versioned migrations. `s` is the quoted, validated schema name.
 *
 * Departures from the seed, each needed by something the seed asks for:
 * - `tenant_id` is kept on every table (seed §2) although the schema already
 *   isolates (§6.2): its value is the tenant's `public.tenants.id`, so rows can
 *   be merged into a shared schema (§6.5, phase 1) without rewriting.
 * - Names are `TEXT`, not `VARCHAR(255/500/1000)` (domains.name/path,
 *   documents.title, atoms.name): names of any length must round-trip verbatim.
 *   For the same reason they are indexed with hash indexes (a B-tree entry is
 *   limited to ~2.7 kB) and `UNIQUE(tenant_id, path)` is a unique index on
 *   `md5(path)`.
 * - `blocks.document_id` (FK, cascade) and `blocks.position` (document order,
 *   the root block first): the seed reaches blocks only through the
 *   `root_block_id` → `parent_id` tree, which needs a recursive query to list
 *   or delete a document's blocks and has no order. Documents and blocks
 *   reference each other, so the table created first gets its FK by ALTER;
 *   `documents.root_block_id` is DEFERRABLE so a document and its root block
 *   are written in either order inside one transaction.
 * - `documents.uri`: the source file; the document's id is derived from it.
 * - `atoms.unit` (`percent`, `USD`…: `number_value` 0.10 means nothing
 *   without it), `atoms.one_of` (the enumeration of an input declared with
 *   `one of`), `atoms.defined_in` (the block rows that define or extract the
 *   atom: an atom defined in several documents is one row, and it is live while
 *   any block defines it — see writer.ts).
 * - `sync_state.entity_type` also takes 'domain' (seed §4.1 syncs domains).
 * The seed's `blocks.parent_id REFERENCES blocks(id)` cannot hold a document
 * id: the root block has `parent_type = 'document'` and `parent_id = NULL`.
 */

import { DOCUMENT_SOURCES } from './sourcesMigration';

export interface Migration {
  version: number;
  name: string;
  statements: (s: string) => string[];
}

const timestamps = `created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW()`;

export const TENANT_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'seed tables',
    statements: (s) => [
      `CREATE TABLE ${s}.domains (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL,
  name TEXT NOT NULL,
  path TEXT NOT NULL,
  description TEXT,
  owner_id UUID,
  ${timestamps}
)`,
      `CREATE UNIQUE INDEX domains_tenant_path_key ON ${s}.domains (tenant_id, md5(path))`,
      `CREATE INDEX domains_name_idx ON ${s}.domains USING hash (name)`,

      `CREATE TABLE ${s}.blocks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL,
  document_id UUID NOT NULL,
  parent_id UUID REFERENCES ${s}.blocks(id) ON DELETE CASCADE,
  parent_type VARCHAR(20),
  block_type VARCHAR(50) NOT NULL,
  position INTEGER NOT NULL,
  content JSONB NOT NULL,
  atom_ids UUID[],
  molecule_ids UUID[],
  has_children BOOLEAN DEFAULT FALSE,
  archived BOOLEAN DEFAULT FALSE,
  in_trash BOOLEAN DEFAULT FALSE,
  ${timestamps},
  created_by UUID,
  last_edited_by UUID
)`,
      `CREATE INDEX blocks_document_idx ON ${s}.blocks (document_id, position)`,
      `CREATE INDEX blocks_parent_idx ON ${s}.blocks (parent_id)`,
      `CREATE INDEX blocks_atom_ids_idx ON ${s}.blocks USING gin (atom_ids)`,
      `CREATE INDEX blocks_molecule_ids_idx ON ${s}.blocks USING gin (molecule_ids)`,

      `CREATE TABLE ${s}.documents (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL,
  domain_id UUID REFERENCES ${s}.domains(id),
  uri TEXT NOT NULL,
  parent_id UUID,
  parent_type VARCHAR(20),
  root_block_id UUID REFERENCES ${s}.blocks(id) DEFERRABLE INITIALLY DEFERRED,
  properties JSONB,
  icon JSONB,
  cover JSONB,
  title TEXT,
  archived BOOLEAN DEFAULT FALSE,
  in_trash BOOLEAN DEFAULT FALSE,
  ${timestamps},
  created_by UUID,
  last_edited_by UUID
)`,
      `CREATE INDEX documents_domain_idx ON ${s}.documents (domain_id)`,
      `CREATE INDEX documents_title_idx ON ${s}.documents USING hash (title)`,
      `ALTER TABLE ${s}.blocks ADD CONSTRAINT blocks_document_id_fkey
  FOREIGN KEY (document_id) REFERENCES ${s}.documents(id) ON DELETE CASCADE`,

      `CREATE TABLE ${s}.atoms (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL,
  domain_id UUID REFERENCES ${s}.domains(id) ON DELETE SET NULL,
  atom_type VARCHAR(50) NOT NULL,
  text_value TEXT,
  number_value NUMERIC,
  boolean_value BOOLEAN,
  date_value TIMESTAMPTZ,
  json_value JSONB,
  unit TEXT,
  one_of JSONB,
  name TEXT,
  description TEXT,
  confidence FLOAT DEFAULT 1.0,
  source VARCHAR(50) DEFAULT 'ai_extracted',
  defined_in UUID[] NOT NULL DEFAULT '{}',
  version INTEGER DEFAULT 1,
  previous_version UUID REFERENCES ${s}.atoms(id),
  ${timestamps},
  deleted_at TIMESTAMPTZ
)`,
      `CREATE INDEX atoms_domain_idx ON ${s}.atoms (domain_id)`,
      `CREATE INDEX atoms_name_idx ON ${s}.atoms USING hash (name)`,
      `CREATE INDEX atoms_text_value_idx ON ${s}.atoms USING hash (text_value)`,
      `CREATE INDEX atoms_number_value_idx ON ${s}.atoms (number_value) WHERE deleted_at IS NULL`,
      `CREATE INDEX atoms_date_value_idx ON ${s}.atoms (date_value) WHERE deleted_at IS NULL`,
      `CREATE INDEX atoms_defined_in_idx ON ${s}.atoms USING gin (defined_in)`,
      `CREATE INDEX atoms_previous_version_idx ON ${s}.atoms (previous_version)`,

      `CREATE TABLE ${s}.molecule_metadata (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL,
  domain_id UUID REFERENCES ${s}.domains(id) ON DELETE SET NULL,
  molecule_type VARCHAR(50) NOT NULL,
  atom_ids UUID[] NOT NULL,
  configuration JSONB,
  validation_rules JSONB,
  enforcement_level VARCHAR(20) DEFAULT 'warn',
  ${timestamps}
)`,
      `CREATE INDEX molecule_metadata_domain_idx ON ${s}.molecule_metadata (domain_id, molecule_type)`,
      `CREATE INDEX molecule_metadata_atom_ids_idx ON ${s}.molecule_metadata USING gin (atom_ids)`,

      `CREATE TABLE ${s}.sync_state (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id UUID NOT NULL,
  entity_type VARCHAR(50) NOT NULL,
  entity_id UUID NOT NULL,
  postgres_version INTEGER NOT NULL,
  neo4j_version INTEGER,
  postgres_checksum CHAR(64),
  neo4j_checksum CHAR(64),
  sync_status VARCHAR(20) DEFAULT 'pending',
  last_sync_attempt TIMESTAMPTZ,
  sync_error TEXT,
  ${timestamps},
  UNIQUE(tenant_id, entity_type, entity_id)
)`,
      `CREATE INDEX sync_state_pending_idx ON ${s}.sync_state (tenant_id, sync_status)
  WHERE sync_status IN ('pending', 'failed')`,
    ],
  },
  DOCUMENT_SOURCES,
  {
    // The writer looks rows up by entity id alone (any type); the seed's UNIQUE(tenant_id, entity_type, entity_id) cannot serve that.
    version: 3,
    name: 'sync_state entity index',
    statements: (s) => [`CREATE INDEX sync_state_entity_idx ON ${s}.sync_state (entity_id)`],
  },
  {
    // The writer looks rows up by (type, id) through the seed's unique key now (a join with the keys uses it, one
    // search per key): the index was a fourth one to update for every row the sync claims and marks, and to fill at
    // every insert (docs/benchmarks.md, ninth session).
    version: 4,
    name: 'sync_state entity index dropped',
    statements: (s) => [`DROP INDEX IF EXISTS ${s}.sync_state_entity_idx`],
  },
];

/** The public schema holds the tenant directory only (seed §6.2). */
export const PUBLIC_MIGRATIONS: Migration[] = [
  {
    version: 1,
    name: 'tenants',
    statements: (s) => [
      `CREATE TABLE ${s}.tenants (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(255) NOT NULL,
  subdomain VARCHAR(100) UNIQUE NOT NULL,
  schema_name VARCHAR(100) NOT NULL,
  status VARCHAR(20) DEFAULT 'active',
  plan_type VARCHAR(50) DEFAULT 'starter',
  ${timestamps}
)`,
    ],
  },
];
