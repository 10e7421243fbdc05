/**
 * The page's static files (assets/: page.css, page.js, the SVG icons), served by the HTTP server
 * at `/?asset=<name>`. Names are matched against a strict pattern before any file is opened, so an
 * asset request can't reach beyond the folder.
 */
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/** The folder beside this module. A build must copy it next to the compiled module. */
export const PAGE_ASSETS_DIR = fileURLToPath(new URL('./assets/', import.meta.url));

const CONTENT_TYPES: Record<string, string> = {
  css: 'text/css; charset=utf-8',
  js: 'text/javascript; charset=utf-8',
  svg: 'image/svg+xml',
};

/** A bare file name of the kinds assets/ holds: no separators, no dots but the extension's. */
const ASSET_NAME = /^[a-z0-9-]+\.(css|js|svg)$/;

/** An asset's bytes and content type. */
export interface PageAsset {
  body: Buffer;
  contentType: string;
}

// The files are small and don't change while the server runs: each is read once. Only files
// found are kept, so requests for made-up names can't grow the cache.
const cache = new Map<string, PageAsset>();

/** The asset called `name` (the `asset` query's value), or undefined when there is none. */
export async function readPageAsset(name: string): Promise<PageAsset | undefined> {
  const match = ASSET_NAME.exec(name);
  if (!match) return undefined;
  const cached = cache.get(name);
  if (cached) return cached;
  let body: Buffer;
  try {
    body = await readFile(PAGE_ASSETS_DIR + name);
  } catch {
    return undefined;
  }
  const asset = { body, contentType: CONTENT_TYPES[match[1]!]! };
  cache.set(name, asset);
  return asset;
}
