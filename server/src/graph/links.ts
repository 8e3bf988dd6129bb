/**
 * What the graph says a document's PostgreSQL arrays should hold (seed §3.3,
 * §4.2 pattern 2: Neo4j is the source of truth for relationships). Both
 * stores gather the same raw facts and shape them here, so they answer
 * identically, and the shape is exactly what `persistence/records.ts` writes
 * for a document, so a freshly synced document reflects as "no change":
 *
 * - `molecule_metadata.atom_ids`: the atoms PART_OF the molecule plus the
 *   atoms it REQUIRES (records.ts lists every atom a rule mentions, required
 *   ones included). Exceptions PART_OF a rule are molecules, not atoms, and
 *   are not listed.
 * - `blocks.atom_ids`: the atoms that APPEAR_IN the document with the
 *   block's id.
 * - `blocks.molecule_ids`: the document's molecules whose `blockId` is the block.
 *
 * Every list is sorted and distinct. records.ts sorts the block arrays; a
 * molecule's `atom_ids` are in the order the rule mentions them, so compare
 * those as sets.
 */
import { compareIds } from './store';

export interface DocumentLinks {
  documentId: string;
  /** Every molecule of the document, by id. */
  molecules: { id: string; atomIds: string[] }[];
  /** Every block of the document (not the root block, which only PostgreSQL has), by id. */
  blocks: { id: string; atomIds: string[]; moleculeIds: string[] }[];
}

/** The raw facts a store reads for one document. */
export interface LinkFacts {
  documentId: string;
  blockIds: string[];
  /** `[blockId, atomId]` per APPEARS_IN relationship into the document. */
  appears: [string, string][];
  /** Per molecule: its `blockId` and the atoms PART_OF it or REQUIRED by it. */
  molecules: { id: string; blockId: string; atomIds: string[] }[];
}

/** One entry per document the facts describe, sorted by document id (see the header for the shape). */
export function documentLinksOf(facts: LinkFacts[]): DocumentLinks[] {
  return facts.map(linksOf).sort((a, b) => compareIds(a.documentId, b.documentId));
}

function linksOf(facts: LinkFacts): DocumentLinks {
  const atomsOf = new Map<string, Set<string>>(facts.blockIds.map((id) => [id, new Set<string>()]));
  const moleculesOf = new Map<string, Set<string>>(facts.blockIds.map((id) => [id, new Set<string>()]));
  for (const [blockId, atomId] of facts.appears) atomsOf.get(blockId)?.add(atomId);
  for (const m of facts.molecules) moleculesOf.get(m.blockId)?.add(m.id);
  return {
    documentId: facts.documentId,
    molecules: facts.molecules.map((m) => ({ id: m.id, atomIds: sorted(m.atomIds) })).sort((a, b) => compareIds(a.id, b.id)),
    blocks: sorted(facts.blockIds).map((id) => ({ id, atomIds: sorted(atomsOf.get(id)!), moleculeIds: sorted(moleculesOf.get(id)!) })),
  };
}

function sorted(ids: Iterable<string>): string[] {
  return [...new Set(ids)].sort(compareIds);
}
