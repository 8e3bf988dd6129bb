/**
 * `orphan-exception` (knowledge-markdown §4): an UNLESS with no rule to
 * attach to, or one that can never apply inside its rule.
 */
import type { ConditionMolecule, ExceptionMolecule, Finding } from '../model';
import { conditionRegion, memoChunks } from './cached';
import { finding, moleculeKey, type DomainView, type ExceptionEntry, type PlaceMessage, type RuleEntry } from './context';
import { collectNames, describeCase, intersect, isEmpty } from './region';

/** Why an exception can never apply inside its rule (position-free); undefined when it can apply. */
type Never = { why: 'never-true' } | { why: 'rule-never' } | { why: 'only'; when: string };

export function checkExceptions(view: DomainView): Finding[] {
  // Position-free, so memoised whole while the rules, constraints and exceptions are the same.
  const { parents, verdicts } = view.memo(
    'whole:exceptions',
    [view.epoch, view.rules, view.constraints, view.exceptions],
    () => analyseExceptions(view),
    () => [view.epoch, ...view.rules, null, ...view.constraints, null, ...view.exceptions],
  );
  const findings: Finding[] = [];
  view.exceptions.forEach((entry, i) => {
    const parent = parents[i];
    if (parent === null) return;
    if (!parent) {
      findings.push(
        orphan(view, entry, 'This UNLESS has no rule to attach to: nest it under the rule it narrows, or write it at the end of that rule'),
      );
      return;
    }
    const never = verdicts[i];
    if (!never) return;
    const parentPlace = { uri: parent.uri, blockId: parent.molecule.blockId, span: parent.molecule.span };
    const why =
      never.why === 'never-true'
        ? 'its condition can never be true'
        : never.why === 'rule-never'
          ? `the rule at ${view.describe(parentPlace)} itself can never apply`
          : `the rule at ${view.describe(parentPlace)} applies only ${never.when}`;
    findings.push(orphan(view, entry, `This UNLESS can never apply inside its rule: ${why}`, [{ place: parentPlace, message: 'The rule it narrows' }]));
  });
  return findings;
}

/** Each exception's rule (undefined: an orphan; null: it narrows a constraint) and whether it can never apply there. */
function analyseExceptions(view: DomainView): { parents: (RuleEntry | null | undefined)[]; verdicts: (Never | undefined)[] } {
  // Molecule ids are unique within a document, so a parent is looked up by (uri, id).
  const rules = new Map<string, Map<string, RuleEntry>>();
  for (const r of view.rules) byUri(rules, r.uri).set(r.molecule.id, r);
  const constraints = new Map<string, Set<string>>();
  for (const c of view.constraints) {
    const ids = constraints.get(c.uri);
    if (ids) ids.add(c.molecule.id);
    else constraints.set(c.uri, new Set([c.molecule.id]));
  }
  // Each exception with the rule it narrows: undefined for an orphan, null when it narrows a constraint.
  const parents = view.exceptions.map(({ uri, molecule }): RuleEntry | null | undefined => {
    const parentId = molecule.parentId;
    if (parentId === null) return undefined;
    // A constraint's exception names cases the constraint does not bind; it has no condition to fall outside of.
    if (constraints.get(uri)?.has(parentId)) return null;
    return rules.get(uri)?.get(parentId);
  });
  const items = view.exceptions.map((entry, i) => ({ entry, parent: parents[i] }));
  const verdicts = memoChunks(view, 'exceptions', items, {
    id: ({ entry }) => entry.molecule.id,
    key: ({ entry }) => moleculeKey(entry.uri, entry.molecule.id),
    deps: ({ entry, parent }, into) => into.push(entry.molecule, parent ? parent.molecule : parent),
    compute: ({ entry, parent }) => (parent ? neverApplies(view, entry.uri, entry.molecule, parent.molecule) : undefined),
    average: 8,
  });
  return { parents, verdicts };
}

/** Whether an exception can never apply inside its rule, and why. */
function neverApplies(view: DomainView, uri: string, molecule: ExceptionMolecule, parent: ConditionMolecule): Never | undefined {
  const own = conditionRegion(view, uri, molecule);
  const ruleRegion = conditionRegion(view, uri, parent);
  if (!isEmpty(intersect(own, ruleRegion))) return undefined;
  if (isEmpty(own)) return { why: 'never-true' };
  if (isEmpty(ruleRegion)) return { why: 'rule-never' };
  return { why: 'only', when: describeCase(ruleRegion, collectNames(parent.condition, new Map())) };
}

function byUri<T>(map: Map<string, Map<string, T>>, uri: string): Map<string, T> {
  let inner = map.get(uri);
  if (!inner) map.set(uri, (inner = new Map()));
  return inner;
}

function orphan(view: DomainView, { uri, molecule }: ExceptionEntry, message: string, related: PlaceMessage[] = []): Finding {
  return finding(view, 'orphan-exception', 'warning', { uri, blockId: molecule.blockId, span: molecule.span }, message, related);
}
