/**
 * Lists a snapshot keeps for as long as it lives. A list grown by `push`
 * keeps room for more (17 slots after the first push: ~130 bytes), and an
 * empty literal is an object of its own; a document keeps a few hundred of
 * each. `exact` gives the shared empty list for an empty one and a copy of
 * its length otherwise.
 */

/** The one empty list: frozen, so that a push into it fails loudly instead of filling every empty list. */
const NONE: readonly never[] = Object.freeze([]);

export function exact<T>(list: T[]): T[] {
  return list.length === 0 ? (NONE as never[]) : list.slice();
}
