/**
 * The download pump (core/fs/file-pump.ts) over real loopback sockets and real files: every byte
 * arrives in order for sizes around the chunk size and for restart offsets, with or without the
 * first chunk read ahead while the file opens, concurrent pumps that
 * share the buffer pool never mix their bytes, and a socket that goes away or a failing read ends
 * the pump with a rejection instead of a hang.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { openToSend, sendFile } from '../../core/fs/file-pump.js';
import { isFsError } from '../../core/fs/fs-error.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import type { ReadableFile } from '../../core/fs/file-system.js';
import { defaults } from '../../core/defaults.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { sha256 } from '../helpers/digests.js';

const CHUNK = defaults.downloadChunkBytes;

/** A connected pair of loopback sockets: the pump writes into `server`, the test reads `client`. */
async function socketPair(): Promise<{ server: net.Socket; client: net.Socket; close(): void }> {
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once('connection', resolve));
  const client = net.connect((listener.address() as net.AddressInfo).port, '127.0.0.1');
  const server = await accepted;
  listener.close();
  server.on('error', () => undefined);
  client.on('error', () => undefined);
  return { server, client, close: () => (server.destroy(), client.destroy()) };
}

function readAll(socket: net.Socket): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('error', reject);
  });
}

describe('file pump', () => {
  let root: string;
  let fs: PhysicalFileSystem;
  const contents = new Map<string, Buffer>();

  before(async () => {
    root = await makeTempDir('ftp-share-pump-');
    fs = new PhysicalFileSystem({ root });
    for (const size of [0, 1, 4096, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, 5 * CHUNK + 12_345]) {
      const data = randomBytes(size);
      contents.set(`/f${size}`, data);
      await fsp.writeFile(path.join(root, `f${size}`), data);
    }
  });
  after(() => removeTempDir(root));

  /** Sends `name` from `start` through a socket pair; `readAhead` opens it with openToSend. */
  async function pump(name: string, start: number, readAhead = false): Promise<{ received: Buffer; counted: number }> {
    const { server, client, close } = await socketPair();
    const file = readAhead ? await openToSend(fs, name, start) : await fs.openRead(name);
    try {
      let counted = 0;
      const received = readAll(client);
      await sendFile(file, start, server, (chunk) => (counted += chunk.length));
      return { received: await received, counted };
    } finally {
      await file.close();
      close();
    }
  }

  test('every byte arrives, from the start and from restart offsets, for sizes around the chunk size', async () => {
    for (const [name, data] of contents) {
      for (const start of [0, 1, CHUNK, data.length - 1, data.length, data.length + 10]) {
        if (start < 0) continue;
        const { received, counted } = await pump(name, start);
        const expected = data.subarray(Math.min(start, data.length));
        assert.equal(received.length, expected.length, `${name} from ${start}`);
        assert.equal(sha256(received), sha256(expected), `${name} from ${start}`);
        assert.equal(counted, expected.length, `${name} from ${start}: counted`);
      }
    }
  });

  test('a file opened with its first chunk read ahead (openToSend) arrives whole, from any restart offset', async () => {
    for (const [name, data] of contents) {
      for (const start of [0, 1, CHUNK, data.length - 1, data.length, data.length + 10]) {
        if (start < 0) continue;
        const { received, counted } = await pump(name, start, true);
        const expected = data.subarray(Math.min(start, data.length));
        assert.equal(sha256(received), sha256(expected), `${name} from ${start}`);
        assert.equal(counted, expected.length, `${name} from ${start}: counted`);
      }
    }
  });

  test('openToSend refuses what openRead refuses, and read-ahead buffers never mix between pumps', async () => {
    await assert.rejects(openToSend(fs, '/missing', 0), (err: unknown) => isFsError(err) && err.code === 'not-found');
    await assert.rejects(openToSend(fs, '/', 0), (err: unknown) => isFsError(err) && err.code === 'is-a-directory');
    const names = [...contents.keys()];
    const results = await Promise.all([...names, ...names, ...names].map((name, i) => pump(name, 0, i % 2 === 0).then((r) => ({ name, ...r }))));
    for (const { name, received } of results) assert.equal(sha256(received), sha256(contents.get(name)!), name);
  });

  test('pumps running at once share the buffer pool without mixing bytes', async () => {
    const names = [...contents.keys()].filter((name) => contents.get(name)!.length > 0);
    const results = await Promise.all([...names, ...names, ...names].map((name) => pump(name, 0).then((r) => ({ name, ...r }))));
    for (const { name, received } of results) assert.equal(sha256(received), sha256(contents.get(name)!), name);
  });

  test('chunk writes of all pumps share a budget per turn of the event loop', async () => {
    const name = `/f${5 * CHUNK + 12_345}`;
    let chunksThisTurn = 0;
    let mostInOneTurn = 0;
    let ticking = true;
    const tick = (): void => {
      mostInOneTurn = Math.max(mostInOneTurn, chunksThisTurn);
      chunksThisTurn = 0;
      if (ticking) setImmediate(tick);
    };
    setImmediate(tick);
    const pairs = await Promise.all(Array.from({ length: 64 }, () => socketPair()));
    const files = await Promise.all(pairs.map(() => fs.openRead(name)));
    try {
      const received = pairs.map(({ client }) => readAll(client));
      await Promise.all(pairs.map(({ server }, i) => sendFile(files[i]!, 0, server, () => chunksThisTurn++)));
      for (const data of await Promise.all(received)) assert.equal(sha256(data), sha256(contents.get(name)!));
    } finally {
      ticking = false;
      await Promise.all(files.map((file) => file.close()));
      for (const pair of pairs) pair.close();
    }
    // A turn may straddle the reset by one budget at most (released waiters, then new writes).
    assert.ok(mostInOneTurn <= 2 * defaults.downloadWritesPerTurn, `${mostInOneTurn} chunks in one turn`);
  });

  test('a file that grows while it is sent is sent to its new end', async () => {
    const first = randomBytes(CHUNK + 100);
    const more = randomBytes(3 * CHUNK);
    await fsp.writeFile(path.join(root, 'growing'), first);
    const file = await fs.openRead('/growing');
    const { server, client, close } = await socketPair();
    try {
      await fsp.appendFile(path.join(root, 'growing'), more);
      const received = readAll(client);
      await sendFile(file, 0, server, () => undefined);
      assert.equal(sha256(await received), sha256(Buffer.concat([first, more])));
    } finally {
      await file.close();
      close();
    }
  });

  test('a socket destroyed mid-transfer (ABOR, kick, reset) ends the pump with a rejection, not a hang', async () => {
    await fsp.writeFile(path.join(root, 'big'), '');
    await fsp.truncate(path.join(root, 'big'), 64 * 1024 * 1024); // sparse: no disk used
    const { server, client, close } = await socketPair();
    const file = await fs.openRead('/big');
    try {
      client.resume();
      let chunks = 0;
      await assert.rejects(sendFile(file, 0, server, () => ++chunks === 2 && server.destroy()));
      assert.equal(chunks, 2);
    } finally {
      await file.close();
      close();
    }
  });

  test('a failing read rejects with its error and the bytes before it were sent', async () => {
    const data = contents.get(`/f${2 * CHUNK}`)!;
    const inner = await fs.openRead(`/f${2 * CHUNK}`);
    const failing: ReadableFile = {
      size: inner.size,
      close: () => inner.close(),
      read: async (buffer, length, position) => {
        if (position >= CHUNK) throw Object.assign(new Error('EIO: injected'), { code: 'EIO' });
        return inner.read(buffer, length, position);
      },
    };
    const { server, client, close } = await socketPair();
    try {
      const chunks: Buffer[] = [];
      client.on('data', (chunk: Buffer) => chunks.push(chunk));
      await assert.rejects(sendFile(failing, 0, server, () => undefined), /EIO/);
      server.end();
      await new Promise((resolve) => client.once('end', resolve));
      assert.equal(sha256(Buffer.concat(chunks)), sha256(data.subarray(0, CHUNK)));
    } finally {
      await inner.close();
      close();
    }
  });
});
