/**
 * Listed entries in columns, the form long listings are formatted from.
 *
 * A FileInfo, a Date and a `unique` string per entry, handed over one promise per entry, cost a
 * 10,000-entry LIST ~6 ms of main-thread time before a byte was formatted. A batch holds a scan
 * batch's numbers (up to `defaults.directoryScanBatchEntries` entries) in one typed array instead. `PhysicalFileSystem.list` offers its scan
 * this way (`batchedListing`); any other listing is grouped into batches from its FileInfo
 * objects (`entryBatches`), so each listing format has one formatter.
 */
import type { FileInfo } from './file-system.js';

export interface EntryBatch {
  readonly names: readonly string[];
  /** `ENTRY_FIELDS` numbers per name (entry `i` from `i * ENTRY_FIELDS`), at the `AT_*` offsets. */
  readonly numbers: Float64Array;
  /** FileInfo.unique of entry `i`, made on demand: only MLSD shows it. */
  unique(i: number): string;
  /** FileInfo.writable of entry `i`. */
  writable(i: number): boolean;
}

/** Numbers per entry: the four below, then two of the backend's own (for `unique`). */
export const ENTRY_FIELDS = 6;
/** 1 for a directory, 0 for a file. */
export const AT_DIR = 0;
/** FileInfo.size (0 for a directory). */
export const AT_SIZE = 1;
/** FileInfo.modified, in ms. */
export const AT_MODIFIED = 2;
/** FileInfo.mode: permission bits. */
export const AT_MODE = 3;

/** Entries grouped per batch when a listing only yields FileInfo objects. */
const GROUPED_ENTRIES = 256;

const BATCHES = Symbol('entry batches');

type Batched = AsyncIterable<FileInfo> & { [BATCHES]?: () => AsyncIterable<EntryBatch> };

/** A listing read entry by entry as FileInfo objects, or batch by batch through `entryBatches`. */
export function batchedListing(batches: () => AsyncIterable<EntryBatch>): AsyncIterable<FileInfo> {
  const listing: Batched = {
    [Symbol.asyncIterator]: () => entriesOf(batches())[Symbol.asyncIterator](),
    [BATCHES]: batches,
  };
  return listing;
}

/** The entries of a listing (any FileSystem's `list`) in batches. */
export function entryBatches(entries: AsyncIterable<FileInfo>): AsyncIterable<EntryBatch> {
  const batches = (entries as Batched)[BATCHES];
  return batches === undefined ? grouped(entries) : batches();
}

async function* entriesOf(batches: AsyncIterable<EntryBatch>): AsyncGenerator<FileInfo> {
  for await (const batch of batches) {
    for (let i = 0; i < batch.names.length; i++) yield infoAt(batch, i);
  }
}

function infoAt(batch: EntryBatch, i: number): FileInfo {
  const { numbers } = batch;
  const at = i * ENTRY_FIELDS;
  return {
    name: batch.names[i]!,
    type: numbers[at + AT_DIR] === 1 ? 'dir' : 'file',
    size: numbers[at + AT_SIZE]!,
    modified: new Date(numbers[at + AT_MODIFIED]!),
    mode: numbers[at + AT_MODE]!,
    unique: batch.unique(i),
    writable: batch.writable(i),
  };
}

async function* grouped(entries: AsyncIterable<FileInfo>): AsyncGenerator<EntryBatch> {
  let infos: FileInfo[] = [];
  for await (const info of entries) {
    infos.push(info);
    if (infos.length === GROUPED_ENTRIES) {
      yield batchOf(infos);
      infos = [];
    }
  }
  if (infos.length > 0) yield batchOf(infos);
}

/** FileInfo objects as a batch. */
export function batchOf(infos: readonly FileInfo[]): EntryBatch {
  const numbers = new Float64Array(infos.length * ENTRY_FIELDS);
  infos.forEach((info, i) => {
    const at = i * ENTRY_FIELDS;
    numbers[at + AT_DIR] = info.type === 'dir' ? 1 : 0;
    numbers[at + AT_SIZE] = info.size;
    numbers[at + AT_MODIFIED] = info.modified.getTime();
    numbers[at + AT_MODE] = info.mode;
  });
  return {
    names: infos.map((info) => info.name),
    numbers,
    unique: (i) => infos[i]!.unique,
    writable: (i) => infos[i]!.writable,
  };
}
