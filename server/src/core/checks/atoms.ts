/** `duplicate-atom` and `unknown-atom`. */
import { distance } from 'fastest-levenshtein';
import type { Finding } from '../model';
import { valuesEqual } from '../values';
import { carried, Tally } from './cached';
import { finding, findingAtEach, type DefinitionEntry, type DomainView } from './context';

export function checkDuplicateAtoms(view: DomainView): Finding[] {
  const duplicates = view.memo('duplicate-atoms', [view.definitions], () => duplicateGroups(view.definitions), () => view.definitions);
  const out: Finding[] = [];
  for (const entries of duplicates) {
    const places = entries.map((e) => ({
      place: { uri: e.uri, blockId: e.definition.blockId, span: e.definition.nameSpan },
      message: `${e.definition.name} = ${shown(e)}`,
    }));
    out.push(
      ...findingAtEach(view, 'duplicate-atom', 'warning', places, (i) => {
        const others = entries.filter((_, j) => j !== i).map((e, j) => `${shown(e)} at ${view.describe(places[j >= i ? j + 1 : j].place)}`);
        return `${entries[i].definition.name} is defined ${entries.length} times in domain '${view.domain}' with different values: ${shown(entries[i])} here, ${others.join(', ')}`;
      }),
    );
  }
  return out;
}

/** Definitions of one name with different values, grouped (position-free). */
function duplicateGroups(definitions: readonly DefinitionEntry[]): DefinitionEntry[][] {
  const byKey = new Map<string, DefinitionEntry[]>();
  for (const entry of definitions) {
    const list = byKey.get(entry.definition.key);
    if (list) list.push(entry);
    else byKey.set(entry.definition.key, [entry]);
  }
  return [...byKey.values()].filter((entries) => entries.length > 1 && !entries.every((e) => sameDefinition(e, entries[0])));
}

function sameDefinition(a: DefinitionEntry, b: DefinitionEntry): boolean {
  const x = a.definition;
  const y = b.definition;
  if (x.value && y.value) return valuesEqual(x.value, y.value);
  if (x.oneOf && y.oneOf) return x.oneOf.length === y.oneOf.length && x.oneOf.every((v, i) => valuesEqual(v, y.oneOf![i]));
  return x.value === null && y.value === null && !x.oneOf && !y.oneOf;
}

function shown(e: DefinitionEntry): string {
  const d = e.definition;
  if (d.oneOf) return `one of ${d.oneOf.map((v) => v.canonical).join(', ')}`;
  return d.value ? d.value.canonical : '(no value)';
}

/** Names the domain knows: defined, or the subject or target of some rule. */
export function knownNames(view: DomainView): Map<string, string> {
  const known = new Map<string, string>();
  const add = (key: string, name: string) => {
    if (!known.has(key)) known.set(key, name);
  };
  for (const { definition } of view.definitions) add(definition.key, definition.name);
  for (const { molecule } of view.rules) {
    for (const r of molecule.results) add(r.target.key, r.target.name);
    forEachSubject(molecule.condition, (s) => add(s.key, s.name));
  }
  for (const { molecule } of view.constraints) add(molecule.comparison.subject.key, molecule.comparison.subject.name);
  for (const { molecule } of view.exceptions) forEachSubject(molecule.condition, (s) => add(s.key, s.name));
  for (const { molecule } of view.requires) add(molecule.subject.key, molecule.subject.name);
  for (const t of view.tables) for (const ref of [...t.inputs, ...t.outputs]) add(ref.key, ref.name);
  return known;
}

type Cond = DomainView['rules'][number]['molecule']['condition'];

export function forEachSubject(c: Cond, visit: (subject: { key: string; name: string }) => void): void {
  if (c.kind === 'cmp') visit(c.subject);
  else for (const item of c.items) forEachSubject(item, visit);
}

export function checkUnknownAtoms(view: DomainView): Finding[] {
  const known = knownTally(view);
  let names: Map<string, string> | undefined;
  // A key's written form: its only one, or, when it is spelled differently in places, the first written.
  const nameOf = (key: string) => {
    const forms = known.forms(key);
    return forms.length === 1 ? forms[0] : (names ??= knownNames(view)).get(key)!;
  };
  const out: Finding[] = [];
  for (const { uri, reference } of view.references) {
    if (reference.inRequires || known.has(reference.key)) continue;
    const suggestion = closest(reference.key, known.keys(), nameOf, () => [...(names ??= knownNames(view)).keys()]);
    const message = suggestion
      ? `Unknown atom '${reference.name}' in domain '${view.domain}': did you mean '${suggestion}'?`
      : `Unknown atom '${reference.name}': it is not defined in domain '${view.domain}' and no rule sets it`;
    out.push(
      finding(view, 'unknown-atom', 'warning', { uri, blockId: reference.blockId, span: reference.span }, message, [], {
        name: reference.name,
        ...(suggestion ? { suggestion } : {}),
      }),
    );
  }
  return out;
}

/**
 * The names `knownNames` lists, counted, carried across refreshes: a refresh counts the mentions of
 * the molecules, definitions and tables an edit replaced only.
 */
function knownTally(view: DomainView): Tally {
  const tally = carried(view, 'known-names', () => new Tally());
  const subjects = (c: Cond, add: (key: string, name: string) => void) => forEachSubject(c, (s) => add(s.key, s.name));
  tally.update('definitions', view.definitions, ({ definition }, add) => add(definition.key, definition.name));
  tally.update('rules', view.rules, ({ molecule }, add) => {
    for (const r of molecule.results) add(r.target.key, r.target.name);
    subjects(molecule.condition, add);
  });
  tally.update('constraints', view.constraints, ({ molecule }, add) => add(molecule.comparison.subject.key, molecule.comparison.subject.name));
  tally.update('exceptions', view.exceptions, ({ molecule }, add) => subjects(molecule.condition, add));
  tally.update('requires', view.requires, ({ molecule }, add) => add(molecule.subject.key, molecule.subject.name));
  tally.update('tables', view.tables, (t, add) => {
    for (const ref of t.inputs) add(ref.key, ref.name);
    for (const ref of t.outputs) add(ref.key, ref.name);
  });
  return tally;
}

/**
 * The written form of the known key nearest to `key`, when it is close enough to be a typo. Among
 * equally near keys, the first in `ordered()` (the order `knownNames` lists them in) wins.
 */
export function closest(key: string, known: Iterable<string>, nameOf: (key: string) => string, ordered: () => readonly string[]): string | undefined {
  let best: string[] = [];
  let bestDistance = Infinity;
  const limit = Math.max(1, Math.min(3, Math.floor(key.length / 4)));
  for (const candidate of known) {
    if (Math.abs(candidate.length - key.length) > limit) continue;
    const d = distance(key, candidate);
    if (d > limit || d > bestDistance) continue;
    if (d < bestDistance) [best, bestDistance] = [[], d];
    best.push(candidate);
  }
  if (best.length === 0) return undefined;
  if (best.length === 1) return nameOf(best[0]);
  const order = ordered();
  return nameOf(order.find((k) => best.includes(k))!);
}
