/**
 * `GET /?asset=<name>`: the page's stylesheet, script and icons (read once by page-assets.ts),
 * with a content-hash ETag. `&v=<hash>` in the URL makes it immutable for a year; without it the
 * browser revalidates (a 304 on a LAN costs nothing), so a new version of the app is never
 * hidden behind a stale cached script.
 */
import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { etagListMatches } from './ranges.js';
import { readPageAsset } from './pages.js';
import { sendError } from './responses.js';

const etags = new WeakMap<Buffer, string>();

function etagOf(body: Buffer): string {
  let etag = etags.get(body);
  if (!etag) {
    etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    etags.set(body, etag);
  }
  return etag;
}

export async function serveAsset(req: IncomingMessage, res: ServerResponse, name: string, version: string | null): Promise<void> {
  const asset = await readPageAsset(name);
  if (!asset) return sendError(req, res, 404);
  const etag = etagOf(asset.body);
  const versioned = version !== null && `"${version}"` === etag;
  const headers = {
    'Content-Type': asset.contentType,
    ETag: etag,
    'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
  };
  const inm = req.headers['if-none-match'];
  if (inm !== undefined && etagListMatches(inm, etag)) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Length': asset.body.length });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}
