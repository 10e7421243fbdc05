/**
 * The CLI's local web host: the built renderer over HTTP and the share's contract over a
 * WebSocket, on 127.0.0.1 only, behind a random token.
 *
 * A thin transport, like the Electron IPC: each request frame is answered by the backend's
 * request of the same name, each push becomes an event frame. What only a desktop host can do
 * (native folder picker, opening the file manager, the clipboard) answers `unsupported`: a web
 * page must never make the CLI pop up dialogs or open paths.
 *
 * Who may talk to it: whoever holds the token, which is printed by the CLI in the page URL
 * (`http://127.0.0.1:PORT/?token=T`). The index page sets it as an HttpOnly, SameSite=Strict
 * cookie so the page's own assets load without it. The WebSocket also checks the Origin (a page
 * on another site can't drive it even if it guessed the port), and every request checks the Host
 * header (DNS rebinding).
 *
 * `GET /ping` answers 204 to a holder of the token and 403 to anyone else. A page whose socket
 * closed asks it to tell "FTP Share has stopped" (nothing answers) from "FTP Share was started
 * again" (a host answers, with another token: the page must be opened from the new address).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { requestsFromCall } from '../share/contract-calls.js';
import type { ClientFrame, FtpShareBackend, RequestFunctions, RequestName, Result, ServerFrame } from '../share/contract.js';
import { contentTypeFor, resolveStaticPath, safeSegments } from './static-files.js';
import { TOKEN_COOKIE, createToken, readCookie, tokensEqual } from './token.js';

/** Options of {@link startWebHost}. */
export interface WebHostOptions {
  backend: FtpShareBackend;
  /** Port on 127.0.0.1; 0 (default) lets the OS pick a free one. */
  port?: number;
  /** Folder of the built renderer (with index.html). Default: {@link defaultRendererDir}. */
  rendererDir?: string | URL;
  /** The access token; default a fresh {@link createToken}. */
  token?: string;
}

/** A running web host. */
export interface WebHost {
  /** The bound port. */
  readonly port: number;
  readonly token: string;
  /** The page URL with the token: `http://127.0.0.1:PORT/?token=T`. */
  readonly url: string;
  /** The WebSocket URL with the token: `ws://127.0.0.1:PORT/ws?token=T`. */
  readonly wsUrl: string;
  /** Closes every WebSocket (1001) and the listener. Idempotent. */
  close(): Promise<void>;
}

/** Answers 204 to a holder of the token (see the module comment). */
export const PING_PATH = '/ping';

/** Largest request frame accepted (bytes); a settings change is a few hundred. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** Unsent bytes to one client beyond which it is dropped (a stuck tab must not grow memory). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** Requests a browser page can't have: the CLI has no native dialogs, file manager or clipboard. */
const HOST_ONLY_MESSAGE: Record<'pickFolders' | 'openFolder' | 'copyText', string> = {
  pickFolders: 'The browser can\'t open a folder picker here; type the folder\'s path instead',
  openFolder: 'The browser can\'t open folders; open it in your file manager',
  copyText: 'Use the browser\'s copy instead',
};

/**
 * The built renderer: `dist/renderer/`, found relative to this module whether it runs compiled
 * (`dist/core/web/web-host.js` → `dist/renderer/`) or from source with tsx
 * (`core/web/web-host.ts` → `dist/renderer/`).
 */
export function defaultRendererDir(): string {
  const twoUp = fileURLToPath(new URL('../../', import.meta.url));
  return path.basename(twoUp) === 'dist'
    ? fileURLToPath(new URL('../../renderer/', import.meta.url))
    : fileURLToPath(new URL('../../dist/renderer/', import.meta.url));
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

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

type Handler = (params: unknown) => Promise<Result<unknown>>;

/**
 * One handler per request name: the backend's own request (called on the backend, keeping `this`
 * for a class such as the ShareService), except what only a desktop host can do. Built from the
 * contract's names, so a request added to the contract is served here or fails to compile.
 */
export function webHostHandlers(backend: FtpShareBackend): RequestFunctions {
  const unsupported = (name: keyof typeof HOST_ONLY_MESSAGE) => async (): Promise<Result<never>> =>
    ({ ok: false, code: 'unsupported', message: HOST_ONLY_MESSAGE[name] });
  return {
    ...requestsFromCall((name, params) => (backend[name] as Handler).call(backend, params)),
    pickFolders: unsupported('pickFolders'),
    openFolder: unsupported('openFolder'),
    copyText: unsupported('copyText'),
    // A frame may leave out the parameter of a request whose fields are all optional.
    findFreePort: (params) => backend.findFreePort(params ?? {}),
  };
}

/** Starts the web host on 127.0.0.1; resolves once it listens. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const token = options.token ?? createToken();
  const rendererDir =
    options.rendererDir instanceof URL ? fileURLToPath(options.rendererDir) : (options.rendererDir ?? defaultRendererDir());
  const handlers = webHostHandlers(options.backend);
  const clients = new Set<WebSocket>();
  let port = 0;

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);
  const allowedOrigins = (): Set<string> => new Set([`http://127.0.0.1:${port}`, `http://localhost:${port}`]);
  const securityHeaders = (): Record<string, string> => ({
    'Content-Security-Policy':
      `default-src 'self'; connect-src 'self' ws://127.0.0.1:${port} ws://localhost:${port}; img-src 'self' data:; ` +
      `style-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'`,
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Resource-Policy': 'same-origin',
  });
  /** Whether a request carries the token, in its query or its cookie. */
  const authorized = (url: URL, req: http.IncomingMessage): { ok: boolean; viaQuery: boolean } => {
    const viaQuery = tokensEqual(url.searchParams.get('token'), token);
    return { ok: viaQuery || tokensEqual(readCookie(req.headers.cookie, TOKEN_COOKIE), token), viaQuery };
  };

  const sendText = (res: http.ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void => {
    res.writeHead(status, {
      ...securityHeaders(),
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
        ...securityHeaders(),
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

  const handleRequest = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (!allowedHosts().has(String(req.headers.host ?? '').toLowerCase())) {
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
    const url = new URL(rawTarget, `http://127.0.0.1:${port}`);
    const auth = authorized(url, req);
    if (!auth.ok) {
      sendText(res, 403, FORBIDDEN_PAGE);
      return;
    }
    if (url.pathname === '/ws') {
      sendText(res, 426, 'WebSocket upgrade required', { Upgrade: 'websocket' });
      return;
    }
    if (url.pathname === PING_PATH) {
      res.writeHead(204, { ...securityHeaders(), 'Cache-Control': 'no-store' });
      res.end();
      return;
    }
    if (url.pathname === '/' || url.pathname === '/index.html') {
      const extra: Record<string, string> = { 'Cache-Control': 'no-store' };
      // The cookie lets the page load its assets without the token in every URL.
      if (auth.viaQuery) extra['Set-Cookie'] = `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
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
      return;
    }
    const found = await resolveStaticPath(rendererDir, rawPath);
    if (found.kind === 'forbidden') sendText(res, 403, 'Forbidden');
    else if (found.kind === 'not-found') sendText(res, 404, 'Not found');
    // Vite's assets carry a content hash in their names, but no-cache keeps a rebuilt UI fresh.
    else serveFile(res, found.file, found.size, { 'Cache-Control': 'no-cache' });
  };

  const server = http.createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      if (!res.headersSent) sendText(res, 500, 'Internal error');
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  const refuseUpgrade = (socket: Socket, status: number, text: string): void => {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${text.length}\r\n\r\n${text}`);
    setTimeout(() => socket.destroy(), 1000).unref();
  };

  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    const rawTarget = req.url ?? '/';
    const url = new URL(rawTarget.startsWith('/') ? rawTarget : '/', `http://127.0.0.1:${port}`);
    if (url.pathname !== '/ws') return refuseUpgrade(socket, 404, 'Not Found');
    if (!allowedHosts().has(String(req.headers.host ?? '').toLowerCase())) return refuseUpgrade(socket, 403, 'Forbidden');
    // Browsers always send Origin with a WebSocket; only pages of this host may connect. A client
    // without an Origin is not a browser page, and still needs the token.
    const origin = req.headers.origin;
    if (origin !== undefined && !allowedOrigins().has(origin)) return refuseUpgrade(socket, 403, 'Forbidden');
    if (!authorized(url, req).ok) return refuseUpgrade(socket, 403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws));
  });

  const send = (ws: WebSocket, frame: ServerFrame): void => {
    if (ws.readyState !== ws.OPEN) return;
    if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
      ws.terminate();
      return;
    }
    ws.send(JSON.stringify(frame));
  };

  const onConnection = (ws: WebSocket): void => {
    clients.add(ws);
    ws.on('error', () => undefined);
    ws.on('close', () => clients.delete(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        ws.close(1003, 'Text frames only');
        return;
      }
      let frame: unknown;
      try {
        frame = JSON.parse(rawToString(data));
      } catch {
        ws.close(1003, 'Malformed JSON');
        return;
      }
      if (!isRecord(frame) || frame['kind'] !== 'request' || !Number.isSafeInteger(frame['id'])) {
        ws.close(1003, 'Not a request frame');
        return;
      }
      const request = frame as Partial<ClientFrame> & { id: number };
      const name = request.name;
      const handler = typeof name === 'string' && Object.hasOwn(handlers, name) ? (handlers[name as RequestName] as Handler) : undefined;
      if (!handler) {
        const shown = typeof name === 'string' ? name.slice(0, 64) : String(name);
        send(ws, { kind: 'response', id: request.id, result: { ok: false, code: 'unsupported', message: `Unknown request "${shown}"` } });
        return;
      }
      handler(request.params).then(
        (result) => send(ws, { kind: 'response', id: request.id, result }),
        () => send(ws, { kind: 'response', id: request.id, result: { ok: false, code: 'internal', message: 'The request failed' } }),
      );
    });
  };

  const unsubscribe = options.backend.onPush((event, payload) => {
    if (clients.size === 0) return;
    // Serialised once for every client.
    const text = JSON.stringify({ kind: 'event', event, payload } satisfies ServerFrame);
    for (const ws of clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
      else ws.send(text);
    }
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: options.port ?? 0, host: '127.0.0.1', exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    unsubscribe();
    throw err;
  }
  port = (server.address() as AddressInfo).port;

  let closing: Promise<void> | undefined;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    wsUrl: `ws://127.0.0.1:${port}/ws?token=${token}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        for (const ws of clients) ws.close(1001, 'FTP Share is closing');
        wss.close();
        server.close(() => resolve());
        // Keep-alive HTTP connections and WebSockets that don't answer the close frame.
        server.closeAllConnections();
        setTimeout(() => {
          for (const ws of clients) ws.terminate();
        }, 500).unref();
      });
      return closing;
    },
  };
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
