/**
 * How the web server answers: statuses for file-system errors, JSON for the page's script, an
 * error page for browsers, plain text for curl. Messages are FsError's (no host paths) or our own;
 * nothing of an exception's stack or a host path ever reaches a response.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isFsError, type FsErrorCode } from '../fs/fs-error.js';
import { renderErrorPage } from './pages.js';

const STATUS_BY_CODE: Record<FsErrorCode, number> = {
  'not-found': 404,
  exists: 409,
  // A path through a file: nothing of that name exists.
  'not-a-directory': 404,
  'is-a-directory': 409,
  'not-empty': 409,
  'permission-denied': 403,
  'read-only': 403,
  'invalid-name': 400,
  'no-space': 507,
  busy: 503,
  io: 500,
};

/** Words for people, by status, where the FsError's own message would say less. */
const MESSAGES: Record<number, string> = {
  400: 'That name or address is not valid',
  401: 'Sign in to see this share',
  403: 'Not allowed',
  404: 'Not found',
  405: 'Method not allowed',
  409: 'That name is already taken',
  413: 'Too large',
  414: 'The address is too long',
  421: 'This server does not answer to that name',
  500: 'Something went wrong',
  503: 'Busy, try again',
  507: 'The disk is full',
};

/** The status and message of a failure; an unexpected one is a 500 that says nothing more. */
export function failureOf(err: unknown): { status: number; message: string } {
  if (isFsError(err)) {
    const status = STATUS_BY_CODE[err.code];
    return { status, message: status === 500 ? MESSAGES[500]! : err.message };
  }
  return { status: 500, message: MESSAGES[500]! };
}

export function messageFor(status: number): string {
  return MESSAGES[status] ?? 'Request refused';
}

/** True for a browser navigation (it asks for HTML), which gets pages and redirects instead of 401/JSON. */
export function wantsHtml(req: IncomingMessage): boolean {
  return /\btext\/html\b/i.test(req.headers.accept ?? '');
}

/**
 * A request whose body was not read: the connection closes after the answer, so an unread upload
 * is not drained (or taken for the next request).
 */
function closeIfBodyUnread(req: IncomingMessage, res: ServerResponse): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
  if (hasBody && !req.complete) res.setHeader('Connection', 'close');
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent) return void res.destroy();
  closeIfBodyUnread(req, res);
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

export function sendHtml(req: IncomingMessage, res: ServerResponse, status: number, html: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  closeIfBodyUnread(req, res);
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(html), 'Cache-Control': 'no-store', ...headers });
  res.end(req.method === 'HEAD' ? undefined : html);
}

/**
 * An error in the form the client reads: JSON for the page's script (`{ error }`), an error page
 * for a browser navigation, plain text for the rest.
 */
export function sendError(req: IncomingMessage, res: ServerResponse, status: number, message = messageFor(status), headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(req, res, status, { error: message });
  if (wantsHtml(req)) return sendHtml(req, res, status, renderErrorPage({ status, message }));
  closeIfBodyUnread(req, res);
  const text = `${status} ${message}\n`;
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-store' });
  res.end(req.method === 'HEAD' ? undefined : text);
}

/** A redirect to a path of this server (never to a URL taken from the request as is). */
export function redirect(req: IncomingMessage, res: ServerResponse, status: 301 | 303 | 307, location: string, headers: Record<string, string> = {}): void {
  closeIfBodyUnread(req, res);
  res.writeHead(status, { Location: location, 'Content-Length': 0, 'Cache-Control': 'no-store', ...headers });
  res.end();
}
