/**
 * Directory scans (readdir + lstat of every entry) on a worker thread.
 *
 * Through the libuv thread pool each `lstat` costs the main loop a request, a callback and a
 * promise: a 10,000-entry LIST spent ~200 ms of main-thread time there. A worker runs the same
 * calls synchronously, where blocking harms no one (the main loop also serves Electron's UI), and
 * hands them back in batches of compact numbers. One worker serves every session of the process:
 * started on the first listing, unref'd while nothing waits for it, ended after
 * `defaults.directoryScanIdleMs` without scans. When it can't start (or dies before a scan's first
 * batch), the scan runs on the thread pool as before.
 */
import { promises as fsp, type Stats } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { defaults } from '../defaults.js';
import { ENTRY_FIELDS } from './entry-batch.js';

/** Kinds of scanned entries; anything else (FIFO, socket, device) is left out of a scan. */
export const KIND_FILE = 0;
export const KIND_DIR = 1;
export const KIND_SYMLINK = 2;

/**
 * Numbers per entry in `ScanBatch.stats`, in this order: kind, size, mtime (ms, rounded as
 * `Stats.mtime` is), mode, dev, ino. All of an lstat (symlinks are not followed). The layout of
 * `EntryBatch.numbers`, so a listing turns a scan batch into its entries in place.
 */
export const STAT_FIELDS = ENTRY_FIELDS;

/** Entries of one directory, in the order the OS returns them. */
export interface ScanBatch {
  names: string[];
  /** `STAT_FIELDS` numbers per name. */
  stats: Float64Array;
}

/**
 * Yields the entries of `dirPath` batch by batch, each entry lstat'ed; entries that vanish or
 * can't be lstat'ed are left out. Memory stays bounded (one batch consumed, one being read);
 * stopping early closes the directory. Rejects with the `fs` error (with its `code`) when the
 * directory can't be opened or read.
 */
export async function* scanDirectory(dirPath: string): AsyncGenerator<ScanBatch> {
  const scan = scanWorker.scan(dirPath);
  if (scan !== undefined) {
    try {
      return yield* scan;
    } catch (err) {
      if (!(err instanceof WorkerUnavailable)) throw err;
    }
  }
  yield* scanOnThreadPool(dirPath);
}

// ---- the worker --------------------------------------------------------------------------------

/**
 * The worker's code, as a self-contained CommonJS script run with `eval: true`. A separate module
 * referenced by URL would work under tsx and from dist/, but not from the Electron main bundle:
 * esbuild inlines the core into one main.cjs and emits no worker file beside it. A string runs
 * the same in all three. It only reads: one opendir per scan, `readSync` + `lstatSync` per entry.
 */
const WORKER_SOURCE = `
'use strict';
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const path = require('node:path');
const { batchEntries, fields } = workerData;
const kindOf = (st) => (st.isFile() ? 0 : st.isDirectory() ? 1 : st.isSymbolicLink() ? 2 : -1);
/** Open scans by id: { prefix (the directory's path and a separator), dir }. */
const scans = new Map();
const close = (id, scan) => {
  scans.delete(id);
  try { scan.dir.closeSync(); } catch {}
};
parentPort.on('message', ({ id, dirPath, stop }) => {
  let scan = scans.get(id);
  if (stop) {
    if (scan !== undefined) close(id, scan);
    return;
  }
  try {
    if (scan === undefined) {
      const prefix = dirPath.endsWith(path.sep) ? dirPath : dirPath + path.sep;
      scan = { prefix, dir: fs.opendirSync(dirPath, { bufferSize: Math.min(batchEntries, 1024) }) };
      scans.set(id, scan);
    }
    const names = [];
    const stats = new Float64Array(batchEntries * fields);
    let done = false;
    while (names.length < batchEntries) {
      const dirent = scan.dir.readSync();
      if (dirent === null) {
        done = true;
        break;
      }
      let st;
      try {
        st = fs.lstatSync(scan.prefix + dirent.name, { throwIfNoEntry: false });
      } catch {
        continue;
      }
      const kind = st === undefined ? -1 : kindOf(st);
      if (kind === -1) continue;
      const at = names.length * fields;
      stats[at] = kind;
      stats[at + 1] = st.size;
      stats[at + 2] = Math.round(st.mtimeMs);
      stats[at + 3] = st.mode;
      stats[at + 4] = st.dev;
      stats[at + 5] = st.ino;
      names.push(dirent.name);
    }
    if (done) close(id, scan);
    parentPort.postMessage({ id, names, stats, done }, [stats.buffer]);
  } catch (err) {
    if (scan !== undefined) close(id, scan);
    parentPort.postMessage({ id, error: { code: err && err.code, message: String(err && err.message) } });
  }
});
`;

/** A request's answer from the worker. */
type Reply = (ScanBatch & { done: boolean; error?: undefined }) | { error: { code?: string; message: string } };

/** The worker is gone before a scan's first batch: the caller scans on the thread pool instead. */
class WorkerUnavailable extends Error {}

interface Waiter {
  resolve: (reply: Reply) => void;
  reject: (err: Error) => void;
}

/** The process's one scanning worker, started on demand and multiplexing scans by id. */
class ScanWorker {
  private worker: Worker | undefined;
  /** Set when a worker could not even start: this runtime has no usable workers; don't retry. */
  private broken = false;
  private nextId = 1;
  /** Scans that have a request out, by id (at most one each). */
  private readonly waiting = new Map<number, Waiter>();
  /** Scans begun and not yet finished or stopped. */
  private openScans = 0;
  private idleTimer: NodeJS.Timeout | undefined;

  /** A scan of `dirPath` on the worker; undefined when workers are unusable here. */
  scan(dirPath: string): AsyncGenerator<ScanBatch> | undefined {
    const worker = this.acquire();
    return worker === undefined ? undefined : this.run(worker, dirPath);
  }

  private async *run(worker: Worker, dirPath: string): AsyncGenerator<ScanBatch> {
    const id = this.nextId++;
    this.openScans++;
    clearTimeout(this.idleTimer);
    let finished = false;
    let yielded = false;
    let pending = this.request(worker, { id, dirPath });
    try {
      for (;;) {
        let reply: Reply;
        try {
          reply = await pending;
        } catch (err) {
          // Entries already went out: starting over elsewhere would repeat them.
          if (err instanceof WorkerUnavailable && yielded) throw new Error('The directory scan was interrupted');
          throw err;
        }
        if (reply.error !== undefined) {
          finished = true;
          throw Object.assign(new Error(reply.error.message), { code: reply.error.code });
        }
        finished = reply.done;
        // Read the next batch while this one is formatted and sent.
        if (!finished) pending = this.request(worker, { id });
        yielded = true;
        yield reply;
        if (finished) return;
      }
    } finally {
      if (!finished) {
        // Stopped early (ABOR, a reset data connection) or failed: the worker closes the directory.
        this.settle(id);
        if (worker === this.worker) worker.postMessage({ id, stop: true });
      }
      if (--this.openScans === 0) this.armIdleTimer();
    }
  }

  private request(worker: Worker, message: { id: number; dirPath?: string }): Promise<Reply> {
    const reply =
      worker !== this.worker ?
        Promise.reject(new WorkerUnavailable())
      : new Promise<Reply>((resolve, reject) => {
          // Referenced only while a reply is awaited: an idle worker never keeps the process alive.
          if (this.waiting.size === 0) worker.ref();
          this.waiting.set(message.id, { resolve, reject });
          worker.postMessage(message);
        });
    // A read-ahead may fail (the worker died) while the consumer is busy, or after it stopped:
    // not an unhandled rejection; whoever awaits it still gets the error.
    reply.catch(() => undefined);
    return reply;
  }

  private settle(id: number): Waiter | undefined {
    const waiter = this.waiting.get(id);
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.worker?.unref();
    return waiter;
  }

  private acquire(): Worker | undefined {
    if (this.broken) return undefined;
    if (this.worker !== undefined) return this.worker;
    let worker: Worker;
    try {
      worker = new Worker(WORKER_SOURCE, {
        eval: true,
        workerData: { batchEntries: defaults.directoryScanBatchEntries, fields: STAT_FIELDS },
      });
    } catch {
      this.broken = true;
      return undefined;
    }
    worker.unref();
    let online = false;
    worker.once('online', () => (online = true));
    worker.on('message', (reply: Reply & { id: number }) => this.settle(reply.id)?.resolve(reply));
    // An uncaught error ends the worker: 'exit' follows and cleans up.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      if (!online) this.broken = true;
      if (this.worker !== worker) return;
      this.worker = undefined;
      clearTimeout(this.idleTimer);
      const waiters = [...this.waiting.values()];
      this.waiting.clear();
      for (const waiter of waiters) waiter.reject(new WorkerUnavailable());
    });
    this.worker = worker;
    return worker;
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      const worker = this.worker;
      if (worker === undefined || this.openScans > 0) return;
      this.worker = undefined;
      void worker.terminate();
    }, defaults.directoryScanIdleMs);
    this.idleTimer.unref();
  }
}

const scanWorker = new ScanWorker();

// ---- the fallback: the same batches through the thread pool --------------------------------------

async function* scanOnThreadPool(dirPath: string): AsyncGenerator<ScanBatch> {
  // opendir streams entries from the OS in small chunks: no full array for huge directories.
  const dir = await fsp.opendir(dirPath, { bufferSize: 64 });
  try {
    // Stat `listingStatConcurrency` entries at once: parallel enough to hide latency, and memory
    // stays bounded by the batch size, not by the directory size.
    let names: string[] = [];
    for (;;) {
      const dirent = await dir.read();
      if (dirent !== null) {
        names.push(dirent.name);
        if (names.length < defaults.listingStatConcurrency) continue;
      }
      if (names.length > 0) {
        const stats = await Promise.all(names.map((name) => fsp.lstat(path.join(dirPath, name)).catch(() => null)));
        yield packBatch(names, stats);
        names = [];
      }
      if (dirent === null) return;
    }
  } finally {
    // Also runs when the consumer stops early (break/return), so the handle never leaks.
    await dir.close().catch(() => undefined);
  }
}

function packBatch(names: string[], all: (Stats | null)[]): ScanBatch {
  const kept: string[] = [];
  const stats = new Float64Array(names.length * STAT_FIELDS);
  all.forEach((st, i) => {
    const kind = st === null ? -1 : st.isFile() ? KIND_FILE : st.isDirectory() ? KIND_DIR : st.isSymbolicLink() ? KIND_SYMLINK : -1;
    if (kind === -1) return;
    stats.set([kind, st!.size, st!.mtime.getTime(), st!.mode, st!.dev, st!.ino], kept.length * STAT_FIELDS);
    kept.push(names[i]!);
  });
  return { names: kept, stats };
}
