import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { pngHeader, pngRgba } from './png.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'package.json'));

// js-yaml comes with electron-builder; its loader gives plain objects.
const yaml = require('js-yaml') as { load(text: string): unknown };
type Config = Record<string, any>;
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Config;

describe('electron-builder.yml', () => {
  it('names the app and its output', () => {
    assert.equal(config['appId'], 'app.ftpshare.desktop');
    assert.equal(config['productName'], 'FTP Share');
    assert.equal(config['directories'].output, 'release');
    assert.equal(config['extraMetadata'].main, 'dist/electron/main.cjs');
  });

  it('packs the bundles, renderer, core and package.json, and no tests or sources', () => {
    const files = config['files'] as string[];
    for (const wanted of ['package.json', 'dist/electron/**/*', 'dist/renderer/**/*', 'dist/core/**/*']) {
      assert.ok(files.includes(wanted), `files has ${wanted}`);
    }
    assert.ok(files.some((f) => f.startsWith('!test')), 'tests excluded');
    assert.ok(!files.some((f) => /^(electron|core|renderer|src)\//.test(f)), 'no TypeScript sources');
  });

  it('mac: dmg and zip, utilities, local network and folder usage strings', () => {
    assert.deepEqual(config['mac'].target, ['dmg', 'zip']);
    assert.equal(config['mac'].category, 'public.app-category.utilities');
    const info = config['mac'].extendInfo as Record<string, string>;
    for (const key of [
      'NSLocalNetworkUsageDescription',
      'NSDesktopFolderUsageDescription',
      'NSDocumentsFolderUsageDescription',
      'NSDownloadsFolderUsageDescription',
    ]) {
      assert.equal(typeof info[key], 'string', key);
      assert.ok(info[key]!.length > 20, `${key} says why`);
    }
  });

  it('win: nsis and portable; linux: AppImage and deb in Network', () => {
    assert.deepEqual(config['win'].target, ['nsis', 'portable']);
    assert.deepEqual(config['linux'].target, ['AppImage', 'deb']);
    assert.equal(config['linux'].category, 'Network');
  });

  it('deb: an explicit dependency list without libappindicator1', () => {
    const depends = config['deb'].depends as string[];
    assert.ok(Array.isArray(depends) && depends.length > 0);
    assert.ok(!depends.some((d) => d.includes('libappindicator1')));
    for (const needed of ['libgtk-3-0', 'libnss3', 'libnotify4', 'libsecret-1-0']) assert.ok(depends.includes(needed), needed);
  });

  it('takes its icons from assets', () => {
    assert.equal(config['mac'].icon, 'assets/icon.png');
    assert.equal(config['win'].icon, 'assets/icon.png');
    assert.equal(config['linux'].icon, 'assets/icons');
  });

  it("passes electron-builder's own schema validation", async () => {
    const { validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
      validateConfiguration(config: unknown, logger: unknown): Promise<void>;
    };
    const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };
    await validateConfiguration(config, new DebugLogger(false));
    // The validator does refuse a wrong key (so the pass above means something).
    await assert.rejects(validateConfiguration({ ...config, notAnOption: true }, new DebugLogger(false)), /notAnOption/);
  });
});

describe('assets', () => {
  const sizes = [16, 32, 48, 64, 128, 256, 512, 1024];

  it('has the app icon at every size, and icon.png at 1024', async () => {
    for (const size of sizes) {
      const header = pngHeader(await readFile(path.join(root, 'assets', 'icons', `${size}x${size}.png`)));
      assert.deepEqual([header.width, header.height], [size, size], `${size}x${size}.png`);
      assert.equal(header.colorType, 6, 'RGBA');
    }
    const big = pngHeader(await readFile(path.join(root, 'assets', 'icon.png')));
    assert.deepEqual([big.width, big.height], [1024, 1024]);
    assert.match(await readFile(path.join(root, 'assets', 'icon.svg'), 'utf8'), /<svg[^>]+viewBox="0 0 1024 1024"/);
  });

  it('the app icon has transparent corners and an opaque middle', async () => {
    const { width, pixels } = pngRgba(await readFile(path.join(root, 'assets', 'icons', '256x256.png')));
    const alpha = (x: number, y: number) => pixels[(y * width + x) * 4 + 3]!;
    assert.equal(alpha(0, 0), 0);
    assert.equal(alpha(255, 255), 0);
    assert.equal(alpha(128, 128), 255);
  });

  it('has the tray images at 16 px and @2x 32 px', async () => {
    for (const name of ['tray-on', 'tray-off', 'trayTemplate', 'trayOffTemplate']) {
      const one = pngHeader(await readFile(path.join(root, 'assets', 'tray', `${name}.png`)));
      const two = pngHeader(await readFile(path.join(root, 'assets', 'tray', `${name}@2x.png`)));
      assert.deepEqual([one.width, one.height, two.width, two.height], [16, 16, 32, 32], name);
    }
  });

  it('the macOS template images are black with alpha, and not empty', async () => {
    for (const file of ['trayTemplate.png', 'trayTemplate@2x.png', 'trayOffTemplate.png', 'trayOffTemplate@2x.png']) {
      const { pixels } = pngRgba(await readFile(path.join(root, 'assets', 'tray', file)));
      let visible = 0;
      for (let i = 0; i < pixels.length; i += 4) {
        if (pixels[i + 3] === 0) continue;
        visible++;
        assert.deepEqual([pixels[i], pixels[i + 1], pixels[i + 2]], [0, 0, 0], `${file}: a non-black pixel`);
      }
      assert.ok(visible > pixels.length / 4 / 10, `${file} draws something`);
    }
  });

  it('the sharing and not-sharing tray images differ', async () => {
    const on = await readFile(path.join(root, 'assets', 'tray', 'tray-on.png'));
    const off = await readFile(path.join(root, 'assets', 'tray', 'tray-off.png'));
    assert.ok(!on.equals(off));
  });
});

describe('the Electron bundles', { timeout: 120_000 }, () => {
  const temp: string[] = [];
  after(async () => {
    for (const dir of temp) await removeTempDir(dir);
  });

  /** Every module specifier a bundle requires at run time. */
  function requires(code: string): string[] {
    return [...new Set([...code.matchAll(/\brequire\((["'`])([^"'`]+)\1\)/g)].map((m) => m[2]!))].sort();
  }

  it('builds main.cjs (Node) and a self-contained preload.cjs whose only require is electron', async () => {
    const outdir = await makeTempDir('ftp-share-electron-build-');
    temp.push(outdir);
    await run(process.execPath, [path.join(root, 'scripts', 'build-electron.mjs'), '--outdir', outdir], { cwd: root, timeout: 90_000 });

    const preload = await readFile(path.join(outdir, 'preload.cjs'), 'utf8');
    assert.deepEqual(requires(preload), ['electron']);
    assert.match(preload, /exposeInMainWorld\)?\(\s*"ftpShare"/);
    assert.match(preload, /ftp-share:/);

    const main = await readFile(path.join(outdir, 'main.cjs'), 'utf8');
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    const foreign = requires(main).filter((m) => m !== 'electron' && !builtins.has(m));
    assert.deepEqual(foreign, [], 'main.cjs needs nothing but Electron and Node built-ins');
    assert.ok(requires(main).includes('electron'));
    // CommonJS, as Electron loads main.cjs.
    assert.doesNotMatch(main, /^\s*import\s/m);

    const tray = (await readdir(path.join(outdir, 'tray'))).sort();
    assert.deepEqual(tray, [
      'tray-off.png', 'tray-off@2x.png', 'tray-on.png', 'tray-on@2x.png',
      'trayOffTemplate.png', 'trayOffTemplate@2x.png', 'trayTemplate.png', 'trayTemplate@2x.png',
    ]);
    assert.equal(pngHeader(await readFile(path.join(outdir, 'icon.png'))).width, 512);
  });
});

describe('package.json scripts', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    main: string;
    scripts: Record<string, string>;
  };

  it('builds, starts and packages the desktop app; keeps main as the library entry', () => {
    assert.equal(pkg.scripts['build:electron'], 'node scripts/build-electron.mjs');
    assert.equal(pkg.scripts['start'], 'node scripts/start-electron.mjs');
    assert.match(pkg.scripts['dist']!, /electron-builder --config electron-builder\.yml/);
    // dist must build the Electron bundles: directly, or through `npm run build`.
    const distBuildsElectron =
      /build:electron/.test(pkg.scripts['dist']!) || (/npm run build(?:\s|&|$)/.test(pkg.scripts['dist']!) && /build:electron/.test(pkg.scripts['build']!));
    assert.ok(distBuildsElectron, `dist does not build the Electron bundles: ${pkg.scripts['dist']}`);
    assert.match(pkg.scripts['typecheck']!, /tsc -p electron\/tsconfig\.json --noEmit/);
    assert.equal(pkg.main, 'dist/core/index.js');
  });
});
