/**
 * The contract over WebSocket frames (contract.ts's `ClientFrame` / `ServerFrame`, JSON text):
 * each request frame is answered by the handler of its name, each pushed event is broadcast to
 * every client as an event frame, serialised once.
 *
 * One backpressure rule for both: a client with more than {@link MAX_BUFFERED_BYTES} unsent is
 * dropped, so a stuck tab can't grow the host's memory. A frame that is not a request (binary,
 * malformed JSON, another kind, no integer id) closes its socket with 1003; an unknown request
 * name gets an `unsupported` result and the socket stays.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { ClientFrame, FtpShareBackend, RequestFunctions, RequestName, Result, ServerFrame } from '../share/contract.js';

/** Largest request frame accepted (bytes); a settings change is a few hundred. */
const MAX_FRAME_BYTES = 1024 * 1024;

/** Unsent bytes to one client beyond which it is dropped (a stuck tab must not grow memory). */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

/** How long closing sockets get to answer the close frame before they are terminated. */
const CLOSE_GRACE_MS = 500;

/** The WebSocket side of a web host. */
export interface WsTransport {
  /** Completes an upgrade that the HTTP checks admitted; the socket then speaks the contract. */
  accept(req: http.IncomingMessage, socket: Socket, head: Buffer): void;
  /** Stops the pushes and closes every socket with 1001, terminating those that don't answer. */
  close(): void;
}

type Handler = (params: unknown) => Promise<Result<unknown>>;

/** Serves `handlers` and broadcasts the pushes of `pushes` from now on, to every accepted socket. */
export function createWsTransport(handlers: RequestFunctions, pushes: Pick<FtpShareBackend, 'onPush'>): WsTransport {
  const clients = new Set<WebSocket>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false });

  const respond = (ws: WebSocket, id: number, result: Result<unknown>): void =>
    deliver(ws, JSON.stringify({ kind: 'response', id, result } satisfies ServerFrame));

  const onMessage = (ws: WebSocket, data: RawData, isBinary: boolean): void => {
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
      respond(ws, request.id, { ok: false, code: 'unsupported', message: `Unknown request "${shown}"` });
      return;
    }
    handler(request.params).then(
      (result) => respond(ws, request.id, result),
      () => respond(ws, request.id, { ok: false, code: 'internal', message: 'The request failed' }),
    );
  };

  const unsubscribe = pushes.onPush((event, payload) => {
    if (clients.size === 0) return;
    // Serialised once for every client.
    const text = JSON.stringify({ kind: 'event', event, payload } satisfies ServerFrame);
    for (const ws of clients) deliver(ws, text);
  });

  return {
    accept(req, socket, head) {
      wss.handleUpgrade(req, socket, head, (ws) => {
        clients.add(ws);
        ws.on('error', () => undefined);
        ws.on('close', () => clients.delete(ws));
        ws.on('message', (data: RawData, isBinary: boolean) => onMessage(ws, data, isBinary));
      });
    },
    close() {
      unsubscribe();
      for (const ws of clients) ws.close(1001, 'FTP Share is closing');
      wss.close();
      setTimeout(() => {
        for (const ws of clients) ws.terminate();
      }, CLOSE_GRACE_MS).unref();
    },
  };
}

/** Sends one frame to an open client, or drops the client when it is {@link MAX_BUFFERED_BYTES} behind. */
function deliver(ws: WebSocket, text: string): void {
  if (ws.readyState !== ws.OPEN) return;
  if (ws.bufferedAmount > MAX_BUFFERED_BYTES) ws.terminate();
  else ws.send(text);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
