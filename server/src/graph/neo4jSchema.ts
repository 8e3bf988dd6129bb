/**
 * Neo4j schema, created idempotently at connect. Community 5.26 supports
 * composite uniqueness (NODE KEY / NOT NULL are Enterprise-only).
 *
 * The seed's `tenant_atom_idx` / `tenant_molecule_idx` index (tenantId, id);
 * a uniqueness constraint on the same properties creates exactly that range
 * index and Neo4j allows no second one on the same schema, so the
 * constraints carry the seed's index names (their backing index has the
 * constraint's name).
 */
import type { Driver } from 'neo4j-driver';

export const SCHEMA: readonly string[] = [
  'CREATE CONSTRAINT tenant_atom_idx IF NOT EXISTS FOR (n:Atom) REQUIRE (n.tenantId, n.id) IS UNIQUE',
  'CREATE CONSTRAINT tenant_molecule_idx IF NOT EXISTS FOR (n:Molecule) REQUIRE (n.tenantId, n.id) IS UNIQUE',
  'CREATE CONSTRAINT tenant_document_idx IF NOT EXISTS FOR (n:Document) REQUIRE (n.tenantId, n.id) IS UNIQUE',
  'CREATE CONSTRAINT tenant_block_idx IF NOT EXISTS FOR (n:Block) REQUIRE (n.tenantId, n.id) IS UNIQUE',
  'CREATE CONSTRAINT tenant_domain_idx IF NOT EXISTS FOR (n:Domain) REQUIRE (n.tenantId, n.id) IS UNIQUE',
  // A document's rules (replace / remove) and a domain's atoms and rules (cycles, conflicts, relations).
  'CREATE INDEX tenant_molecule_document_idx IF NOT EXISTS FOR (n:Molecule) ON (n.tenantId, n.documentId)',
  'CREATE INDEX tenant_molecule_domain_idx IF NOT EXISTS FOR (n:Molecule) ON (n.tenantId, n.domain)',
  'CREATE INDEX tenant_atom_domain_idx IF NOT EXISTS FOR (n:Atom) ON (n.tenantId, n.domain)',
];

/** Another connection creating the same rule at the same moment is not an error. */
const RACE = /EquivalentSchemaRuleAlreadyExists|ConstraintAlreadyExists|IndexAlreadyExists/;

export async function ensureSchema(driver: Driver, database?: string): Promise<void> {
  const session = driver.session({ database });
  try {
    for (const statement of SCHEMA) {
      try {
        await session.run(statement);
      } catch (error) {
        if (!RACE.test(String((error as { code?: string }).code))) throw error;
      }
    }
    await session.run('CALL db.awaitIndexes(300)');
  } finally {
    await session.close();
  }
}
