/**
 * The web host's HTTP side: who may ask, the headers every answer carries, and the pages and
 * static files of the built renderer.
 *
 * Who may talk to the host: whoever holds the token, which the CLI prints in the page URL
 * (`http://127.0.0.1:PORT/?token=T`). The index page sets it as an HttpOnly, SameSite=Strict
 * cookie so the page's own assets load without it. Every request, and every WebSocket upgrade,
 * checks the Host header (DNS rebinding); an upgrade also checks the Origin (a page on another
 * site can't drive the host even if it guessed the port).
 *
 * `GET /ping` answers 204 to a holder of the token and 403 to anyone else. A page whose socket
 * closed asks it to tell "FTP Share has stopped" (nothing answers) from "FTP Share was started
 * again" (a host answers, with another token: the page must be opened from the new address).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type http from 'node:http';
import type { Socket } from 'node:net';
import path from 'node:path';
import { contentTypeFor, resolveStaticPath, safeSegments } from './static-files.js';
import { TOKEN_COOKIE, readCookie, tokensEqual } from './token.js';

/** Answers 204 to a holder of the token (see the module comment). */
export const PING_PATH = '/ping';

/** The only path that upgrades to the WebSocket. */
export const SOCKET_PATH = '/ws';

/** What every check compares a request with: the host's port on 127.0.0.1 and its token. */
export interface HostIdentity {
  readonly port: number;
  readonly token: string;
}

/** The page shown when the renderer has not been built yet. */
const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FTP Share</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>FTP Share</h1>
<p>The user interface isn't built yet. Run <code>npm run build</code> in the FTP Share folder, then reload this page.</p>
</body></html>
`;

const FORBIDDEN_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>FTP Share</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40em; margin: 3em auto; line-height: 1.5">
<h1>Access denied</h1>
<p>Open FTP Share with the link the <code>ftp-share --ui</code> command printed (it contains a secret token).</p>
</body></html>
`;

/** Whether the Host header names this host (127.0.0.1 or localhost, its port): not a rebound DNS name. */
function hostAllowed(req: http.IncomingMessage, { port }: HostIdentity): boolean {
  return new Set([`127.0.0.1:${port}`, `localhost:${port}`]).has(String(req.headers.host ?? '').toLowerCase());
}

/**
 * Whether a WebSocket's Origin is a page of this host. Browsers always send Origin with a
 * WebSocket; a client without one is not a browser page (and still needs the token).
 */
function originAllowed(origin: string | undefined, { port }: HostIdentity): boolean {
  return origin === undefined || new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]).has(origin);
}

/** Whether a request carries the token, in its query or its cookie. */
function authorized(url: URL, req: http.IncomingMessage, { token }: HostIdentity): { ok: boolean; viaQuery: boolean } {
  const viaQuery = tokensEqual(url.searchParams.get('token'), token);
  return { ok: viaQuery || tokensEqual(readCookie(req.headers.cookie, TOKEN_COOKIE), token), viaQuery };
}

/** The headers of every HTTP answer: a strict CSP that lets the page reach only this host's socket. */
function securityHeaders({ port }: HostIdentity): Record<string, string> {
  return {
    'Content-Security-Policy':
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; img-src 'self' data:; ` +
      `style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  };
}

/**
 * The handler of every HTTP request: the checks in order (Host, method, a path that can't leave
 * the renderer folder, the token), then `/ws` without an upgrade (426), `/ping`, the index page
 * (setting the cookie when the token came in the query) and the renderer's static files.
 */
export function createHttpHandler(identity: HostIdentity, rendererDir: string): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  const sendText = (res: http.ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, {
      ...securityHeaders(identity),
      'Content-Type': body.startsWith('<!doctype') ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8',
      'Content-Length': String(Buffer.byteLength(body)),
      'Cache-Control': 'no-store',
      ...extra,
    });
    res.end(res.req.method === 'HEAD' ? undefined : body);
  };

  const serveFile = (res: http.ServerResponse, file: string, size: number, extra: Record<string, string>): void => {
    const stream = createReadStream(file);
    stream.once('open', () => {
      res.writeHead(200, {
        ...securityHeaders(identity),
        'Content-Type': contentTypeFor(file),
        'Content-Length': String(size),
        ...extra,
      });
      if (res.req.method === 'HEAD') {
        stream.destroy();
        res.end();
      } else {
        stream.pipe(res);
      }
    });
    stream.once('error', () => {
      if (!res.headersSent) sendText(res, 404, 'Not found');
      else res.destroy();
    });
  };

  const serveIndex = async (res: http.ServerResponse, viaQuery: boolean): Promise<void> => {
    const extra: Record<string, string> = { 'Cache-Control': 'no-store' };
    // The cookie lets the page load its assets without the token in every URL.
    if (viaQuery) extra['Set-Cookie'] = `${TOKEN_COOKIE}=${identity.token}; HttpOnly; SameSite=Strict; Path=/`;
    const index = path.join(rendererDir, 'index.html');
    let size: number | undefined;
    try {
      const info = await stat(index);
      if (info.isFile()) size = info.size;
    } catch {
      size = undefined;
    }
    if (size === undefined) sendText(res, 503, NOT_BUILT_PAGE, extra);
    else serveFile(res, index, size, extra);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!hostAllowed(req, identity)) {
      sendText(res, 403, 'Forbidden host');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed', { Allow: 'GET, HEAD' });
      return;
    }
    const rawTarget = req.url ?? '/';
    const rawPath = rawTarget.split('?', 1)[0]!;
    if (!rawPath.startsWith('/') || !safeSegments(rawPath)) {
      sendText(res, 403, 'Forbidden');
      return;
    }
    const url = new URL(rawTarget, `http://127.0.0.1:${identity.port}`);
    const auth = authorized(url, req, identity);
    if (!auth.ok) {
      sendText(res, 403, FORBIDDEN_PAGE);
      return;
    }
    if (url.pathname === SOCKET_PATH) {
      sendText(res, 426, 'WebSocket upgrade required', { Upgrade: 'websocket' });
      return;
    }
    if (url.pathname === PING_PATH) {
      res.writeHead(204, { ...securityHeaders(identity), 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      await serveIndex(res, auth.viaQuery);
      return;
    }
    const found = await resolveStaticPath(rendererDir, rawPath);
    if (found.kind === 'forbidden') sendText(res, 403, 'Forbidden');
    else if (found.kind === 'not-found') sendText(res, 404, 'Not found');
    // Vite's assets carry a content hash in their names, but no-cache keeps a rebuilt UI fresh.
    else serveFile(res, found.file, found.size, { 'Cache-Control': 'no-cache' });
  };

  return (req, res) => {
    handle(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  };
}

/**
 * Checks a WebSocket upgrade: the path (404), then the Host, the Origin and the token (403).
 * Answers a refused one on the raw socket and returns false; returns true for one to accept.
 */
export function admitUpgrade(req: http.IncomingMessage, socket: Socket, identity: HostIdentity): boolean {
  const rawTarget = req.url ?? '/';
  const url = new URL(rawTarget.startsWith('/') ? rawTarget : '/', `http://127.0.0.1:${identity.port}`);
  if (url.pathname !== SOCKET_PATH) return refuseUpgrade(socket, 404, 'Not Found');
  if (!hostAllowed(req, identity)) return refuseUpgrade(socket, 403, 'Forbidden');
  if (!originAllowed(req.headers.origin, identity)) return refuseUpgrade(socket, 403, 'Forbidden');
  if (!authorized(url, req, identity).ok) return refuseUpgrade(socket, 403, 'Forbidden');
  return true;
}

/** Answers an upgrade with a plain HTTP error and closes the socket (destroyed after a second if the client lingers). */
function refuseUpgrade(socket: Socket, status: number, text: string): false {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
  setTimeout(() => socket.destroy(), 1000).unref();
  return false;
}
