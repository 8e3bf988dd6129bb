/**
 * Regions shared by the checks, memoised through `DomainView.memo` so that a
 * refresh recomputes only those of edited molecules (or all of them when the
 * definitions change: every entry depends on `view.epoch`).
 */
import type { Condition, ExceptionMolecule, Molecule } from '../model';
import { moleculeKey, type DomainView } from './context';
import { conditionToRegion, subtract, type Region } from './region';

/** The cases a molecule's condition allows (a rule's, or an exception's own). */
export function conditionRegion(view: DomainView, uri: string, molecule: { id: string; condition: Condition }): Region {
  return view.memo(`region:${moleculeKey(uri, molecule.id)}`, [view.epoch, molecule], () =>
    conditionToRegion(molecule.condition, view.resolve, view.enumeration),
  );
}

/** A rule's effective region: its condition minus its exceptions. */
export function effectiveRegion(
  view: DomainView,
  uri: string,
  molecule: { id: string; condition: Condition },
  exceptions: readonly ExceptionMolecule[],
): Region {
  const base = conditionRegion(view, uri, molecule);
  if (exceptions.length === 0) return base;
  const cuts = exceptions.map((e) => conditionRegion(view, uri, e));
  return view.memo(`effective:${moleculeKey(uri, molecule.id)}`, [base, ...cuts], () =>
    cuts.reduce((region, cut) => subtract(region, cut), base),
  );
}

/**
 * `compute(item)` for every item, memoised in chunks of consecutive items:
 * one `view.memo` call per chunk instead of one per item keeps a refresh in
 * which nothing changed cheap, and a change recomputes only its chunk.
 * Chunk boundaries depend only on the items' ids (a hash), so an edit, an
 * insertion or a removal changes at most two chunks; `alone` items (costly
 * ones) always get a chunk of their own.
 *
 * `deps(item, into)` pushes everything the item's result depends on besides
 * `view.epoch` (which every chunk depends on); what it pushes must identify
 * the chunk's items unambiguously (e.g. a fixed number of values per item).
 * `key(item)` names a chunk by its first item and must be unique per item in
 * the domain; `id(item)` (an existing string, e.g. a molecule id) places the
 * boundaries. Results must be position-free.
 */
export function memoChunks<T, R>(
  view: DomainView,
  name: string,
  items: readonly T[],
  options: {
    id: (item: T) => string;
    key: (item: T) => string;
    deps: (item: T, into: unknown[]) => void;
    compute: (item: T) => R;
    /** Average chunk size: a power of two. */
    average: number;
    alone?: (item: T) => boolean;
  },
): R[] {
  const { id, key, deps, compute, average, alone } = options;
  const mask = average - 1;
  const out = new Array<R>(items.length);
  let start = 0;
  while (start < items.length) {
    const chunkDeps: unknown[] = [view.epoch];
    let end = start;
    while (end < items.length) {
      const item = items[end];
      const single = alone?.(item) ?? false;
      if (single && end > start) break; // a costly item starts a chunk of its own
      deps(item, chunkDeps);
      end++;
      if (single || end - start >= MAX_CHUNK || (hashId(id(item)) & mask) === 0) break;
    }
    const from = start;
    const to = end;
    chunkDeps.push(to - from);
    const values = view.memo(`${name}:${key(items[from])}`, chunkDeps, () => {
      const computed: R[] = [];
      for (let i = from; i < to; i++) computed.push(compute(items[i]));
      return computed;
    });
    for (let i = 0; i < values.length; i++) out[from + i] = values[i];
    start = end;
  }
  return out;
}

/** Chunks stop growing here whatever the ids say. */
const MAX_CHUNK = 256;

/** A cheap hash of an id's first and last characters (ids are UUIDs, `…#row3`, or test names). */
function hashId(id: string): number {
  const n = id.length;
  let h = n;
  for (let i = 0; i < n && i < 8; i++) h = Math.imul(h, 31) + id.charCodeAt(i);
  for (let i = Math.max(8, n - 8); i < n; i++) h = Math.imul(h, 31) + id.charCodeAt(i);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  h ^= h >>> 12;
  return h;
}

const mentioned = new WeakMap<Molecule, string>();

/**
 * The names a molecule mentions and in which role (results' targets,
 * condition subjects, constrained and required atoms), as one string: what
 * whole-domain name lists and the dependency graph see of it. Editing a
 * rule's value keeps it; for `DomainView.memo`'s `structure`.
 */
export function namesOf(m: Molecule): string {
  let names = mentioned.get(m);
  if (names !== undefined) return names;
  const parts: string[] = [m.type];
  const subjects = (c: Condition): void => {
    if (c.kind === 'cmp') parts.push(`s${c.subject.key}\u0001${c.subject.name}`);
    else c.items.forEach(subjects);
  };
  switch (m.type) {
    case 'ConditionMolecule':
      for (const r of m.results) parts.push(`t${r.target.key}\u0001${r.target.name}`);
      subjects(m.condition);
      break;
    case 'ConstraintMolecule':
      subjects(m.comparison);
      break;
    case 'ExceptionMolecule':
      subjects(m.condition);
      break;
    case 'RequiresMolecule':
      parts.push(`r${m.subject.key}\u0001${m.subject.name}`);
      for (const ref of m.required) parts.push(`q${ref.key}\u0001${ref.name}`);
      break;
  }
  names = parts.join('\u0002');
  mentioned.set(m, names);
  return names;
}
