/**
 * Helpers shared by the FTP tests: data transfers over a RawClient (PASV + one command), checksums
 * and snapshots of a folder tree, so a test can prove that nothing on disk changed.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';
import { RawClient } from '../helpers/raw-client.js';

/** A reply as RawClient returns it. */
export type Reply = Awaited<ReturnType<RawClient['reply']>>;

/** Hex SHA-256 of a buffer or string. */
export function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Hex SHA-256 of a file on disk. */
export async function fileSha256(file: string): Promise<string> {
  return sha256(await fs.readFile(file));
}

/** Deterministic pseudo-random bytes (a seeded xorshift), so a failure is reproducible. */
export function pseudoRandomBytes(size: number, seed = 1): Buffer {
  const out = Buffer.allocUnsafe(size);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** A logged-in RawClient (greeting consumed). */
export async function connectAndLogin(port: number, user = 'anonymous', password = 'guest', host = '127.0.0.1'): Promise<RawClient> {
  const client = await RawClient.connect(port, host);
  const greeting = await client.reply();
  assert.equal(greeting.code, 220, greeting.text);
  await client.login(user, password);
  return client;
}

/** A RawClient with the greeting consumed, not logged in. */
export async function connectOnly(port: number, host = '127.0.0.1'): Promise<RawClient> {
  const client = await RawClient.connect(port, host);
  const greeting = await client.reply();
  assert.equal(greeting.code, 220, greeting.text);
  return client;
}

/**
 * PASV, connect the data socket, send `command` and read everything until the server closes the
 * data connection. Returns the bytes and both replies (the preliminary one and the final one).
 */
export async function download(client: RawClient, command: string): Promise<{ data: Buffer; first: Reply; final: Reply }> {
  const { port } = await client.pasv();
  const { done } = RawClient.collect(port);
  const first = await client.command(command);
  if (first.code !== 150 && first.code !== 125) {
    throw new Error(`${command}: expected 150, got ${first.text}`);
  }
  const data = await done;
  const final = await client.reply(10_000);
  return { data, first, final };
}

/** Like `download`, asserting 150 and 226; returns the bytes. */
export async function downloadOk(client: RawClient, command: string): Promise<Buffer> {
  const { data, final } = await download(client, command);
  assert.equal(final.code, 226, `${command}: ${final.text}`);
  return data;
}

/** Lines of a listing (CRLF-terminated), without the empty tail. */
export function listingLines(data: Buffer): string[] {
  const text = data.toString('utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\r\n'), 'listing lines end with CRLF');
  return text.slice(0, -2).split('\r\n');
}

/** Opens a passive data connection, sends `command`, writes `data`, closes, and reads the replies. */
export async function upload(client: RawClient, command: string, data: Buffer | string): Promise<{ first: Reply; final: Reply }> {
  const { port } = await client.pasv();
  const socket = await connectData(port);
  const first = await client.command(command);
  if (first.code !== 150 && first.code !== 125) {
    socket.destroy();
    throw new Error(`${command}: expected 150, got ${first.text}`);
  }
  await new Promise<void>((resolve, reject) => {
    socket.on('error', reject);
    socket.end(data, () => resolve());
  });
  const final = await client.reply(10_000);
  socket.destroy();
  return { first, final };
}

/** Like `upload`, asserting 150 and 226. */
export async function uploadOk(client: RawClient, command: string, data: Buffer | string): Promise<Reply> {
  const { final } = await upload(client, command, data);
  assert.equal(final.code, 226, `${command}: ${final.text}`);
  return final;
}

/** Connects a data socket (passive mode) and resolves once connected. */
export function connectData(port: number, host = '127.0.0.1', localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Parses a 229 reply's port. */
export function epsvPort(reply: Reply): number {
  const match = /\(\|\|\|(\d+)\|\)/.exec(reply.text);
  if (!match) throw new Error(`bad EPSV reply: ${reply.text}`);
  return Number(match[1]);
}

/** Every entry below `dir` (relative path → `dir` or the file's SHA-256 and mode), symlinks as `link:target`. */
export async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(current: string): Promise<void> {
    const entries = await fs.readdir(current, { withFileTypes: true });
    for (const entry of entries) {
      const full = path.join(current, entry.name);
      const rel = path.relative(dir, full);
      const st = await fs.lstat(full);
      if (entry.isSymbolicLink()) out[rel] = `link:${await fs.readlink(full)}`;
      else if (entry.isDirectory()) {
        out[rel] = `dir:${(st.mode & 0o777).toString(8)}:${st.mtimeMs}`;
        await walk(full);
      } else out[rel] = `file:${(st.mode & 0o777).toString(8)}:${st.mtimeMs}:${await fileSha256(full)}`;
    }
  }
  await walk(dir);
  return out;
}

/** Linux answers on all of 127.0.0.0/8; macOS and Windows only on 127.0.0.1 unless configured. */
export const loopbackAliases = process.platform === 'linux' ? false : 'needs 127.0.0.2 (Linux loopback)';

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** True when this machine can bind ::1. */
export async function hasIpv6Loopback(): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen({ port: 0, host: '::1' }, () => server.close(() => resolve(true)));
  });
}

/** Names of upload temp files left in `dir` (recursively). */
export async function tempFilesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true })) {
    if (/\.ftpshare-[0-9a-f]{12}\.part$/.test(path.basename(String(entry)))) found.push(String(entry));
  }
  return found;
}
