/**
 * The validators and byte ranges of a download (RFC 9110 §13-14), as pure functions: one strong
 * ETag per file version, conditional GETs (304), If-Range, and a single `bytes=` range. Several
 * ranges in one request are answered with the whole file (allowed, and no client needs them).
 */
import { createHash } from 'node:crypto';
import type { FileInfo } from '../fs/file-system.js';

/** A strong validator of a file's version: its identity, size and modification time, hashed. */
export function etagFor(info: FileInfo): string {
  const digest = createHash('sha256').update(`${info.unique}:${info.size}:${info.modified.getTime()}`).digest('base64url');
  return `"${digest.slice(0, 22)}"`;
}

/** The HTTP date of a file's modification time (whole seconds, as the header holds). */
export function httpDate(date: Date): string {
  return date.toUTCString();
}

/** The part of the file a request asks for. `end` is inclusive. */
export type RangeRequest = { kind: 'whole' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

/** Parses a Range header against a file of `size` bytes; anything not understood means the whole file. */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined) return { kind: 'whole' };
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (!match) return { kind: 'whole' };
  const [, first, last] = match;
  if (first === '' && last === '') return { kind: 'whole' };
  if (first === '') {
    // A suffix: the last N bytes.
    const suffix = Number(last);
    if (!Number.isSafeInteger(suffix)) return { kind: 'whole' };
    if (suffix === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(first);
  const end = last === '' ? Number.MAX_SAFE_INTEGER : Number(last);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || end < start) return { kind: 'whole' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end: Math.min(end, size - 1) };
}

/** Whether an entity tag list (If-None-Match) names `etag`, weakly compared (`*` matches anything). */
export function etagListMatches(list: string, etag: string): boolean {
  const bare = (tag: string) => tag.trim().replace(/^W\//, '');
  if (list.trim() === '*') return true;
  return list.split(',').some((tag) => bare(tag) === bare(etag));
}

/** Whether a GET or HEAD may be answered 304 Not Modified. If-None-Match wins over If-Modified-Since. */
export function notModified(headers: { 'if-none-match'?: string; 'if-modified-since'?: string }, etag: string, modified: Date): boolean {
  const inm = headers['if-none-match'];
  if (inm !== undefined) return etagListMatches(inm, etag);
  const ims = headers['if-modified-since'];
  if (ims === undefined) return false;
  const since = Date.parse(ims);
  return !Number.isNaN(since) && Math.floor(modified.getTime() / 1000) * 1000 <= since;
}

/**
 * Whether a Range applies under If-Range: the validator must be the current strong ETag, or
 * exactly the Last-Modified date. Otherwise the client's partial copy is stale: send it all.
 */
export function ifRangeHolds(ifRange: string | undefined, etag: string, modified: Date): boolean {
  if (ifRange === undefined) return true;
  const value = ifRange.trim();
  if (value.startsWith('"')) return value === etag;
  if (value.startsWith('W/')) return false;
  const date = Date.parse(value);
  return !Number.isNaN(date) && date === Math.floor(modified.getTime() / 1000) * 1000;
}
