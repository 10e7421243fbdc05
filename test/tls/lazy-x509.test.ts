/**
 * @peculiar/x509 is loaded only to generate a certificate. Merely loading it made a server run a
 * full garbage collection every ~60 ms while it received an upload (pem-check.ts), so serving
 * FTPS from existing PEM files, and checking them, must not load it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { generateCertificate } from '../../core/tls/index.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { runOk } from '../helpers/processes.js';

/** The library installs the Reflect metadata API (tsyringe needs it): its presence shows it loaded. */
const CHILD = `
const core = await import(process.env.CORE);
const fs = await import('node:fs/promises');
const [cert, key] = await Promise.all([fs.readFile(process.env.CERT, 'utf8'), fs.readFile(process.env.KEY, 'utf8')]);
await core.loadCertificateFiles(process.env.CERT, process.env.KEY);
const server = new core.FtpServer({
  authorizer: new core.SimpleAuthorizer({ fs: new core.PhysicalFileSystem({ root: process.env.ROOT }) }),
  host: '127.0.0.1', port: 0, tls: { mode: 'explicit', cert, key },
});
await server.start();
const whileServing = typeof Reflect.getMetadata;
await server.stop();
if (process.env.GENERATE) await core.generateCertificate();
console.log(JSON.stringify({ whileServing, atEnd: typeof Reflect.getMetadata }));
`;

async function child(dir: string, generate: boolean): Promise<{ whileServing: string; atEnd: string }> {
  const env = {
    ...process.env,
    CORE: path.resolve('core/index.ts'),
    CERT: path.join(dir, 'cert.pem'),
    KEY: path.join(dir, 'key.pem'),
    ROOT: dir,
    ...(generate ? { GENERATE: '1' } : {}),
  };
  const stdout = await runOk(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { env, timeoutMs: 60_000 });
  return JSON.parse(stdout.trim().split('\n').pop()!) as { whileServing: string; atEnd: string };
}

test('serving FTPS from PEM files does not load @peculiar/x509; generating a certificate does', async () => {
  const dir = await makeTempDir('ftp-share-tls-');
  try {
    const made = await generateCertificate();
    await writeFile(path.join(dir, 'cert.pem'), made.cert);
    await writeFile(path.join(dir, 'key.pem'), made.key);
    assert.deepEqual(await child(dir, false), { whileServing: 'undefined', atEnd: 'undefined' });
    // The probe itself works: the same child sees the library once it generated a certificate.
    assert.deepEqual(await child(dir, true), { whileServing: 'undefined', atEnd: 'function' });
  } finally {
    await removeTempDir(dir);
  }
});
