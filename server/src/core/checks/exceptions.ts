/**
 * `orphan-exception` (knowledge-markdown §4): an UNLESS with no rule to
 * attach to, or one that can never apply inside its rule.
 */
import type { ConditionMolecule, ExceptionMolecule, Finding } from '../model';
import { carried, conditionRegion, Grouping } from './cached';
import { finding, moleculeKey, type ConstraintEntry, type DomainView, type ExceptionEntry, type PlaceMessage, type RuleEntry } from './context';
import { collectNames, describeCase, isEmpty, regionsOverlap } from './region';

/** Why an exception can never apply inside its rule (position-free); undefined when it can apply. */
type Never = { why: 'never-true' } | { why: 'rule-never' } | { why: 'only'; when: string };

export function checkExceptions(view: DomainView): Finding[] {
  const { parents, verdicts } = analyseExceptions(view);
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

/** What the check carries from refresh to refresh: rules and constraints by molecule key, and each exception's verdict. */
interface ExceptionState {
  rules: Grouping<RuleEntry, RuleEntry>;
  constraints: Grouping<ConstraintEntry, ConstraintEntry>;
  /** Per exception: the parent it was judged inside, the verdict (position-free), and the generation of `view.answers` it is up to. */
  verdicts: WeakMap<ExceptionEntry, { parent: RuleEntry | null | undefined; never: Never | undefined; generation: number }>;
}

/**
 * Each exception's rule (undefined: an orphan; null: it narrows a constraint) and whether it can never
 * apply there. Carried across refreshes: an exception is judged again only when it, or the rule it
 * narrows, was replaced, or what the definitions answer for their names changed.
 */
function analyseExceptions(view: DomainView): { parents: (RuleEntry | null | undefined)[]; verdicts: (Never | undefined)[] } {
  const state = carried<ExceptionState>(view, 'exceptions', () => ({
    rules: new Grouping<RuleEntry, RuleEntry>((r, add) => add(moleculeKey(r.uri, r.molecule.id), r), (r) => r),
    constraints: new Grouping<ConstraintEntry, ConstraintEntry>((c, add) => add(moleculeKey(c.uri, c.molecule.id), c), (c) => c),
    verdicts: new WeakMap(),
  }));
  state.rules.update(view.rules);
  state.constraints.update(view.constraints);
  const { answers } = view;
  const parents: (RuleEntry | null | undefined)[] = [];
  const verdicts: (Never | undefined)[] = [];
  for (const entry of view.exceptions) {
    const parentId = entry.molecule.parentId;
    // Molecule ids are unique within a document, so a parent is found by (uri, id). A constraint's
    // exception names cases the constraint does not bind; it has no condition to fall outside of.
    const key = parentId === null ? undefined : moleculeKey(entry.uri, parentId);
    const parent = key === undefined ? undefined : state.constraints.get(key) ? null : state.rules.get(key)?.at(-1);
    let known = state.verdicts.get(entry);
    if (known && known.generation !== answers.generation) {
      const since = known.generation;
      if (answers.changed(entry.molecule, since) || (parent && answers.changed(parent.molecule, since))) known = undefined;
      else known.generation = answers.generation;
    }
    if (!known || known.parent !== parent) {
      known = { parent, never: parent ? neverApplies(view, entry.uri, entry.molecule, parent.molecule) : undefined, generation: answers.generation };
      state.verdicts.set(entry, known);
    }
    parents.push(parent);
    verdicts.push(known.never);
  }
  return { parents, verdicts };
}

/** Whether an exception can never apply inside its rule, and why. */
function neverApplies(view: DomainView, uri: string, molecule: ExceptionMolecule, parent: ConditionMolecule): Never | undefined {
  const own = conditionRegion(view, uri, molecule);
  const ruleRegion = conditionRegion(view, uri, parent);
  if (regionsOverlap(own, ruleRegion)) return undefined;
  if (isEmpty(own)) return { why: 'never-true' };
  if (isEmpty(ruleRegion)) return { why: 'rule-never' };
  return { why: 'only', when: describeCase(ruleRegion, collectNames(parent.condition, new Map())) };
}

function orphan(view: DomainView, { uri, molecule }: ExceptionEntry, message: string, related: PlaceMessage[] = []): Finding {
  return finding(view, 'orphan-exception', 'warning', { uri, blockId: molecule.blockId, span: molecule.span }, message, related);
}
