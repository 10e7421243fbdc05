/**
 * Serves the window's harness (renderer/test/harness.html: the app over the fake share), built
 * in production mode like the real window (development React is several times slower, which
 * would make a responsiveness figure meaningless), on a free loopback port.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, preview } from 'vite';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface HarnessServer {
  /** `http://127.0.0.1:PORT/test/harness.html`. */
  url: string;
  close(): Promise<void>;
}

export async function startHarnessServer(): Promise<HarnessServer> {
  const configFile = path.join(repo, 'renderer', 'vite.config.ts');
  const outDir = await mkdtemp(path.join(os.tmpdir(), 'ftp-share-harness-'));
  await build({
    configFile,
    logLevel: 'warn',
    build: {
      outDir,
      emptyOutDir: true,
      sourcemap: false,
      rolldownOptions: { input: path.join(repo, 'renderer', 'test', 'harness.html') },
    },
  });
  const server = await preview({
    configFile,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('harness server has no port');
  return {
    url: `http://127.0.0.1:${address.port}/test/harness.html`,
    async close() {
      await server.close();
      await rm(outDir, { recursive: true, force: true });
    },
  };
}
