/**
 * What the workspace checks see of one (tenant, domain): plain data plus a
 * few lookups. Checks are pure functions `(view: DomainView) => Finding[]`.
 */
import type {
  AtomDefinition,
  AtomRef,
  AtomReference,
  ConditionMolecule,
  ConstraintMolecule,
  ExceptionMolecule,
  Finding,
  FindingCode,
  Molecule,
  Operand,
  Range,
  RequiresMolecule,
  Severity,
  Span,
  Value,
} from '../model';

/** A place in the workspace: a span relative to a block of a document. */
export interface Place {
  uri: string;
  blockId: string;
  span: Span;
}

export interface RuleEntry {
  uri: string;
  molecule: ConditionMolecule;
  /** The exceptions attached to this rule (nested or trailing UNLESS). */
  exceptions: ExceptionMolecule[];
}

export interface ConstraintEntry {
  uri: string;
  molecule: ConstraintMolecule;
  exceptions: ExceptionMolecule[];
}

export interface ExceptionEntry {
  uri: string;
  molecule: ExceptionMolecule;
}

export interface RequiresEntry {
  uri: string;
  molecule: RequiresMolecule;
}

export interface DefinitionEntry {
  uri: string;
  definition: AtomDefinition;
}

export interface ReferenceEntry {
  uri: string;
  reference: AtomReference;
}

/** A decision table: its header subjects and its rows (each row is also in `rules`). */
export interface TableEntry {
  uri: string;
  blockId: string;
  /** Header `IF`/`WHEN` cells, in column order. */
  inputs: AtomRef[];
  /** Header `THEN` cells, in column order. */
  outputs: AtomRef[];
  rows: RuleEntry[];
}

export interface DomainView {
  tenant: string;
  domain: string;
  rules: RuleEntry[];
  constraints: ConstraintEntry[];
  exceptions: ExceptionEntry[];
  requires: RequiresEntry[];
  definitions: DefinitionEntry[];
  /** Every `[[reference]]` in the domain's documents. */
  references: ReferenceEntry[];
  tables: TableEntry[];
  /**
   * The value an operand stands for: a literal's value, or the value of the
   * atom a `[[ref]]` names; a bare text value that matches a defined atom's
   * name resolves to that atom's value. Undefined when unknown.
   */
  resolve(operand: Operand): Value | undefined;
  /** The enumerated values of an input declared with `one of` (by normalised name), if any. */
  enumeration(key: string): Value[] | undefined;
  /** The document range of a place, for findings. */
  range(place: Place): Range;
  /** 1-based line of a place, for messages ("… at rrsp.md:12"). */
  describe(place: Place): string;
  /**
   * What `resolve` and `enumeration` answer, tracked name by name: editing a
   * definition invalidates only what asks about its name.
   */
  answers: Answers;
  /**
   * `compute()`, cached across refreshes of this domain while `deps` are the
   * same values (===, element by element; molecules of unchanged blocks stay
   * the same objects across edits). Checks use it for their heavy work —
   * regions, pair overlaps, table walks — so a keystroke recomputes only what
   * involves the edited rules. Put `view.answers.token(molecule)` in `deps`
   * when the result depends on what `resolve`/`enumeration` answer for the
   * molecule's names; never cache anything position-
   * dependent (ranges, `describe` text). Keys must be unique per computation.
   *
   * `structure`, when given, describes everything the result depends on in
   * cheaper terms than `deps` (names rather than molecules): when `deps`
   * changed but the structure did not (a rule's value edited, not its
   * names), the result is reused. It is only called when `deps` changed.
   *
   * A key that costs to make (strings joined per rule or pair) is given as
   * a function: a view that keeps no memo (`noMemo`) never makes it.
   */
  memo<T>(key: MemoKey, deps: readonly unknown[], compute: () => T, structure?: () => readonly unknown[]): T;
}

/** A memo key, or how to make it. */
export type MemoKey = string | (() => string);

export function memoKey(key: MemoKey): string {
  return typeof key === 'string' ? key : key();
}

/**
 * Answers of `resolve` and `enumeration` over time, per name. A check that
 * reads `definitions` directly depends on those objects instead.
 */
export interface Answers {
  /** Increases whenever what is answered for some name changes. */
  readonly generation: number;
  /**
   * Whether what is answered for a name `molecule` asks about (subjects,
   * referenced operands, bare text values, targets) changed after
   * `generation` `since`.
   */
  changed(molecule: Molecule, since: number): boolean;
  /** The same object while what is answered for the names `molecule` asks about stays the same. */
  token(molecule: Molecule): object;
  /** The same object while what is answered for `key` stays the same. */
  tokenOfName(key: string): object;
}

const UNCHANGING = {};

/** Answers that never change (tests, one-off views). */
export const FIXED_ANSWERS: Answers = {
  generation: 0,
  changed: () => false,
  token: () => UNCHANGING,
  tokenOfName: () => UNCHANGING,
};

/** A `memo` that caches nothing (tests, one-off views). */
export function noMemo<T>(_key: MemoKey, _deps: readonly unknown[], compute: () => T, _structure?: () => readonly unknown[]): T {
  return compute();
}

/** A key for one molecule, unique across the domain's documents. */
export function moleculeKey(uri: string, moleculeId: string): string {
  return `${uri}#${moleculeId}`;
}

export interface PlaceMessage {
  place: Place;
  message: string;
}

/** One finding at `at`, pointing at the `related` places. */
export function finding(
  view: DomainView,
  code: FindingCode,
  severity: Severity,
  at: Place,
  message: string,
  related: PlaceMessage[] = [],
  data?: Record<string, unknown>,
): Finding {
  return {
    code,
    severity,
    uri: at.uri,
    range: view.range(at),
    message,
    related: related.map((r) => ({ location: { uri: r.place.uri, range: view.range(r.place) }, message: r.message })),
    ...(data ? { data } : {}),
  };
}

/**
 * A finding that involves several places, reported at each of them; each
 * copy points at all the others. `messageAt(i)` is the message shown at place i.
 */
export function findingAtEach(
  view: DomainView,
  code: FindingCode,
  severity: Severity,
  places: PlaceMessage[],
  messageAt: (index: number) => string,
): Finding[] {
  return places.map((p, i) =>
    finding(
      view,
      code,
      severity,
      p.place,
      messageAt(i),
      places.filter((_, j) => j !== i),
    ),
  );
}
