/** What the features read across documents, for tests that compare two ways of building a knowledge base. */
import { searchSymbols } from '../features/workspaceSymbols';
import type { KnowledgeBase } from '../knowledge';
import { localImpact } from '../localImpact';

/** Everything the features read across documents, as plain data. */
export function answers(kb: KnowledgeBase): unknown[] {
  const out: unknown[] = [kb.workspace.findings()];
  for (const domain of kb.domains()) {
    // Sorted: the order atoms were first seen in is no answer (documents arrive in another order from workers).
    const names = kb.atomNames(domain);
    for (const key of [...names.keys()].sort()) {
      out.push([key, names.get(key)]);
      // Every field, the range, and the name found at the place again.
      out.push(kb.occurrences(domain, key).map((o) => ({ ...o, range: kb.range(o), at: kb.occurrenceAt(o.uri, o.offset) })));
      out.push(localImpact(kb, domain, key, 3));
    }
  }
  for (const query of ['rate', 'withholding', 'sin', 'r', 'quebec']) out.push(searchSymbols(kb, query));
  return out;
}
