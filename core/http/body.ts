/**
 * Small request bodies (the sign-in form, an action's JSON), read whole but bounded in size and
 * time: a client can neither fill memory nor hold a request open by trickling bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaults } from '../defaults.js';

export class BodyError extends Error {
  constructor(readonly status: 400 | 408 | 413 | 415, message: string) {
    super(message);
  }
}

/** Answers `Expect: 100-continue` once the request is going to be read. */
export function acceptBody(req: IncomingMessage, res: ServerResponse): void {
  if (/100-continue/i.test(req.headers.expect ?? '') && !res.headersSent) res.writeContinue();
}

async function readBounded(req: IncomingMessage, res: ServerResponse): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > defaults.webMaxFormBytes) throw new BodyError(413, 'The request is too large');
  acceptBody(req, res);
  const chunks: Buffer[] = [];
  let size = 0;
  const timer = setTimeout(() => req.destroy(new BodyError(408, 'The request took too long')), defaults.webFormBodyTimeoutMs);
  try {
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > defaults.webMaxFormBytes) throw new BodyError(413, 'The request is too large');
      chunks.push(chunk as Buffer);
    }
  } catch (err) {
    if (err instanceof BodyError) throw err;
    throw new BodyError(400, 'The request body did not arrive');
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The fields of a JSON object or an urlencoded form body, as strings (other JSON values are dropped). */
export async function readFields(req: IncomingMessage, res: ServerResponse): Promise<Record<string, string>> {
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const text = await readBounded(req, res);
  const fields: Record<string, string> = Object.create(null) as Record<string, string>;
  if (type.startsWith('application/json')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text === '' ? '{}' : text);
    } catch {
      throw new BodyError(400, 'The request is not valid JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new BodyError(400, 'The request must be a JSON object');
    for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') fields[key] = value;
    return fields;
  }
  if (type.startsWith('application/x-www-form-urlencoded') || (type === '' && text === '')) {
    for (const [key, value] of new URLSearchParams(text)) fields[key] = value;
    return fields;
  }
  throw new BodyError(415, 'Send JSON or a form');
}
