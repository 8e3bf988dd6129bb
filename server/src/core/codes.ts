/**
 * The finding codes of knowledge-markdown §4, described once for every edge
 * that shows them (CLI text and SARIF rules, the language server's hovers and
 * code descriptions). Plain data: no I/O, no LSP types.
 */
import type { FindingCode, Severity } from './model';

export interface CodeDescription {
  /** A few words, for lists and SARIF `shortDescription`. */
  title: string;
  /** When the checker reports it (the spec's wording), for SARIF `fullDescription`. */
  description: string;
  /** What the author can do about it. */
  help: string;
  /** The usual severity; each finding carries its own (from the rule's enforcement). */
  defaultSeverity: Severity;
}

export const FINDING_CODES: Readonly<Record<FindingCode, CodeDescription>> = {
  'rule-conflict': {
    title: 'Conflicting rules',
    description:
      'Two condition rules (or table rows) can both apply to the same case and set the same target to different values.',
    help: 'Narrow one of the conditions, add an UNLESS exception to one rule, or make both rules set the same value.',
    defaultSeverity: 'warning',
  },
  'duplicate-atom': {
    title: 'Atom defined twice',
    description: 'One atom name is defined twice in the same domain with different values.',
    help: 'Keep one definition and remove or rename the other; the same name in two domains is two atoms.',
    defaultSeverity: 'warning',
  },
  'constraint-violation': {
    title: 'Constraint violated',
    description: 'An atom definition, a rule result, or a table output breaks a constraint on that atom.',
    help: 'Change the value so that it satisfies the MUST BE constraint, or relax the constraint.',
    defaultSeverity: 'warning',
  },
  'requires-missing': {
    title: 'Required atom missing',
    description: 'A REQUIRES names an atom that is neither defined nor set by any rule in that domain.',
    help: 'Define the atom (`- **Name**: value`), add a rule that sets it, or correct the name.',
    defaultSeverity: 'warning',
  },
  'requires-cycle': {
    title: 'Dependency cycle',
    description: 'REQUIRES and rule dependencies form a cycle; the message lists the cycle.',
    help: 'Break the cycle: remove one REQUIRES or one rule dependency on the listed path.',
    defaultSeverity: 'warning',
  },
  'unknown-atom': {
    title: 'Unknown atom',
    description: 'A [[reference]] outside a REQUIRES list names no atom defined or used by a rule in that domain.',
    help: 'Define the atom, or correct the reference (a near miss names the likely atom).',
    defaultSeverity: 'warning',
  },
  'orphan-exception': {
    title: 'Orphan exception',
    description: 'An UNLESS has no rule to attach to, or can never apply inside its rule.',
    help: 'Nest the UNLESS under the rule it narrows, or change its condition so that it can apply.',
    defaultSeverity: 'warning',
  },
  'redundant-rule': {
    title: 'Redundant rule',
    description: 'A rule is fully covered by another rule with the same result.',
    help: 'Remove the redundant rule, or narrow the broader one if the duplication is intended.',
    defaultSeverity: 'information',
  },
  'table-gap': {
    title: 'Decision table gap',
    description: 'A decision-table input combination that no row covers, where the inputs are enumerable or ranges.',
    help: 'Add a row for the uncovered combination, or a catch-all row.',
    defaultSeverity: 'information',
  },
  'parse-error': {
    title: 'Unparsable rule',
    description: 'A line that starts with a rule keyword but cannot be parsed.',
    help: 'Fix the rule syntax at the reported place (the message says what was expected), or reword the line so it does not start with a rule keyword.',
    defaultSeverity: 'warning',
  },
};

/** Every code, in the spec's order. */
export const FINDING_CODE_LIST = Object.keys(FINDING_CODES) as FindingCode[];
