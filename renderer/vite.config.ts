/// <reference types="vitest/config" />
/**
 * Builds the window (renderer/) into dist/renderer/ with relative asset paths, so Electron can
 * load it from file:// and the CLI's web host can serve it from any path. Also the config of the
 * window's component tests (Vitest + jsdom).
 */
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  // Keep Vite's and Vitest's caches out of renderer/.
  cacheDir: '../node_modules/.vite-renderer',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: true,
    // One small app: keep the output to a handful of files.
    assetsInlineLimit: 0,
  },
  test: {
    root,
    environment: 'jsdom',
    include: ['**/*.test.tsx', '**/*.test.ts'],
    setupFiles: ['./test/setup.ts'],
    testTimeout: 10_000,
    restoreMocks: true,
  },
});
