/**
 * Keeps object identity for rows that did not change between two snapshots, so that a row
 * component selecting `byId[id]` re-renders only when its own row changed.
 *
 * The share pushes whole snapshots (sessions, transfers) about ten times a second; without this,
 * every push would hand every row a new object and re-render the whole table for one byte count.
 */

/** True when both objects have the same keys with `Object.is`-equal values (one level deep). */
export function shallowEqual<T extends object>(a: T, b: T): boolean {
  if (a === b) return true;
  const ka = Object.keys(a) as (keyof T)[];
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !Object.is(a[k], b[k])) return false;
  }
  return true;
}

/** Same items in the same order (by identity)? */
export function sameList<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The normalised form of a list of rows: their ids in order, and the rows by id. */
export interface Normalised<T> {
  ids: string[];
  byId: Record<string, T>;
}

/**
 * Normalises `rows` against the previous form, reusing every unchanged row object, the previous
 * `ids` array when the order is the same, and the previous `byId` when nothing changed at all.
 */
export function reconcile<T extends object>(prev: Normalised<T>, rows: readonly T[], key: (row: T) => string): Normalised<T> {
  const byId: Record<string, T> = {};
  const ids: string[] = [];
  let changed = rows.length !== prev.ids.length;
  for (const row of rows) {
    const id = key(row);
    const old = prev.byId[id];
    const kept = old !== undefined && shallowEqual(old, row) ? old : row;
    if (kept !== old) changed = true;
    byId[id] = kept;
    ids.push(id);
  }
  const sameIds = sameList(prev.ids, ids);
  if (!changed && sameIds) return prev;
  return { ids: sameIds ? prev.ids : ids, byId };
}
