/**
 * An upload whose client dies is a failure: the original stays byte-identical, no temp file
 * remains, and the transfer is reported failed ("client disconnected during upload"), never done.
 *
 * The clients are real child processes killed with SIGKILL, so their kernel closes both
 * connections with a FIN, which in stream mode is also how a finished upload ends.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture, type RecordedEvent } from '../helpers/server-fixture.js';
import { waitFor } from '../helpers/wait.js';
import { runPython } from '../helpers/processes.js';
import { connectAndLogin, connectData, epsvPort, tempFilesIn } from '../helpers/ftp-flows.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { CLIENT_GONE } from '../../core/ftp/transfer-runner.js';

const ORIGINAL = pseudoRandomBytes(300_000, 7);

type TransferEnd = Extract<RecordedEvent, { type: 'transfer-completed' | 'transfer-failed' }>;

/** The end event of the upload of `ftpPath` recorded after index `from`, once there is one. */
async function uploadEnd(fx: ServerFixture, ftpPath: string, from: number): Promise<TransferEnd> {
  let found: TransferEnd | undefined;
  await waitFor(
    () => {
      found = fx.events
        .slice(from)
        .find((e): e is TransferEnd => (e.type === 'transfer-completed' || e.type === 'transfer-failed') && e.path === ftpPath && e.direction === 'upload');
      return found !== undefined;
    },
    `the end of the upload of ${ftpPath}`,
    10_000,
  );
  return found!;
}

async function assertFailedCleanly(fx: ServerFixture, name: string, from: number, original: Buffer | undefined): Promise<void> {
  const end = await uploadEnd(fx, `/${name}`, from);
  assert.equal(end.type, 'transfer-failed', `the upload must be reported failed, got ${end.type}`);
  assert.equal((end as Extract<TransferEnd, { type: 'transfer-failed' }>).reason, CLIENT_GONE);
  // The temp file is removed after the failure is reported: give it a moment.
  await waitFor(async () => (await tempFilesIn(fx.root)).length === 0, 'no temp file left', 5000);
  const target = path.join(fx.root, name);
  if (original === undefined) {
    await assert.rejects(fs.stat(target), { code: 'ENOENT' }, 'a new name must not appear');
  } else {
    assert.equal(await fileSha256(target), sha256(original), 'the original must be byte-identical');
  }
}

describe('an upload whose client is killed', () => {
  let fx: ServerFixture;
  before(async () => {
    fx = await startServer({ files: { 'existing.bin': ORIGINAL } });
  });
  after(() => fx.close());

  for (const over of ['a new name', 'an existing file'] as const) {
    it(`curl killed mid-upload over ${over}: failed, nothing changed`, async () => {
      const name = over === 'a new name' ? 'fresh.bin' : 'existing.bin';
      const source = path.join(fx.root, '..', `upload-source-${process.pid}.bin`);
      await fs.writeFile(source, pseudoRandomBytes(8 * 1024 * 1024, 3));
      try {
        const from = fx.events.length;
        const curl = spawn('curl', ['-sS', '--limit-rate', '1M', '-T', source, `ftp://127.0.0.1:${fx.port}/${name}`], { stdio: 'ignore' });
        const exited = new Promise((resolve) => curl.once('exit', resolve));
        // Killed once bytes flow, as a user closing the laptop lid would.
        await waitFor(
          () => fx.events.slice(from).some((e) => e.type === 'transfer-progress' && e.path === `/${name}` && e.bytes >= 512 * 1024),
          'upload progress',
          15_000,
        );
        curl.kill('SIGKILL');
        await exited;
        await assertFailedCleanly(fx, name, from, over === 'a new name' ? undefined : ORIGINAL);
      } finally {
        await fs.rm(source, { force: true });
      }
    });
  }

  it('a client whose data connection ends just before it dies: failed, the original intact', async () => {
    // The data connection's FIN arrives first and looks exactly like the end of a complete upload;
    // the control connection's FIN follows at once as the process dies. Repeated, because the two
    // race inside the server.
    const script = `
import os, signal, socket
c = socket.create_connection(('127.0.0.1', int(os.environ['PORT'])))
f = c.makefile('rb')
def reply():
    while True:
        line = f.readline()
        if len(line) >= 4 and line[3:4] == b' ':
            return line
reply()
for cmd in (b'USER anonymous', b'PASS guest', b'TYPE I'):
    c.sendall(cmd + b'\\r\\n'); reply()
c.sendall(b'EPSV\\r\\n')
port = int(reply().split(b'|||')[1].split(b'|')[0])
d = socket.create_connection(('127.0.0.1', port))
c.sendall(b'STOR existing.bin\\r\\n'); reply()
d.sendall(b'truncated ' * 1000)
d.shutdown(socket.SHUT_WR)
os.kill(os.getpid(), signal.SIGKILL)
`;
    for (let round = 0; round < 5; round++) {
      const from = fx.events.length;
      const result = await runPython(script, fx.port);
      assert.notEqual(result.code, 0, `the client must have died: ${result.stderr}`);
      await assertFailedCleanly(fx, 'existing.bin', from, ORIGINAL);
    }
  });

  it('a client that ends the data connection and stays gets its 226 and the file', async () => {
    const client = await connectAndLogin(fx.port);
    try {
      await client.command('TYPE I');
      const data = await connectData(epsvPort(await client.command('EPSV')));
      const first = await client.command('STOR kept.bin');
      assert.equal(first.code, 150);
      data.end(Buffer.from('complete'));
      assert.equal((await client.reply()).code, 226);
      assert.equal(await fs.readFile(path.join(fx.root, 'kept.bin'), 'utf8'), 'complete');
    } finally {
      client.close();
    }
  });
});

describe('ALLO announces the size of the next upload', () => {
  let fx: ServerFixture;
  before(async () => {
    fx = await startServer({ files: { 'sized.bin': ORIGINAL } });
  });
  after(() => fx.close());

  async function storeAfterAllo(allo: string, body: Buffer): Promise<number> {
    const client = await connectAndLogin(fx.port);
    try {
      await client.command('TYPE I');
      assert.equal((await client.command(`ALLO ${allo}`)).code, 202);
      const data = await connectData(epsvPort(await client.command('EPSV')));
      assert.equal((await client.command('STOR sized.bin')).code, 150);
      data.end(body);
      return (await client.reply()).code;
    } finally {
      client.close();
    }
  }

  it('fewer bytes than announced: 451, the original intact, reported failed', async () => {
    const from = fx.events.length;
    assert.equal(await storeAfterAllo('1000', Buffer.alloc(500, 1)), 451);
    const end = await uploadEnd(fx, '/sized.bin', from);
    assert.equal(end.type, 'transfer-failed');
    assert.match((end as Extract<TransferEnd, { type: 'transfer-failed' }>).reason, /500 of 1000/);
    assert.equal(await fileSha256(path.join(fx.root, 'sized.bin')), sha256(ORIGINAL));
    assert.deepEqual(await tempFilesIn(fx.root), []);
  });

  it('the announced size (with the record form) arrives: 226 and the new content', async () => {
    assert.equal(await storeAfterAllo('1000 R 100', Buffer.alloc(1000, 2)), 226);
    assert.deepEqual(await fs.readFile(path.join(fx.root, 'sized.bin')), Buffer.alloc(1000, 2));
  });

  it('a malformed ALLO is refused with 501', async () => {
    const client = await connectAndLogin(fx.port);
    try {
      assert.equal((await client.command('ALLO lots')).code, 501);
      assert.equal((await client.command('ALLO')).code, 202);
    } finally {
      client.close();
    }
  });
});
