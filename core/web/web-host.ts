/**
 * The CLI's local web host: the built renderer over HTTP and the share's contract over a
 * WebSocket, on 127.0.0.1 only, behind a random token.
 *
 * A thin transport, like the Electron IPC: each request frame is answered by the backend's
 * request of the same name, each push becomes an event frame. What only a desktop host can do
 * (native folder picker, opening the file manager, the clipboard) answers `unsupported`: a web
 * page must never make the CLI pop up dialogs or open paths.
 *
 * This module puts the host together; the parts are http-checks.ts (Host, Origin and token
 * checks, security headers, the pages and static files, `/ping`) and ws-transport.ts (frames,
 * broadcast, the backpressure rule).
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { listen } from '../net/listen.js';
import { requestsFromCall } from '../share/contract-calls.js';
import type { FtpShareBackend, RequestFunctions, Result } from '../share/contract.js';
import { admitUpgrade, createHttpHandler, type HostIdentity } from './http-checks.js';
import { createToken } from './token.js';
import { createWsTransport } from './ws-transport.js';

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

/**
 * One handler per request name: the backend's own request (called on the backend, keeping `this`
 * for a class such as the ShareService), except what only a desktop host can do. Built from the
 * contract's names, so a request added to the contract is served here or fails to compile.
 */
export function webHostHandlers(backend: FtpShareBackend): RequestFunctions {
  const unsupported = (name: keyof typeof HOST_ONLY_MESSAGE) => async (): Promise<Result<never>> =>
    ({ ok: false, code: 'unsupported', message: HOST_ONLY_MESSAGE[name] });
  return {
    ...requestsFromCall((name, params) => (backend[name] as (params: unknown) => Promise<Result<unknown>>).call(backend, params)),
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
  const server = http.createServer();
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  // The checks need the bound port, so the handlers come after listening: they are attached
  // before the event loop next polls, so no connection is served without them.
  await listen(server, { port: options.port ?? 0, host: '127.0.0.1', exclusive: true });
  const identity: HostIdentity = { port: (server.address() as AddressInfo).port, token };
  const transport = createWsTransport(webHostHandlers(options.backend), options.backend);
  server.on('request', createHttpHandler(identity, rendererDir));
  server.on('upgrade', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => undefined);
    if (admitUpgrade(req, socket, identity)) transport.accept(req, socket, head);
  });

  const { port } = identity;
  let closing: Promise<void> | undefined;
  return {
    port,
    token,
    url: `http://127.0.0.1:${port}/?token=${token}`,
    wsUrl: `ws://127.0.0.1:${port}/ws?token=${token}`,
    close() {
      closing ??= new Promise<void>((resolve) => {
        transport.close();
        server.close(() => resolve());
        // Keep-alive HTTP connections and WebSockets that don't answer the close frame.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
