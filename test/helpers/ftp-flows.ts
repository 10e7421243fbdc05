/**
 * FTP client flows over a ControlClient: connecting and logging in, data connections (plain and
 * TLS), a transfer as PASV + one command, listings, and the upload temp files a test checks for.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import { ControlClient, type Reply } from './control-client.js';
import { onceEvent, waitFor } from './wait.js';

export { epsvPort, type Reply } from './control-client.js';

/** A ControlClient with the 220 greeting consumed, not logged in. */
export async function connectOnly(port: number, host = '127.0.0.1'): Promise<ControlClient> {
  const client = await ControlClient.connect(port, { host });
  const greeting = await client.reply();
  assert.equal(greeting.code, 220, greeting.text);
  return client;
}

/** A logged-in ControlClient (anonymous by default), greeting consumed. */
export async function connectAndLogin(port: number, user = 'anonymous', password = 'guest', host = '127.0.0.1'): Promise<ControlClient> {
  const client = await connectOnly(port, host);
  await client.login(user, password);
  return client;
}

/** Waits (bounded) until the server closed the client's control connection; fails otherwise. */
export async function waitClosed(client: ControlClient, timeoutMs = 5000): Promise<void> {
  const closed = await waitFor(() => client.closed, 'the server to close the connection', timeoutMs).catch(() => false);
  assert.ok(closed, 'the server closed the connection');
}

/** Connects a plain data socket (passive mode) and resolves once connected. */
export function connectData(port: number, host = '127.0.0.1', localAddress?: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Connects to a passive data port and collects everything until the server ends it. */
export function collectData(port: number, host = '127.0.0.1', localAddress?: string): { socket: net.Socket; done: Promise<Buffer> } {
  const socket = net.connect({ port, host, ...(localAddress ? { localAddress } : {}) });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  return { socket, done };
}

/**
 * PASV, connect the data socket, send `command` and read everything until the server closes the
 * data connection. Returns the bytes and both replies (the preliminary one and the final one).
 */
export async function download(client: ControlClient, command: string): Promise<{ data: Buffer; first: Reply; final: Reply }> {
  const { port } = await client.pasv();
  const { done } = collectData(port);
  const first = await client.command(command);
  if (first.code !== 150 && first.code !== 125) {
    throw new Error(`${command}: expected 150, got ${first.text}`);
  }
  const data = await done;
  const final = await client.reply(10_000);
  return { data, first, final };
}

/** Like `download`, asserting 150 and 226; returns the bytes. */
export async function downloadOk(client: ControlClient, command: string): Promise<Buffer> {
  const { data, final } = await download(client, command);
  assert.equal(final.code, 226, `${command}: ${final.text}`);
  return data;
}

/** Opens a passive data connection, sends `command`, writes `data`, closes, and reads the replies. */
export async function upload(client: ControlClient, command: string, data: Buffer | string): Promise<{ first: Reply; final: Reply }> {
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
export async function uploadOk(client: ControlClient, command: string, data: Buffer | string): Promise<Reply> {
  const { final } = await upload(client, command, data);
  assert.equal(final.code, 226, `${command}: ${final.text}`);
  return final;
}

/** Lines of a listing (CRLF-terminated), without the empty tail. */
export function listingLines(data: Buffer): string[] {
  const text = data.toString('utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\r\n'), 'listing lines end with CRLF');
  return text.slice(0, -2).split('\r\n');
}

/** Names of upload temp files left in `dir` (recursively). */
export async function tempFilesIn(dir: string): Promise<string[]> {
  const found: string[] = [];
  for (const entry of await fs.readdir(dir, { recursive: true })) {
    if (/\.ftpshare-[0-9a-f]{12}\.part$/.test(path.basename(String(entry)))) found.push(String(entry));
  }
  return found;
}

/** A TLS data connection opened by the test, with what the server sent on it. */
export interface TlsDataConnection {
  socket: tls.TLSSocket;
  /** Tickets received on this data connection so far. */
  tickets: Buffer[];
  /** Whether the handshake resumed the given session. */
  reused: boolean;
  /** Negotiated protocol and cipher (IANA name). */
  protocol: string;
  cipher: string;
  /** Resolves with every byte received once the server ends the connection. */
  received: Promise<Buffer>;
}

/**
 * Opens a TLS data connection to a passive port, resuming `session` when given (as curl and
 * FileZilla do) or with a fresh handshake (as Python's ftplib does).
 */
export async function connectTlsData(port: number, session?: Buffer, options: tls.ConnectionOptions = {}): Promise<TlsDataConnection> {
  const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false, ...(session ? { session } : {}), ...options });
  const tickets: Buffer[] = [];
  socket.on('session', (s: Buffer) => tickets.push(s));
  const chunks: Buffer[] = [];
  const received = new Promise<Buffer>((resolve, reject) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
  received.catch(() => undefined);
  await onceEvent(socket, 'secureConnect');
  return { socket, tickets, received, reused: socket.isSessionReused(), protocol: socket.getProtocol() ?? '', cipher: socket.getCipher().standardName };
}
