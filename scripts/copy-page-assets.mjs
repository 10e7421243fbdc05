#!/usr/bin/env node
// Copies the web page's static files (core/http/page/assets: the stylesheet, the script, the
// icons) beside the compiled module that reads them (dist/core/http/page/page-assets.js reads
// ./assets/), since tsc copies only what it compiles. Called by `npm run build:core`.
//
// Usage: node scripts/copy-page-assets.mjs [--outdir DIR]   (default dist/core/http/page/assets)
import { cp, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Replaces `outdir` with a copy of the page's assets (a file removed from the sources goes too). */
export async function copyPageAssets({ outdir = path.join(root, 'dist', 'core', 'http', 'page', 'assets') } = {}) {
  await rm(outdir, { recursive: true, force: true });
  await cp(path.join(root, 'core', 'http', 'page', 'assets'), outdir, { recursive: true });
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  await copyPageAssets(values.outdir ? { outdir: path.resolve(values.outdir) } : {});
}
