/**
 * rclone (Go crypto/tls) over explicit and implicit FTPS. Go never reads from a data connection
 * it only writes to, so any TLS 1.3 session ticket the server sent there would turn rclone's
 * close into a TCP reset and cut uploads short (the vsftpd/pyftpdlib failure). Uploads are
 * repeated with rclone's TLS session cache (resumed data connections) and without it (fresh
 * handshakes, where a server would send tickets), and every byte is compared.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { digestOf, fileDigest } from '../helpers/digests.js';
import { randomPayload } from '../helpers/payloads.js';
import { tlsOptions } from '../helpers/test-certificate.js';
import { completedUploads, rclone, rcloneRemote, recordServerHandshakes, summariseHandshakes } from './ftps-helpers.js';

const UPLOADS = 5;
const download = randomPayload(384 * 1024 + 13);
let local: string;

before(async () => {
  local = await makeTempDir('ftp-share-ftps-client-');
});

after(async () => {
  await removeTempDir(local);
});

for (const mode of ['explicit', 'implicit'] as const) {
  test(`rclone over ${mode} FTPS: ${UPLOADS}+${UPLOADS} uploads (with and without session reuse) and a download, byte for byte`, { timeout: 60_000 }, async () => {
    let fx: ServerFixture | undefined;
    try {
      fx = await startServer({ username: 'u', password: 'p', tls: await tlsOptions(mode), files: { 'down.bin': download } });
      const uploads: Array<{ name: string; data: Buffer }> = [];
      for (const cache of [32, 0]) {
        const remote = await rcloneRemote(fx.port, mode, { tls_cache_size: cache });
        const recorder = recordServerHandshakes();
        for (let i = 0; i < UPLOADS; i++) {
          const data = randomPayload(256 * 1024 + 4096 * i + 1);
          const name = `${mode}-cache${cache}-${i}.bin`;
          const src = path.join(local, name);
          await fs.writeFile(src, data);
          const result = await rclone(['copyto', src, `${remote}${name}`], local);
          assert.equal(result.code, 0, `rclone upload ${name}: ${result.stderr}`);
          uploads.push({ name, data });
        }
        recorder.stop();
        console.log(`rclone ${mode}, tls_cache_size=${cache}: server handshakes ${summariseHandshakes(recorder.handshakes)}`);
        // With its session cache rclone resumes on data connections; without it, it does not.
        assert.equal(recorder.handshakes.some((h) => h.resumed), cache > 0);
      }
      for (const { name, data } of uploads) {
        assert.deepEqual(await fileDigest(path.join(fx.root, name)), digestOf(data), name);
      }
      // The server never answered 226 for fewer bytes than the client sent.
      const completed = completedUploads(fx.events);
      for (const { name, data } of uploads) {
        const done = completed.filter((c) => c.path === `/${name}`);
        assert.ok(done.length >= 1, `no 226 for ${name}`);
        for (const c of done) assert.deepEqual(c, { path: `/${name}`, bytes: data.length, secure: true });
      }

      const out = path.join(local, `${mode}-down.bin`);
      const remote = await rcloneRemote(fx.port, mode);
      const result = await rclone(['copyto', `${remote}down.bin`, out], local);
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(await fileDigest(out), digestOf(download));
      const failed = fx.events.filter((e) => e.type === 'transfer-failed');
      assert.deepEqual(failed, []);
    } finally {
      await fx?.close();
    }
  });
}
