/**
 * `orphan-exception` (knowledge-markdown §4): an UNLESS with no rule to
 * attach to, or one that can never apply inside its rule.
 */
import type { Finding } from '../model';
import { finding, type DomainView, type ExceptionEntry, type PlaceMessage } from './context';
import { collectNames, conditionToRegion, describeCase, intersect, isEmpty } from './region';

export function checkExceptions(view: DomainView): Finding[] {
  const rules = new Map(view.rules.map((r) => [ruleKey(r.uri, r.molecule.id), r]));
  const constraints = new Set(view.constraints.map((c) => ruleKey(c.uri, c.molecule.id)));
  const findings: Finding[] = [];
  for (const entry of view.exceptions) {
    const { uri, molecule } = entry;
    const key = molecule.parentId === null ? undefined : ruleKey(uri, molecule.parentId);
    // A constraint's exception names cases the constraint does not bind; it has no condition to fall outside of.
    if (key !== undefined && constraints.has(key)) continue;
    const parent = key === undefined ? undefined : rules.get(key);
    if (!parent) {
      findings.push(
        orphan(view, entry, 'This UNLESS has no rule to attach to: nest it under the rule it narrows, or write it at the end of that rule'),
      );
      continue;
    }
    const own = conditionToRegion(molecule.condition, view.resolve, view.enumeration);
    const ruleRegion = conditionToRegion(parent.molecule.condition, view.resolve, view.enumeration);
    if (!isEmpty(intersect(own, ruleRegion))) continue;
    const parentPlace = { uri: parent.uri, blockId: parent.molecule.blockId, span: parent.molecule.span };
    const names = collectNames(parent.molecule.condition, new Map());
    const why = isEmpty(own)
      ? 'its condition can never be true'
      : isEmpty(ruleRegion)
        ? `the rule at ${view.describe(parentPlace)} itself can never apply`
        : `the rule at ${view.describe(parentPlace)} applies only ${describeCase(ruleRegion, names)}`;
    findings.push(orphan(view, entry, `This UNLESS can never apply inside its rule: ${why}`, [{ place: parentPlace, message: 'The rule it narrows' }]));
  }
  return findings;
}

/** Molecule ids are unique within a document, so a parent is looked up by (uri, id). */
function ruleKey(uri: string, id: string): string {
  return `${uri}\n${id}`;
}

function orphan(view: DomainView, { uri, molecule }: ExceptionEntry, message: string, related: PlaceMessage[] = []): Finding {
  return finding(view, 'orphan-exception', 'warning', { uri, blockId: molecule.blockId, span: molecule.span }, message, related);
}
