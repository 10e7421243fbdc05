/**
 * A real WebServer on 127.0.0.1 (a free port) over a real temp folder, its events recorded, and
 * a plain HTTP client (one connection per request, nothing normalised) to drive it.
 */
import fs from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { SERVER_EVENT_NAMES } from '../../core/ftp/events.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { WebServer, type WebServerOptions } from '../../core/http/web-server.js';
import type { RecordedEvent } from '../helpers/server-fixture.js';
import { tempDir } from '../helpers/temp.js';

export interface WebFixture {
  server: WebServer;
  port: number;
  /** The shared folder. */
  root: string;
  fs: PhysicalFileSystem;
  events: RecordedEvent[];
  url(path: string): string;
}

export interface WebFixtureOptions extends Partial<WebServerOptions> {
  username?: string;
  password?: string;
  readOnly?: boolean;
  /** Files to create in the shared folder: content as string or Buffer. */
  files?: Record<string, string | Buffer>;
  /** The shared folder, when the test made it (else a fresh temp folder). */
  root?: string;
}

/** Starts a web server for one test; it is stopped when the test ends. */
export async function startWeb(t: TestContext, options: WebFixtureOptions = {}): Promise<WebFixture> {
  const { username, password, readOnly, files = {}, root: given, ...serverOptions } = options;
  const root = given ?? (await tempDir(t, 'ftp-share-web-'));
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(root, name);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }
  const share = new PhysicalFileSystem({ root, readOnly: readOnly ?? false });
  const authorizer = new SimpleAuthorizer({ ...(username ? { username } : {}), ...(password ? { password } : {}), fs: share });
  const server = new WebServer({ authorizer, host: '127.0.0.1', port: 0, loginFailureDelayMs: 20, shareName: 'test — share', ...serverOptions });
  const events: RecordedEvent[] = [];
  for (const name of SERVER_EVENT_NAMES) server.on(name, (payload) => events.push({ type: name, ...payload } as RecordedEvent));
  const { port } = await server.start();
  t.after(() => server.stop());
  return { server, port, root, fs: share, events, url: (p) => `http://127.0.0.1:${port}${p}` };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** One request on its own connection, `path` sent exactly as given. */
export function request(port: number, target: string, options: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, path: target, method: options.method ?? 'GET', agent: false, headers: { Host: `127.0.0.1:${port}`, ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, text: body.toString('utf8') });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

/**
 * Sends raw bytes and collects everything until the server closes (or `timeoutMs`). The sending
 * side stays open, as real clients keep it: Node's server drops a request whose client half-closes.
 */
export function rawExchange(port: number, text: string | Buffer, timeoutMs = 5000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on('data', (c) => chunks.push(c));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('latin1'));
    });
    socket.write(text);
  });
}

/** The status code of a raw HTTP response. */
export function statusOf(response: string): number {
  return Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1] ?? 0);
}

/** `Basic` credentials for an Authorization header. */
export function basic(user: string, password: string): string {
  return `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
}

/** A browser's headers for a page of `port`: HTML wanted, our own origin. */
export function browserHeaders(port: number, extra: Record<string, string> = {}): Record<string, string> {
  return { Accept: 'text/html,*/*', Origin: `http://127.0.0.1:${port}`, 'User-Agent': IPHONE_SAFARI, ...extra };
}

export const IPHONE_SAFARI =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';

/** The `name=value` part of a Set-Cookie reply header, for the next request's Cookie header. */
export function cookieOf(reply: Reply): string | undefined {
  const set = reply.headers['set-cookie']?.find((c) => !/Max-Age=0/i.test(c));
  return set?.split(';')[0];
}

/** The CSRF token a folder page carries (the page's `<meta name="csrf-token">`). */
export function csrfOf(page: string): string | undefined {
  return /<meta name="csrf-token" content="([^"]+)"/.exec(page)?.[1];
}
