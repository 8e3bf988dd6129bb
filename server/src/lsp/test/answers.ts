/** What the features read across documents, for tests that compare two ways of building a knowledge base. */
import { searchSymbols } from '../features/workspaceSymbols';
import type { KnowledgeBase } from '../knowledge';
import { localImpact } from '../localImpact';

/** Everything the features read across documents, as plain data. */
export function answers(kb: KnowledgeBase): unknown[] {
  const out: unknown[] = [kb.workspace.findings()];
  for (const domain of kb.domains()) {
    // Sorted: the order atoms were first seen in is no answer (documents arrive in another order from workers).
    for (const key of [...kb.atomNames(domain).keys()].sort()) {
      out.push(kb.occurrences(domain, key).map((o) => [o.uri, o.kind, kb.range(o)]));
      out.push(localImpact(kb, domain, key, 3));
    }
  }
  for (const query of ['rate', 'withholding', 'sin', 'r', 'quebec']) out.push(searchSymbols(kb, query));
  return out;
}
