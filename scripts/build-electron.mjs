#!/usr/bin/env node
// Bundles the Electron shell with esbuild:
//   electron/main.ts    → dist/electron/main.cjs     (Node, CommonJS; core and dependencies inlined)
//   electron/preload.ts → dist/electron/preload.cjs  (sandboxed preload: one self-contained
//                                                     CommonJS file; its only require is 'electron')
// and copies what the main process reads from disk: the web page's files (core/http/page/assets →
// dist/electron/assets, see below), and the images: assets/tray/*.png and *.ico (Windows) →
// dist/electron/tray/, assets/icons/512x512.png → dist/electron/icon.png (window icon on Linux)
// and assets/icon.ico → dist/electron/icon.ico (window icon on Windows).
//
// Usage: node scripts/build-electron.mjs [--outdir DIR]
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// Electron 41 runs Node 24 and Chromium 146; these targets are safely below.
const NODE_TARGET = 'node22';
const CHROME_TARGET = 'chrome130';

/** Builds both bundles into `outdir` and copies the images next to them. */
export async function buildElectron({ outdir = path.join(root, 'dist', 'electron') } = {}) {
  const common = {
    bundle: true,
    format: 'cjs',
    external: ['electron'],
    sourcemap: 'linked',
    logLevel: 'warning',
    absWorkingDir: root,
    legalComments: 'none',
  };
  await Promise.all([
    build({
      ...common,
      entryPoints: [path.join(root, 'electron', 'main.ts')],
      outfile: path.join(outdir, 'main.cjs'),
      platform: 'node',
      target: NODE_TARGET,
      // Core modules find files beside themselves through `import.meta.url`
      // (core/http/page/page-assets.ts: `new URL('./assets/', import.meta.url)`), which CommonJS
      // lacks: esbuild would leave it empty and the bundle would throw as it loads. In the bundle
      // it is main.cjs's own URL (inside app.asar when packaged), and those files are copied next
      // to it.
      define: { 'import.meta.url': 'import_meta_url' },
      banner: { js: 'const import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
    }),
    build({
      ...common,
      entryPoints: [path.join(root, 'electron', 'preload.ts')],
      outfile: path.join(outdir, 'preload.cjs'),
      // 'browser': a sandboxed preload has no Node; importing a Node module fails the build
      // instead of failing in the window.
      platform: 'browser',
      target: CHROME_TARGET,
    }),
  ]);

  const pageAssets = path.join(root, 'core', 'http', 'page', 'assets');
  await mkdir(path.join(outdir, 'assets'), { recursive: true });
  for (const name of await readdir(pageAssets)) await copyFile(path.join(pageAssets, name), path.join(outdir, 'assets', name));

  const trayOut = path.join(outdir, 'tray');
  await mkdir(trayOut, { recursive: true });
  for (const name of await readdir(path.join(root, 'assets', 'tray'))) {
    if (/\.(png|ico)$/.test(name)) await copyFile(path.join(root, 'assets', 'tray', name), path.join(trayOut, name));
  }
  await copyFile(path.join(root, 'assets', 'icons', '512x512.png'), path.join(outdir, 'icon.png'));
  await copyFile(path.join(root, 'assets', 'icon.ico'), path.join(outdir, 'icon.ico'));
  return { main: path.join(outdir, 'main.cjs'), preload: path.join(outdir, 'preload.cjs') };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
  const result = await buildElectron(values.outdir ? { outdir: path.resolve(values.outdir) } : {});
  console.log(`Built ${path.relative(root, result.main)} and ${path.relative(root, result.preload)}`);
}
