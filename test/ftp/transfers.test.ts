/**
 * Transfers over real data connections: binary and ASCII, REST both ways, APPE, STOU, ABOR,
 * uploads that never destroy data, files over 4 GiB (sparse), backpressure both ways, bandwidth.
 */
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { collectData, connectAndLogin, connectData, download, downloadOk, listingLines, tempFilesIn, upload, uploadOk } from '../helpers/ftp-flows.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';

const MiB = 1024 * 1024;

describe('transfers', () => {
  let f: ServerFixture;
  const big = pseudoRandomBytes(3 * MiB + 123, 7);

  before(async () => {
    f = await startServer({ files: { 'big.bin': big, 'small.txt': 'small file\n' } });
  });
  after(() => f.close());

  test('binary RETR and STOR are byte-exact (SHA-256)', async () => {
    const raw = await connectAndLogin(f.port);
    assert.equal((await raw.command('TYPE I')).code, 200);
    const { data, first, final } = await download(raw, 'RETR big.bin');
    assert.equal(first.lines[0], `150 Opening BINARY mode data connection for big.bin (${big.length} bytes)`);
    assert.deepEqual(final.lines, ['226 Transfer complete']);
    assert.equal(sha256(data), sha256(big));
    const payload = pseudoRandomBytes(2 * MiB + 5, 99);
    const stored = await upload(raw, 'STOR up/../uploaded.bin', payload);
    assert.equal(stored.first.lines[0], '150 Ok to send data (BINARY mode)');
    assert.deepEqual(stored.final.lines, ['226 Transfer complete']);
    assert.equal(await fileSha256(path.join(f.root, 'uploaded.bin')), sha256(payload));
    assert.equal(sha256(await downloadOk(raw, 'RETR uploaded.bin')), sha256(payload));
    assert.deepEqual(await tempFilesIn(f.root), []);
    raw.close();
  });

  test('a client that never sends TYPE gets and stores the exact bytes (binary until TYPE A)', async () => {
    const raw = await connectAndLogin(f.port);
    assert.match((await raw.command('STAT')).text, /TYPE: BINARY/);
    // Line ends of every kind, as in a photo or an APK: nothing may be converted.
    const payload = Buffer.concat([Buffer.from('a\nb\r\nc\rd\n\r'), pseudoRandomBytes(200_000, 31)]);
    const stored = await upload(raw, 'STOR untyped.bin', payload);
    assert.equal(stored.first.lines[0], '150 Ok to send data (BINARY mode)');
    assert.equal(await fileSha256(path.join(f.root, 'untyped.bin')), sha256(payload));
    const { data, first } = await download(raw, 'RETR untyped.bin');
    assert.match(first.lines[0]!, /^150 Opening BINARY mode/);
    assert.equal(sha256(data), sha256(payload));
    // REIN starts over in binary too.
    assert.equal((await raw.command('TYPE A')).code, 200);
    await raw.command('REIN');
    await raw.login();
    assert.match((await raw.command('STAT')).text, /TYPE: BINARY/);
    raw.close();
  });

  test('eight sessions transfer at once, each byte-exact', async () => {
    const clients = await Promise.all(Array.from({ length: 8 }, () => connectAndLogin(f.port)));
    const results = await Promise.all(
      clients.map(async (raw, i) => {
        await raw.command('TYPE I');
        const mine = pseudoRandomBytes(400_000 + i, 200 + i);
        await uploadOk(raw, `STOR parallel-${i}.bin`, mine);
        const back = await downloadOk(raw, `RETR parallel-${i}.bin`);
        const shared = await downloadOk(raw, 'RETR big.bin');
        raw.close();
        return sha256(back) === sha256(mine) && sha256(shared) === sha256(big);
      }),
    );
    assert.deepEqual(results, Array(8).fill(true));
  });

  test('ASCII mode: LF→CRLF on RETR, CRLF→LF on STOR, across chunk boundaries', async () => {
    const raw = await connectAndLogin(f.port);
    // Many short lines so CR and LF fall on every possible chunk boundary.
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i} ${'x'.repeat(i % 13)}`);
    const unix = lines.join('\n') + '\n';
    await fs.writeFile(path.join(f.root, 'unix.txt'), unix);
    assert.equal((await raw.command('TYPE A')).code, 200);
    const { data, first } = await download(raw, 'RETR unix.txt');
    assert.match(first.lines[0]!, /^150 Opening ASCII mode data connection/);
    assert.equal(sha256(data), sha256(lines.join('\r\n') + '\r\n'));
    // An existing CRLF is not doubled; a lone CR is kept.
    await fs.writeFile(path.join(f.root, 'mixed.txt'), 'a\r\nb\nc\rd\n');
    assert.equal((await downloadOk(raw, 'RETR mixed.txt')).toString('binary'), 'a\r\nb\r\nc\rd\r\n');
    const dos = lines.join('\r\n') + '\r\n';
    await uploadOk(raw, 'STOR ascii-up.txt', dos);
    assert.equal(await fileSha256(path.join(f.root, 'ascii-up.txt')), sha256(unix));
    await uploadOk(raw, 'STOR lone-cr.txt', 'a\rb\r\nc\r');
    assert.equal(await fs.readFile(path.join(f.root, 'lone-cr.txt'), 'binary'), 'a\rb\nc\r');
    // TYPE I switches the conversion off.
    assert.equal((await raw.command('TYPE I')).code, 200);
    assert.equal(sha256(await downloadOk(raw, 'RETR unix.txt')), sha256(unix));
    raw.close();
  });

  test('REST + RETR sends from the offset; REST at or past the end sends nothing', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const offset = 1_000_003;
    assert.deepEqual((await raw.command(`REST ${offset}`)).lines, [`350 Restarting at ${offset}. Send STOR or RETR to initiate transfer`]);
    // PASV between REST and RETR keeps the offset (what clients send).
    const { data, first } = await download(raw, 'RETR big.bin');
    assert.match(first.lines[0]!, new RegExp(`\\(${big.length - offset} bytes\\)$`));
    assert.equal(sha256(data), sha256(big.subarray(offset)));
    // The offset applies to one transfer only.
    assert.equal(sha256(await downloadOk(raw, 'RETR big.bin')), sha256(big));
    await raw.command(`REST ${big.length}`);
    assert.equal((await downloadOk(raw, 'RETR big.bin')).length, 0);
    await raw.command(`REST ${big.length + 10}`);
    assert.equal((await downloadOk(raw, 'RETR big.bin')).length, 0);
    // Another command in between cancels the offset.
    await raw.command('REST 100');
    await raw.command('PWD');
    assert.equal((await downloadOk(raw, 'RETR big.bin')).length, big.length);
    raw.close();
  });

  test('REST + STOR resumes a partial file', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const whole = pseudoRandomBytes(MiB + 777, 3);
    const cut = 400_001;
    await uploadOk(raw, 'STOR resumed.bin', whole.subarray(0, cut));
    assert.deepEqual((await raw.command('SIZE resumed.bin')).lines, [`213 ${cut}`]);
    assert.equal((await raw.command(`REST ${cut}`)).code, 350);
    await uploadOk(raw, 'STOR resumed.bin', whole.subarray(cut));
    assert.equal(await fileSha256(path.join(f.root, 'resumed.bin')), sha256(whole));
    // Resuming in the middle overwrites from there and cuts what followed.
    await raw.command('REST 10');
    await uploadOk(raw, 'STOR resumed.bin', 'XYZ');
    assert.equal(sha256(await fs.readFile(path.join(f.root, 'resumed.bin'))), sha256(Buffer.concat([whole.subarray(0, 10), Buffer.from('XYZ')])));
    // REST past the end of the file is refused before anything is written.
    await raw.command('REST 999999');
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    const refused = await raw.command('STOR resumed.bin');
    assert.equal(refused.code, 451, refused.text);
    socket.destroy();
    assert.equal((await fs.stat(path.join(f.root, 'resumed.bin'))).size, 13);
    assert.equal((await raw.command('NOOP')).code, 200);
    raw.close();
  });

  test('APPE appends (and creates a missing file)', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    await uploadOk(raw, 'APPE appended.txt', 'one\n');
    await uploadOk(raw, 'APPE appended.txt', 'two\n');
    assert.equal(await fs.readFile(path.join(f.root, 'appended.txt'), 'utf8'), 'one\ntwo\n');
    const chunk = pseudoRandomBytes(MiB, 5);
    await uploadOk(raw, 'APPE appended.txt', chunk);
    assert.equal(await fileSha256(path.join(f.root, 'appended.txt')), sha256(Buffer.concat([Buffer.from('one\ntwo\n'), chunk])));
    raw.close();
  });

  test('STOU stores under a unique name and says which', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    await fs.writeFile(path.join(f.root, 'report.txt'), 'original');
    const { first, final } = await upload(raw, 'STOU report.txt', 'new one');
    assert.deepEqual(first.lines, ['150 FILE: report.txt.1']);
    assert.deepEqual(final.lines, ['226 Transfer complete (unique file name: report.txt.1)']);
    assert.equal(await fs.readFile(path.join(f.root, 'report.txt'), 'utf8'), 'original');
    assert.equal(await fs.readFile(path.join(f.root, 'report.txt.1'), 'utf8'), 'new one');
    const second = await upload(raw, 'STOU report.txt', 'third');
    assert.deepEqual(second.first.lines, ['150 FILE: report.txt.2']);
    const fresh = await upload(raw, 'STOU fresh-name.txt', 'fresh');
    assert.deepEqual(fresh.first.lines, ['150 FILE: fresh-name.txt']);
    const unnamed = await upload(raw, 'STOU', 'no name');
    const name = /^150 FILE: (.+)$/.exec(unnamed.first.lines[0]!)?.[1];
    assert.ok(name, unnamed.first.text);
    assert.equal(unnamed.final.code, 226);
    assert.equal(await fs.readFile(path.join(f.root, name), 'utf8'), 'no name');
    raw.close();
  });

  test('STOR over an existing file keeps the original whole until the upload completes', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const original = pseudoRandomBytes(500_000, 11);
    const replacement = pseudoRandomBytes(2 * MiB, 12);
    const target = path.join(f.root, 'replace-me.bin');
    await fs.writeFile(target, original);
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    assert.equal((await raw.command('STOR replace-me.bin')).code, 150);
    socket.write(replacement.subarray(0, MiB));
    await waitFor(() => (f.server.getSessions().find((s) => s.transfer)?.transfer?.bytes ?? 0) >= MiB, 'first half received', 5000);
    // Half-way: the original is still there, complete, and the temp file is hidden from listings.
    assert.equal(await fileSha256(target), sha256(original));
    assert.equal((await tempFilesIn(f.root)).length, 1);
    const listing = await raw.command('STAT /');
    assert.ok(!listing.text.includes('.ftpshare-'), listing.text);
    await new Promise<void>((resolve) => socket.end(replacement.subarray(MiB), () => resolve()));
    assert.equal((await raw.reply()).code, 226);
    assert.equal(await fileSha256(target), sha256(replacement));
    assert.deepEqual(await tempFilesIn(f.root), []);
    raw.close();
  });

  test('an upload interrupted by a client reset leaves the original intact and no temp file', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const original = pseudoRandomBytes(300_000, 21);
    const target = path.join(f.root, 'precious.bin');
    await fs.writeFile(target, original);
    const before = f.events.length;
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    socket.on('error', () => undefined);
    assert.equal((await raw.command('STOR precious.bin')).code, 150);
    socket.write(pseudoRandomBytes(MiB, 22));
    await waitFor(() => (f.server.getSessions().find((s) => s.transfer)?.transfer?.bytes ?? 0) > 0, 'bytes received', 5000);
    socket.resetAndDestroy();
    const final = await raw.reply();
    assert.equal(final.code, 426, final.text);
    assert.equal(await fileSha256(target), sha256(original));
    await waitFor(async () => (await tempFilesIn(f.root)).length === 0, 'temp file removed', 3000);
    const failed = f.events.slice(before).find((e) => e.type === 'transfer-failed');
    assert.ok(failed && failed.type === 'transfer-failed' && failed.path === '/precious.bin' && failed.bytes > 0 && !failed.aborted);
    // Same for a new file: nothing is left behind.
    const second = await raw.pasv();
    const socket2 = await connectData(second.port);
    socket2.on('error', () => undefined);
    assert.equal((await raw.command('STOR never-finished.bin')).code, 150);
    socket2.write(pseudoRandomBytes(100_000, 23));
    await sleep(100);
    socket2.resetAndDestroy();
    assert.equal((await raw.reply()).code, 426);
    await waitFor(async () => (await tempFilesIn(f.root)).length === 0, 'temp file removed', 3000);
    await assert.rejects(fs.stat(path.join(f.root, 'never-finished.bin')));
    // The session is still usable.
    assert.equal((await downloadOk(raw, 'RETR precious.bin')).length, original.length);
    raw.close();
  });

  test('an upload whose control connection drops is discarded; the original stays', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const original = pseudoRandomBytes(200_000, 24);
    const target = path.join(f.root, 'control-lost.bin');
    await fs.writeFile(target, original);
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    socket.on('error', () => undefined);
    assert.equal((await raw.command('STOR control-lost.bin')).code, 150);
    socket.write(pseudoRandomBytes(500_000, 25));
    await waitFor(() => (f.server.getSessions().find((s) => s.transfer)?.transfer?.bytes ?? 0) > 0, 'bytes received', 5000);
    raw.close();
    // The client finishes sending after its control connection is gone: too late to count.
    await sleep(100);
    socket.end(pseudoRandomBytes(1000, 26));
    await waitFor(() => f.server.getSessions().length === 0, 'session closed', 3000);
    await waitFor(async () => (await tempFilesIn(f.root)).length === 0, 'temp file removed', 3000);
    assert.equal(await fileSha256(target), sha256(original));
  });

  test('ABOR during a download: 426 then 226, then a new transfer works', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const huge = path.join(f.root, 'huge.bin');
    const fh = await fs.open(huge, 'w');
    await fh.truncate(256 * MiB); // sparse: never written, reads as zeros
    await fh.close();
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    socket.pause(); // the client does not read: the server blocks on backpressure
    socket.on('error', () => undefined);
    assert.equal((await raw.command('RETR huge.bin')).code, 150);
    await sleep(200);
    // Backpressure: far less than the file was read while the client was not reading.
    const sent = f.server.getSessions().find((s) => s.transfer)?.transfer?.bytes ?? 0;
    assert.ok(sent > 0 && sent < 64 * MiB, `bytes read while the client was paused: ${sent}`);
    raw.send('ABOR');
    assert.deepEqual((await raw.reply()).lines, ['426 Connection closed; transfer aborted']);
    assert.deepEqual((await raw.reply()).lines, ['226 ABOR successful']);
    socket.destroy();
    assert.equal((await raw.command('NOOP')).code, 200);
    assert.equal(sha256(await downloadOk(raw, 'RETR big.bin')), sha256(big));
    const failed = f.events.filter((e) => e.type === 'transfer-failed' && e.path === '/huge.bin');
    assert.equal(failed.length, 1);
    assert.ok(failed[0]!.type === 'transfer-failed' && failed[0]!.aborted);
    await fs.rm(huge);
    raw.close();
  });

  test('ABOR while the server still waits for the passive data connection answers at once', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.pasv();
    assert.equal((await raw.command('RETR small.txt')).code, 150);
    const started = Date.now();
    raw.send('ABOR');
    assert.deepEqual((await raw.reply()).lines, ['426 Connection closed; transfer aborted']);
    assert.deepEqual((await raw.reply()).lines, ['226 ABOR successful']);
    assert.ok(Date.now() - started < 2000, `ABOR took ${Date.now() - started} ms (the data connection timeout is 30 s)`);
    // The same for an upload: nothing is left behind.
    await raw.pasv();
    assert.equal((await raw.command('STOR waited.bin')).code, 150);
    raw.send('ABOR');
    assert.equal((await raw.reply()).code, 426);
    assert.equal((await raw.reply()).code, 226);
    await waitFor(async () => (await tempFilesIn(f.root)).length === 0, 'temp file removed', 3000);
    await assert.rejects(fs.stat(path.join(f.root, 'waited.bin')));
    assert.equal((await downloadOk(raw, 'RETR small.txt')).toString(), 'small file\n');
    raw.close();
  });

  test('ABOR during an upload: 426 then 226, the original is untouched', async () => {
    const raw = await connectAndLogin(f.port);
    await raw.command('TYPE I');
    const target = path.join(f.root, 'small.txt');
    const original = await fs.readFile(target);
    const { port } = await raw.pasv();
    const socket = await connectData(port);
    socket.on('error', () => undefined);
    assert.equal((await raw.command('STOR small.txt')).code, 150);
    socket.write(pseudoRandomBytes(200_000, 31));
    await waitFor(() => (f.server.getSessions().find((s) => s.transfer)?.transfer?.bytes ?? 0) > 0, 'bytes received', 5000);
    raw.send('ABOR');
    assert.equal((await raw.reply()).code, 426);
    assert.equal((await raw.reply()).code, 226);
    socket.destroy();
    assert.equal(sha256(await fs.readFile(target)), sha256(original));
    await waitFor(async () => (await tempFilesIn(f.root)).length === 0, 'temp file removed', 3000);
    assert.equal((await downloadOk(raw, 'RETR small.txt')).toString(), 'small file\n');
    raw.close();
  });

  test('upload backpressure: a slow (throttled) server does not buffer what the client sends', async () => {
    const slow = await startServer({ bandwidth: { upload: 1 * MiB } });
    try {
      const raw = await connectAndLogin(slow.port);
      await raw.command('TYPE I');
      const { port } = await raw.pasv();
      const socket = await connectData(port);
      socket.on('error', () => undefined);
      assert.equal((await raw.command('STOR slow.bin')).code, 150);
      const payload = pseudoRandomBytes(24 * MiB, 41);
      socket.write(payload);
      await sleep(700);
      const received = slow.server.getSessions().find((s) => s.transfer)?.transfer?.bytes ?? 0;
      assert.ok(received > 0 && received < 10 * MiB, `server took ${received} bytes in 0.7 s at 1 MiB/s`);
      assert.ok(socket.writableLength > 8 * MiB, 'the rest waits in the client');
      raw.send('ABOR');
      assert.equal((await raw.reply()).code, 426);
      assert.equal((await raw.reply()).code, 226);
      socket.destroy();
      await assert.rejects(fs.stat(path.join(slow.root, 'slow.bin')));
      await waitFor(async () => (await tempFilesIn(slow.root)).length === 0, 'temp file removed', 3000);
      raw.close();
    } finally {
      await slow.close();
    }
  });

  test('a sparse file over 4 GiB: SIZE, MLST, LIST, REST near the end gives the right tail', async () => {
    const size = 4.5 * 1024 * MiB;
    const tail = Buffer.from('the end of a very large file\n');
    const file = path.join(f.root, 'over4g.bin');
    const fh = await fs.open(file, 'w');
    await fh.truncate(size);
    await fh.write(tail, 0, tail.length, size - tail.length);
    await fh.close();
    try {
      const raw = await connectAndLogin(f.port);
      await raw.command('TYPE I');
      assert.deepEqual((await raw.command('SIZE over4g.bin')).lines, [`213 ${size}`]);
      assert.match((await raw.command('MLST over4g.bin')).lines[1]!, new RegExp(`;size=${size};`));
      const list = listingLines(await downloadOk(raw, 'LIST over4g.bin'));
      assert.equal(list.length, 1);
      assert.match(list[0]!, new RegExp(` ${size} .* over4g\\.bin$`));
      const offset = size - tail.length - 5;
      assert.equal((await raw.command(`REST ${offset}`)).code, 350);
      const { data, first, final } = await download(raw, 'RETR over4g.bin');
      assert.match(first.lines[0]!, /\(34 bytes\)$/);
      assert.equal(final.code, 226);
      assert.equal(data.toString('binary'), '\0'.repeat(5) + tail.toString('binary'));
      // Resuming an upload past 4 GiB writes at the right place.
      await raw.command(`REST ${size}`);
      await uploadOk(raw, 'STOR over4g.bin', 'more');
      assert.equal((await fs.stat(file)).size, size + 4);
      const check = await fs.open(file, 'r');
      const end = Buffer.alloc(tail.length + 4);
      await check.read(end, 0, end.length, size - tail.length);
      await check.close();
      assert.equal(end.toString(), tail.toString() + 'more');
      raw.close();
    } finally {
      await fs.rm(file, { force: true });
    }
  });

  test('bandwidth limits are applied smoothly (download)', async () => {
    const limited = await startServer({ bandwidth: { download: 512 * 1024 }, files: { 'one.bin': pseudoRandomBytes(MiB, 51) } });
    try {
      const raw = await connectAndLogin(limited.port);
      await raw.command('TYPE I');
      const { port } = await raw.pasv();
      const arrivals: Array<{ at: number; bytes: number }> = [];
      const collected = collectData(port);
      collected.socket.on('data', (chunk: Buffer) => arrivals.push({ at: performance.now(), bytes: chunk.length }));
      const started = performance.now();
      assert.equal((await raw.command('RETR one.bin')).code, 150);
      const data = await collected.done;
      const elapsed = performance.now() - started;
      assert.equal((await raw.reply(10_000)).code, 226);
      assert.equal(sha256(data), sha256(await fs.readFile(path.join(limited.root, 'one.bin'))));
      // 1 MiB at 512 KiB/s: about 2 s (a 100 ms burst is allowed).
      assert.ok(elapsed > 1700 && elapsed < 3500, `took ${elapsed} ms`);
      // Smooth: no long silence between chunks, and each half-second window carries a fair share.
      let longestGap = 0;
      for (let i = 1; i < arrivals.length; i++) longestGap = Math.max(longestGap, arrivals[i]!.at - arrivals[i - 1]!.at);
      // (An unsliced throttle would send the whole megabyte and then stall for two seconds.)
      assert.ok(longestGap < 600, `longest gap between chunks: ${longestGap} ms`);
      const first = arrivals[0]!.at;
      for (const window of [0, 1, 2]) {
        const bytes = arrivals.filter((a) => a.at - first >= window * 500 && a.at - first < (window + 1) * 500).reduce((n, a) => n + a.bytes, 0);
        assert.ok(bytes > 100 * 1024 && bytes < 450 * 1024, `window ${window}: ${bytes} bytes (256 KiB expected)`);
      }
      raw.close();
    } finally {
      await limited.close();
    }
  });
});
