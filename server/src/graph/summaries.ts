/** The slices of nodes that query results carry, shared by both stores. */
import type { AtomNode, MoleculeNode } from './model';
import type { AtomSummary, MoleculeSummary } from './store';

export function atomSummary(a: AtomNode): AtomSummary {
  return { id: a.id, name: a.name, domain: a.domain, type: a.type, canonical: a.canonical };
}

export function moleculeSummary(m: MoleculeNode): MoleculeSummary {
  return {
    id: m.id,
    moleculeType: m.moleculeType,
    ruleType: m.ruleType,
    summary: m.summary,
    enforcement: m.enforcement,
    domain: m.domain,
    documentId: m.documentId,
    blockId: m.blockId,
  };
}

/** What an atom keeps when the document that defined its value no longer does. */
export const UNDEFINED_VALUE = {
  type: null,
  value: null,
  unit: null,
  canonical: null,
  oneOf: null,
  definedIn: null,
} as const satisfies Partial<AtomNode>;

/**
 * How a document's atom is written: an atom the document defines is written
 * whole; an atom it only uses is created without a value and otherwise left
 * as it is (another document may define it).
 */
export function atomWrite(atom: AtomNode, documentId: string): { base: AtomNode; defines: boolean } {
  const defines = atom.definedIn === documentId;
  return { base: defines ? atom : { ...atom, ...UNDEFINED_VALUE }, defines };
}
