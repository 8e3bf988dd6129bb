/** How a rule becomes a Molecule node and the roles of the atoms in it. */
import type { AtomRef, Condition, Molecule, Operand } from '../core/model';
import { describeCondition } from '../core/rules';
import type { MoleculeNode, PartOfRole } from './model';

export interface AtomRole {
  ref: AtomRef;
  role: Exclude<PartOfRole, 'exception'>;
}

/**
 * The atoms a rule uses, in the order written, one entry per atom and role:
 * condition subjects and referenced operands are 'condition', THEN targets
 * 'result', a referenced THEN value 'value'; a constraint's atom is 'subject',
 * its referenced bounds 'constraint'; a REQUIRES rule's atom is 'subject'
 * (the required atoms are REQUIRES relationships).
 */
export function rolesOf(m: Molecule): AtomRole[] {
  const out: AtomRole[] = [];
  const add = (ref: AtomRef, role: AtomRole['role']) => {
    if (!out.some((x) => x.ref.key === ref.key && x.role === role)) out.push({ ref, role });
  };
  const operands = (list: Operand[], role: AtomRole['role']) => {
    for (const o of list) if (o.kind === 'ref') add(o.ref, role);
  };
  const condition = (c: Condition): void => {
    if (c.kind !== 'cmp') return c.items.forEach(condition);
    add(c.subject, 'condition');
    operands(c.operands, 'condition');
  };
  switch (m.type) {
    case 'ConditionMolecule':
      condition(m.condition);
      for (const r of m.results) {
        add(r.target, 'result');
        operands([r.operand], 'value');
      }
      break;
    case 'ExceptionMolecule':
      condition(m.condition);
      break;
    case 'ConstraintMolecule':
      add(m.comparison.subject, 'subject');
      operands(m.comparison.operands, 'constraint');
      break;
    case 'RequiresMolecule':
      add(m.subject, 'subject');
      break;
  }
  return out;
}

type Described = Pick<MoleculeNode, 'type' | 'moleculeType' | 'ruleType' | 'summary' | 'condition' | 'result' | 'configuration'>;

export function describeMolecule(m: Molecule): Described {
  const base = { type: m.type, moleculeType: m.type, ruleType: ruleTypeOf(m), summary: m.normalized, configuration: configuration(m) };
  switch (m.type) {
    case 'ConditionMolecule':
      return { ...base, condition: describeCondition(m.condition), result: m.results.map((r) => `${r.target.name} = ${operand(r.operand)}`).join(' AND ') };
    case 'ConstraintMolecule':
      return { ...base, condition: describeCondition(m.comparison), result: null };
    case 'ExceptionMolecule':
      return { ...base, condition: describeCondition(m.condition), result: null };
    case 'RequiresMolecule':
      return { ...base, condition: null, result: `${m.subject.name} REQUIRES ${m.required.map((r) => r.name).join(', ')}` };
  }
}

/** `describeMolecule` without the rule's structure (`condition`, `result`, `configuration` left empty): what a summary shows. */
export function describeBriefly(m: Molecule): Described {
  return { type: m.type, moleculeType: m.type, ruleType: ruleTypeOf(m), summary: m.normalized, condition: null, result: null, configuration: '' };
}

function ruleTypeOf(m: Molecule): MoleculeNode['ruleType'] {
  switch (m.type) {
    case 'ConditionMolecule':
      return m.table ? 'decision_table' : 'if_then';
    case 'ConstraintMolecule':
      return 'constraint';
    case 'ExceptionMolecule':
      return 'exception';
    case 'RequiresMolecule':
      return 'requires';
  }
}

function operand(o: Operand): string {
  return o.kind === 'ref' ? `[[${o.ref.name}]]` : o.value.canonical;
}

/** Document-local ids and spans do not belong in the stored structure (the graph's relationships carry the links). */
const LOCAL = new Set(['span', 'id', 'blockId', 'parentId', 'exceptionIds']);

function configuration(m: Molecule): string {
  return JSON.stringify(m, (key, value: unknown) => (LOCAL.has(key) ? undefined : value));
}
