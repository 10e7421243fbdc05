#!/usr/bin/env node
// Renders the SVG sources in assets/ to the PNGs electron-builder and the tray use:
//   assets/icon.svg            → assets/icons/NxN.png (16…1024) and assets/icon.png (1024)
//   assets/tray/<name>.svg     → assets/tray/<name>.png (16 px) and <name>@2x.png (32 px)
//   Windows, which scales the desktop by 125 % and 150 % as often as by 100 % and 200 %:
//   assets/icon.ico            (16, 20, 24, 32, 40, 48, 64, 256 px: window, taskbar, installer)
//   assets/tray/tray-on.ico, tray-off.ico (16, 20, 24, 32, 40, 48 px: the notification area)
//   each size drawn from the SVG, so none is a blurry rescale.
// electron-builder derives the macOS .icns from assets/icon.png. The images are committed; run
// this after changing an SVG: `node scripts/render-icons.mjs` (or `--ico` for the .ico files only).
//
// Uses the system's Chromium through playwright-core (no browser download). Set CHROMIUM_PATH
// when it is not /usr/bin/chromium.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { encodeIco } from './ico.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'assets');

const APP_ICON_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];
const TRAY_ICONS = ['tray-on', 'tray-off', 'trayTemplate', 'trayOffTemplate'];
const APP_ICO_SIZES = [16, 20, 24, 32, 40, 48, 64, 256];
const TRAY_ICO_SIZES = [16, 20, 24, 32, 40, 48];
const WINDOWS_TRAY_ICONS = ['tray-on', 'tray-off'];
const icoOnly = process.argv.includes('--ico');

async function renderSvg(page, svg, size) {
  const data = `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
  await page.setViewportSize({ width: size, height: size });
  await page.setContent(
    `<!doctype html><html><head><style>html,body{margin:0;padding:0;background:transparent}img{display:block}</style></head>` +
      `<body><img src="${data}" width="${size}" height="${size}"></body></html>`,
  );
  await page.locator('img').evaluate((img) => img.decode());
  return page.screenshot({ clip: { x: 0, y: 0, width: size, height: size }, omitBackground: true, type: 'png' });
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  try {
    // deviceScaleFactor 1: one CSS pixel is one image pixel.
    const context = await browser.newContext({ deviceScaleFactor: 1 });
    const page = await context.newPage();

    const icon = await readFile(path.join(assets, 'icon.svg'), 'utf8');
    await mkdir(path.join(assets, 'icons'), { recursive: true });
    // One page, one size at a time: each render resizes the viewport.
    const appIco = [];
    for (const size of APP_ICO_SIZES) appIco.push(await renderSvg(page, icon, size));
    await writeFile(path.join(assets, 'icon.ico'), encodeIco(appIco));
    console.log('assets/icon.ico');
    for (const name of WINDOWS_TRAY_ICONS) {
      const svg = await readFile(path.join(assets, 'tray', `${name}.svg`), 'utf8');
      const images = [];
      for (const size of TRAY_ICO_SIZES) images.push(await renderSvg(page, svg, size));
      await writeFile(path.join(assets, 'tray', `${name}.ico`), encodeIco(images));
      console.log(`assets/tray/${name}.ico`);
    }
    if (icoOnly) return;

    for (const size of APP_ICON_SIZES) {
      const png = await renderSvg(page, icon, size);
      await writeFile(path.join(assets, 'icons', `${size}x${size}.png`), png);
      if (size === 1024) await writeFile(path.join(assets, 'icon.png'), png);
      console.log(`assets/icons/${size}x${size}.png`);
    }

    for (const name of TRAY_ICONS) {
      const svg = await readFile(path.join(assets, 'tray', `${name}.svg`), 'utf8');
      await writeFile(path.join(assets, 'tray', `${name}.png`), await renderSvg(page, svg, 16));
      await writeFile(path.join(assets, 'tray', `${name}@2x.png`), await renderSvg(page, svg, 32));
      console.log(`assets/tray/${name}.png, ${name}@2x.png`);
    }
  } finally {
    await browser.close();
  }
}

await main();
