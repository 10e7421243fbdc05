import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { readFile, readdir } from 'node:fs/promises';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { appPaths } from '../../electron/paths.js';
import { trayIconFile } from '../../electron/tray-electron.js';
import { pngHeader, pngRgba } from './png.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(path.join(root, 'package.json'));

// js-yaml comes with electron-builder; its loader gives plain objects.
const yaml = require('js-yaml') as { load(text: string): unknown };
type Config = Record<string, any>;
const config = yaml.load(readFileSync(path.join(root, 'electron-builder.yml'), 'utf8')) as Config;

/** The web page's own files (core/http/page/assets), which the app serves from disk. */
const PAGE_ASSETS = readdirSync(path.join(root, 'core', 'http', 'page', 'assets')).sort();

/**
 * Every file the packaged app loads on `platform`, as main.ts finds them from the main bundle in
 * `bundleDir` (paths.ts, tray-electron.ts): the preload, the renderer's page, the window icon,
 * both tray icons (with their @2x variants where PNGs are used).
 */
function loadedFiles(platform: NodeJS.Platform, bundleDir: string): string[] {
  const paths = appPaths(bundleDir, platform);
  const tray = (['on', 'off'] as const).flatMap((icon) => {
    const file = trayIconFile(icon, platform);
    return file.endsWith('.png') ? [file, file.replace(/\.png$/, '@2x.png')] : [file];
  });
  return [
    paths.preload,
    paths.indexHtml,
    ...(platform === 'darwin' ? [] : [paths.windowIcon]),
    ...tray.map((name) => path.join(paths.trayIconDir, name)),
    // The web page's files, which core/http/page/page-assets.ts finds beside the bundle.
    ...PAGE_ASSETS.map((name) => path.join(bundleDir, 'assets', name)),
  ];
}

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

  it('takes its icons from assets: the Windows one an .ico drawn at every size', () => {
    assert.equal(config['mac'].icon, 'assets/icon.png');
    assert.equal(config['win'].icon, 'assets/icon.ico');
    assert.equal(config['linux'].icon, 'assets/icons');
  });

  it('mac: notarised when the environment gives the credentials; the launch agent shipped', () => {
    assert.equal(config['mac'].notarize, true);
    assert.equal(config['mac'].hardenedRuntime, true);
    for (const extra of config['mac'].extraFiles as { from: string }[]) {
      assert.ok(readFileSync(path.join(root, extra.from)).length > 0, extra.from);
    }
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
    // CommonJS, as Electron loads main.cjs; no `import.meta`, which CommonJS leaves empty.
    assert.doesNotMatch(main, /^\s*import\s/m);
    assert.doesNotMatch(main, /import\.meta/);
    assert.deepEqual((await readdir(path.join(outdir, 'assets'))).sort(), PAGE_ASSETS);

    const tray = (await readdir(path.join(outdir, 'tray'))).sort();
    assert.deepEqual(tray, [
      'tray-off.ico', 'tray-off.png', 'tray-off@2x.png', 'tray-on.ico', 'tray-on.png', 'tray-on@2x.png',
      'trayOffTemplate.png', 'trayOffTemplate@2x.png', 'trayTemplate.png', 'trayTemplate@2x.png',
    ]);
    assert.equal(pngHeader(await readFile(path.join(outdir, 'icon.png'))).width, 512);
    assert.ok((await readFile(path.join(outdir, 'icon.ico'))).equals(await readFile(path.join(root, 'assets', 'icon.ico'))));

    // Every file the packaged app loads is in the build, under the names main.ts asks for.
    for (const platform of ['darwin', 'win32', 'linux'] as const) {
      for (const file of loadedFiles(platform, outdir).filter((f) => f.startsWith(outdir))) {
        await readFile(file).catch(() => assert.fail(`${platform}: ${path.relative(outdir, file)} is not in the build`));
      }
    }
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

describe('package.json and electron-builder.yml, as electron-builder checks them', () => {
  const appBuilder = (module: string) => require(`app-builder-lib/out/${module}`);
  const { readPackageJson, checkMetadata } = appBuilder('util/packageMetadata.js') as {
    readPackageJson(file: string): Promise<Record<string, any>>;
    checkMetadata(metadata: unknown, devMetadata: unknown, appFile: string, devFile: string): void;
  };
  const { AppInfo } = appBuilder('appInfo.js') as { AppInfo: new (info: unknown, buildVersion: null, platformOptions: unknown) => unknown };
  const { getRepositoryInfo } = appBuilder('util/repositoryInfo.js') as { getRepositoryInfo(dir: string, metadata: unknown): Promise<unknown> };
  const FpmTarget = (appBuilder('targets/FpmTarget.js') as { default: { prototype: { computeFpmMetaInfoOptions(): Promise<Record<string, string>> } } }).default;
  const packageFile = path.join(root, 'package.json');

  /**
   * The .deb target's metadata step (FpmTarget.computeFpmMetaInfoOptions), run over the app's
   * package.json the way electron-builder's packager prepares it: `extraMetadata` applied, the
   * repository read with its own helper (no git remote: a fresh download has none).
   */
  async function debMetadata(metadata: Record<string, any>) {
    const app = { ...metadata, ...config['extraMetadata'] };
    const info = { metadata: app, devMetadata: metadata, config, repositoryInfo: getRepositoryInfo(root, app), framework: { defaultAppIdPrefix: 'com.electron.' } };
    const appInfo = new AppInfo(info, null, config['linux']);
    return FpmTarget.prototype.computeFpmMetaInfoOptions.call({ packager: { appInfo, info }, options: config['deb'] ?? {} });
  }

  it('passes electron-builder’s metadata checks, with a description and an author', async () => {
    const metadata = await readPackageJson(packageFile);
    checkMetadata(metadata, metadata, packageFile, packageFile);
    assert.ok(metadata['description'].length > 20);
    assert.equal(metadata['author'].name, 'FTP Share contributors');
  });

  it('the .deb target gets its maintainer (author with an email) and its homepage', async () => {
    const deb = await debMetadata(await readPackageJson(packageFile));
    assert.equal(deb['maintainer'], 'FTP Share contributors <ftp-share@users.noreply.github.com>');
    assert.equal(deb['url'], 'https://github.com/ftp-share/ftp-share#readme');
    assert.equal(deb['name'], 'ftp-share');
  });

  it('without author and homepage the .deb target stops, as `npm run dist` did', async () => {
    const metadata = await readPackageJson(packageFile);
    delete metadata['author'];
    delete metadata['homepage'];
    delete metadata['repository'];
    await assert.rejects(debMetadata(metadata), (error: Error) => /specify project homepage/.test(error.message) && /author 'email'/.test(error.message));
  });

  it('homepage and repository are the project’s GitHub, not a domain nobody owns', async () => {
    const pkg = JSON.parse(readFileSync(packageFile, 'utf8'));
    assert.match(pkg.homepage, /^https:\/\/github\.com\/ftp-share\/ftp-share\b/);
    assert.match(pkg.repository.url, /github\.com\/ftp-share\/ftp-share\.git$/);
    assert.match(pkg.author, /<[^@\s]+@users\.noreply\.github\.com>$/);
  });

  it('every file the packaged app loads is inside `files:`, by electron-builder’s own matcher', () => {
    const { FileMatcher } = appBuilder('fileMatcher.js') as {
      FileMatcher: new (from: string, to: string, expand: (s: string) => string, patterns: string[]) => { createFilter(): (file: string, stat: { isDirectory(): boolean }) => boolean };
    };
    const filter = new FileMatcher(root, root, (s) => s, config['files']).createFilter();
    const isFile = { isDirectory: () => false };
    const bundleDir = path.join(root, path.dirname(config['extraMetadata'].main));
    const wanted = new Set([path.join(root, config['extraMetadata'].main), path.join(root, 'package.json')]);
    for (const platform of ['darwin', 'win32', 'linux'] as const) for (const file of loadedFiles(platform, bundleDir)) wanted.add(file);
    // The page's own scripts and styles, as the last build wrote them.
    const indexHtml = path.join(root, 'dist', 'renderer', 'index.html');
    let html = '';
    try {
      html = readFileSync(indexHtml, 'utf8');
    } catch {
      // Not built here: the page itself is still checked below.
    }
    for (const [, ref] of html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+)"/g)) wanted.add(path.join(root, 'dist', 'renderer', ref!));
    for (const file of wanted) assert.ok(filter(file, isFile), `${path.relative(root, file)} is left out of the package`);
    // And what must stay out does.
    for (const file of ['electron/main.ts', 'test/electron/main.test.ts', 'dist/electron/main.cjs.map']) {
      assert.equal(filter(path.join(root, file), isFile), false, `${file} is packaged`);
    }
  });
});

describe('installing', () => {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };

  it('never downloads Electron: its install script is denied, esbuild’s allowed', () => {
    assert.equal(pkg.allowScripts['electron'], false);
    assert.equal(pkg.allowScripts['esbuild'], true);
  });

  it('states a choice for every package with an install script, so a strict npm neither fails nor asks', () => {
    const withScripts = Object.entries(lock.packages)
      .filter(([, entry]) => entry.hasInstallScript)
      .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
    assert.ok(withScripts.includes('electron'));
    for (const name of withScripts) assert.equal(typeof pkg.allowScripts[name], 'boolean', `allowScripts has no entry for ${name}`);
  });

  it('.ci/run no longer skips the download by variable, and turns mDNS off', () => {
    const ci = readFileSync(path.join(root, '.ci', 'run'), 'utf8');
    assert.doesNotMatch(ci, /^\s*export ELECTRON_SKIP_BINARY_DOWNLOAD/m);
    assert.match(ci, /^export FTP_SHARE_NO_MDNS=1$/m);
  });
});

describe('the README’s desktop sections', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const section = (title: string) => readme.slice(readme.indexOf(`## ${title}`), readme.indexOf('\n## ', readme.indexOf(`## ${title}`) + 3));

  it('says the CLI and its window need no Electron, and npm start fetches it on first use', () => {
    assert.match(readme, /command\s+line and its window \(`ftp-share --ui`, in your browser\) need none/);
    assert.match(section('The desktop app'), /first `npm start`\s+downloads\s+Electron/);
  });

  it('lists the .deb first among the Linux downloads', () => {
    const downloads = section('The desktop app');
    const deb = downloads.indexOf('`.deb`');
    const appImage = downloads.indexOf('`.AppImage`');
    assert.ok(deb > 0 && appImage > deb, 'the .deb comes before the AppImage');
  });

  it('documents every signing variable electron-builder.yml relies on, and what unsigned builds show', () => {
    const building = section('Building installers');
    for (const name of ['CSC_LINK', 'CSC_KEY_PASSWORD', 'APPLE_API_KEY', 'APPLE_ID', 'APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_TEAM_ID', 'WIN_CSC_LINK', 'WIN_CSC_KEY_PASSWORD']) {
      assert.ok(building.includes(`\`${name}\``), name);
    }
    assert.match(building, /SmartScreen/);
    assert.match(building, /Open Anyway/);
  });
});
