/**
 * Regions shared by the checks, memoised through `DomainView.memo` so that a
 * refresh recomputes only those of edited molecules (and of the molecules
 * that ask about an edited definition); and the state the
 * checks carry from refresh to refresh (groupings, per-entry results, name
 * tallies), brought up to date in time proportional to an edit.
 */
import type { Condition, ExceptionMolecule, Molecule } from '../model';
import { moleculeKey, type DomainView } from './context';
import { conditionToRegion, subtract, type Region } from './region';

/**
 * A molecule's memo keys, the same strings each time it is asked for them (a map hashes a string once;
 * a key built afresh is hashed at every lookup, and the checks look up a rule's regions many times).
 * Kept per molecule object and checked against the URI, so that a key never names another document.
 */
const memoKeys = new WeakMap<Molecule, { uri: string; region: string; effective: string }>();

function keysOf(uri: string, molecule: Molecule): { region: string; effective: string } {
  let keys = memoKeys.get(molecule);
  if (keys === undefined || keys.uri !== uri) {
    const key = moleculeKey(uri, molecule.id);
    keys = { uri, region: `region:${key}`, effective: `effective:${key}` };
    memoKeys.set(molecule, keys);
  }
  return keys;
}

/** The cases a molecule's condition allows (a rule's, or an exception's own). */
export function conditionRegion(view: DomainView, uri: string, molecule: Molecule & { condition: Condition }): Region {
  return view.memo(() => keysOf(uri, molecule).region, [view.answers.token(molecule), molecule], () =>
    conditionToRegion(molecule.condition, view.resolve, view.enumeration),
  );
}

/** A rule's effective region: its condition minus its exceptions. */
export function effectiveRegion(
  view: DomainView,
  uri: string,
  molecule: Molecule & { condition: Condition },
  exceptions: readonly ExceptionMolecule[],
): Region {
  const base = conditionRegion(view, uri, molecule);
  if (exceptions.length === 0) return base;
  const cuts = exceptions.map((e) => conditionRegion(view, uri, e));
  return view.memo(() => keysOf(uri, molecule).effective, [base, ...cuts], () =>
    cuts.reduce((region, cut) => subtract(region, cut), base),
  );
}

/** Whether what the definitions answer for a name the rule or its exceptions ask about changed after `since`. */
export function asksChanged(view: DomainView, entry: { molecule: Molecule; exceptions: readonly Molecule[] }, since: number): boolean {
  return view.answers.changed(entry.molecule, since) || entry.exceptions.some((e) => view.answers.changed(e, since));
}

// ---------------------------------------------------------------------------
// Delta-maintained state: work proportional to the change
// ---------------------------------------------------------------------------

/**
 * How `next` differs from `prev`, as one replaced stretch: `prev[start, start + removed.length)` became
 * `next[start, start + added.length)`, everything before and after is the same objects. The view's
 * entries are the same objects while their molecules are, so after one edit the stretch is short; the
 * scan compares pointers only (it reads no entry).
 */
export function splice<T>(prev: readonly T[], next: readonly T[]): { start: number; removed: readonly T[]; added: readonly T[] } {
  if (prev === next) return { start: 0, removed: NOTHING_SPLICED, added: NOTHING_SPLICED };
  const shorter = Math.min(prev.length, next.length);
  let start = 0;
  while (start < shorter && prev[start] === next[start]) start++;
  let end = 0; // common suffix length
  while (end < shorter - start && prev[prev.length - 1 - end] === next[next.length - 1 - end]) end++;
  return { start, removed: prev.slice(start, prev.length - end), added: next.slice(start, next.length - end) };
}

const NOTHING_SPLICED: readonly never[] = [];

/**
 * State a check carries from one refresh of a domain to the next (kept by `view.memo` under `key`, so
 * a view without a memo starts afresh every time). For delta-maintained indexes: the state must be
 * brought up to the view's lists on every use, and hold nothing position-dependent.
 */
export function carried<S>(view: DomainView, key: string, init: () => S): S {
  return view.memo(`carried:${key}`, NO_DEPS, init);
}

const NO_DEPS: readonly unknown[] = [];

/**
 * The members of a list's entries grouped by key (a rule's results by target, say), in list order
 * (then in the order `members` gives them), brought up to date by `update` in time proportional to the
 * change: only the groups of removed and added entries are rebuilt, as new arrays; the other groups stay
 * the same arrays, so what was derived from them can be reused by identity.
 */
export class Grouping<E, M> {
  private list: readonly E[] = [];
  private readonly groups = new Map<string, readonly M[]>();

  constructor(
    /** Calls `add(key, member)` for each member of one entry, in order. */
    private readonly members: (entry: E, add: (key: string, member: M) => void) => void,
    private readonly entryOf: (member: M) => E,
  ) {}

  get(key: string): readonly M[] | undefined {
    return this.groups.get(key);
  }

  keys(): IterableIterator<string> {
    return this.groups.keys();
  }

  /** Brings the groups up to `list`; returns the keys of the groups that changed (or went away). */
  update(list: readonly E[]): Set<string> {
    if (this.list.length === 0 && this.groups.size === 0) return this.fill(list);
    const { start, removed, added } = splice(this.list, list);
    this.list = list;
    const changed = new Map<string, M[]>();
    if (removed.length > 0) {
      const gone = new Set(removed);
      for (const entry of removed) {
        this.members(entry, (key) => {
          if (!changed.has(key)) changed.set(key, (this.groups.get(key) ?? []).filter((m) => !gone.has(this.entryOf(m))));
        });
      }
    }
    const positions = new Map<E, number>();
    added.forEach((entry, i) => {
      positions.set(entry, start + i);
      this.members(entry, (key, member) => {
        let group = changed.get(key);
        if (!group) changed.set(key, (group = [...(this.groups.get(key) ?? [])]));
        group.push(member);
      });
    });
    for (const [key, group] of changed) {
      if (group.length === 0) {
        this.groups.delete(key);
        continue;
      }
      // Back in list order: a stable sort by the entries' positions keeps each entry's members in order.
      const position = (m: M) => {
        const entry = this.entryOf(m);
        let at = positions.get(entry);
        if (at === undefined) positions.set(entry, (at = list.indexOf(entry)));
        return at;
      };
      group.sort((a, b) => position(a) - position(b));
      this.groups.set(key, group);
    }
    return new Set(changed.keys());
  }

  /** The first update (a domain checked from scratch): the members in list order, no positions to sort by. */
  private fill(list: readonly E[]): Set<string> {
    this.list = list;
    for (const entry of list) {
      this.members(entry, (key, member) => {
        const group = this.groups.get(key) as M[] | undefined;
        if (group) group.push(member);
        else this.groups.set(key, [member]);
      });
    }
    return new Set(this.groups.keys());
  }
}

/**
 * `compute(item)` for every item of `list`, carried across refreshes: items that are the same objects
 * as in the last refresh keep their results (unless what the definitions answer for their molecule's
 * names changed), so a refresh computes only the items an edit replaced. Results must be position-free.
 */
export function perItem<T extends { molecule: Molecule }, R>(view: DomainView, key: string, list: readonly T[], compute: (item: T) => R): readonly R[] {
  const { answers } = view;
  const state = carried(view, `items:${key}`, () => ({ list: [] as readonly T[], results: [] as readonly R[], generation: answers.generation }));
  if (state.generation !== answers.generation) {
    const since = state.generation;
    state.generation = answers.generation;
    state.results = state.list.map((item, i) => (answers.changed(item.molecule, since) ? compute(item) : state.results[i]));
  }
  if (state.list === list) return state.results;
  const { start, removed, added } = splice(state.list, list);
  const results = state.results.slice(0, start);
  for (const item of added) results.push(compute(item));
  for (let i = start + removed.length; i < state.results.length; i++) results.push(state.results[i]);
  state.list = list;
  state.results = results;
  return results;
}

/**
 * How many times each name is mentioned (by key, then by written form) across some of the view's lists,
 * brought up to date by `update` in time proportional to the change.
 */
export class Tally {
  /**
   * Per key: its mentions, all written forms together, and its written forms: the one form while it
   * has only one (most keys: no map of their own), else how often each is written. One lookup a
   * mention (a domain's check counts ~100,000 of them).
   */
  private readonly entries = new Map<string, { n: number; forms: string | Map<string, number> }>();
  private readonly lists = new Map<string, readonly unknown[]>();

  /** Brings the mentions from the list named `slot` up to `list`; true when some key appeared or went away. */
  update<E>(slot: string, list: readonly E[], names: (entry: E, add: (key: string, name: string) => void) => void): boolean {
    const { removed, added } = splice((this.lists.get(slot) ?? []) as readonly E[], list);
    this.lists.set(slot, list);
    let keys = false;
    for (const entry of removed) {
      names(entry, (key, name) => {
        const e = this.entries.get(key)!;
        if (--e.n === 0) {
          this.entries.delete(key);
          keys = true;
        } else if (typeof e.forms !== 'string') {
          const left = e.forms.get(name)! - 1;
          if (left > 0) e.forms.set(name, left);
          else e.forms.delete(name);
        }
      });
    }
    for (const entry of added) {
      names(entry, (key, name) => {
        const e = this.entries.get(key);
        if (e === undefined) {
          this.entries.set(key, { n: 1, forms: name });
          keys = true;
          return;
        }
        if (typeof e.forms !== 'string') e.forms.set(name, (e.forms.get(name) ?? 0) + 1);
        else if (e.forms !== name) e.forms = new Map([[e.forms, e.n], [name, 1]]);
        e.n++;
      });
    }
    return keys;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** The written forms of a key (more than one when it is spelled differently in places). */
  forms(key: string): readonly string[] {
    const forms = this.entries.get(key)?.forms;
    return forms === undefined ? [] : typeof forms === 'string' ? [forms] : [...forms.keys()];
  }
}
