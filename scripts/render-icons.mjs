#!/usr/bin/env node
// Renders the SVG sources in assets/ to the PNGs electron-builder and the tray use:
//   assets/icon.svg            → assets/icons/NxN.png (16…1024) and assets/icon.png (1024)
//   assets/tray/<name>.svg     → assets/tray/<name>.png (16 px) and <name>@2x.png (32 px)
// electron-builder derives the .icns and .ico from assets/icon.png. The PNGs are committed; run
// this after changing an SVG: `node scripts/render-icons.mjs`.
//
// Uses the system's Chromium through playwright-core (no browser download). Set CHROMIUM_PATH
// when it is not /usr/bin/chromium.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'assets');

const APP_ICON_SIZES = [16, 32, 48, 64, 128, 256, 512, 1024];
const TRAY_ICONS = ['tray-on', 'tray-off', 'trayTemplate', 'trayOffTemplate'];

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
