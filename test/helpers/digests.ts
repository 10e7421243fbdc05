/**
 * Checksums for comparing what was sent with what arrived.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Hex SHA-256 of a buffer or string. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex SHA-256 of a file on disk, read as a stream (files may be large). */
export async function fileSha256(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** A file's size and SHA-256, or undefined when it is missing: one value to deepEqual against. */
export async function fileDigest(file: string): Promise<{ size: number; sha256: string } | undefined> {
  let size = 0;
  const hash = createHash('sha256');
  try {
    for await (const chunk of createReadStream(file)) {
      size += (chunk as Buffer).length;
      hash.update(chunk as Buffer);
    }
  } catch {
    return undefined;
  }
  return { size, sha256: hash.digest('hex') };
}

/** The digest `fileDigest` gives for a file holding `data`. */
export function digestOf(data: Buffer): { size: number; sha256: string } {
  return { size: data.length, sha256: sha256(data) };
}
