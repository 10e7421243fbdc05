/**
 * Serving the built renderer: content types, and a resolver that confines every request to the
 * renderer folder (no `..`, no encoded separators, no symlink leading out).
 */
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

/** Content types of the files a Vite build produces. */
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.webmanifest': 'application/manifest+json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
};

/** The content type for a file name; `application/octet-stream` when unknown. */
export function contentTypeFor(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** Outcome of {@link resolveStaticPath}. */
export type StaticLookup =
  | { kind: 'file'; file: string; size: number }
  | { kind: 'forbidden' }
  | { kind: 'not-found' };

/**
 * Splits a raw request path (as sent, before any normalisation) into decoded segments.
 * Undefined when a segment is `..`, holds a separator or NUL after decoding, or is malformed
 * percent-encoding: such a request is refused, not "fixed".
 */
export function safeSegments(rawPath: string): string[] | undefined {
  const segments: string[] = [];
  for (const raw of rawPath.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return undefined;
    }
    if (segment === '..' || segment.includes('/') || segment.includes('\\') || segment.includes('\0')) return undefined;
    if (segment === '' || segment === '.') continue;
    segments.push(segment);
  }
  return segments;
}

function isInside(root: string, target: string): boolean {
  const relative = path.relative(root, target);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * Finds the file for a request path inside `root`: refuses traversal, follows symlinks only
 * when they stay inside the root, and answers not-found for folders and missing files.
 */
export async function resolveStaticPath(root: string, rawPath: string): Promise<StaticLookup> {
  const segments = safeSegments(rawPath);
  if (!segments) return { kind: 'forbidden' };
  let realRoot: string;
  try {
    realRoot = await realpath(root);
  } catch {
    return { kind: 'not-found' };
  }
  const candidate = path.resolve(realRoot, ...segments);
  if (!isInside(realRoot, candidate)) return { kind: 'forbidden' };
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    return { kind: 'not-found' };
  }
  if (!isInside(realRoot, real)) return { kind: 'forbidden' };
  try {
    const info = await stat(real);
    return info.isFile() ? { kind: 'file', file: real, size: info.size } : { kind: 'not-found' };
  } catch {
    return { kind: 'not-found' };
  }
}
