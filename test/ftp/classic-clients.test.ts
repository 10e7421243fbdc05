/**
 * The classic command-line clients from Debian, tnftp (NetBSD ftp) and inetutils-ftp (GNU), driven
 * through their command interpreter on stdin as a script would drive them. Each runs a whole
 * session (login, pwd, cd, cdup, ls, dir, binary get and put, mget, mput, mkdir, rename, delete,
 * size, modtime, ASCII both ways, quit) over each data-connection verb: PASV, EPSV, PORT and EPRT.
 * Then anonymous and failed logins, a read-only share, IPv6 on ::1, and Ctrl-C during a download.
 * Both clients exit 0 after errors, so the tests read the server replies they print (-v) and the
 * files on disk.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { startServer, type FixtureOptions, type ServerFixture } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { run } from '../helpers/processes.js';
import { waitFor } from '../helpers/wait.js';
import { fileSha256, sha256 } from '../helpers/digests.js';
import { hasIpv6Loopback } from '../helpers/loopback.js';
import { pseudoRandomBytes } from '../helpers/payloads.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';

type Mode = 'passive' | 'active';

/** What differs between the two clients; everything else (commands, -n -v -i -p -A) they share. */
interface ClassicClient {
  binary: string;
  /** The Debian package that installs it (.ci/run does). */
  debianPackage: string;
  /** Interpreter commands that make it use EPSV/EPRT (`extended`) or PASV/PORT on IPv4. */
  useVerbs(extended: boolean): string[];
  /** The lines it prints for `pwd`, `size` and `modtime` (tnftp parses the reply, inetutils-ftp shows it). */
  printed: { pwd(dir: string): string; size(name: string, bytes: number): string; modtime(name: string): string };
}

/** The modification time given to the file `modtime` asks about. */
const MODIFIED = new Date('2021-03-04T05:06:07Z');

const CLIENTS: ClassicClient[] = [
  {
    binary: 'tnftp',
    debianPackage: 'tnftp',
    useVerbs: (extended) => (extended ? [] : ['epsv4 off']),
    printed: {
      pwd: (dir) => `Remote directory: ${dir}`,
      size: (name, bytes) => `${name}\t${bytes}`,
      modtime: (name) => `${name}\tThu, 04 Mar 2021 05:06:07 +0000`,
    },
  },
  {
    binary: 'inetutils-ftp',
    debianPackage: 'inetutils-ftp',
    // A toggle, off by default.
    useVerbs: (extended) => (extended ? ['epsv4'] : []),
    printed: {
      pwd: (dir) => `257 "${dir}" is the current directory`,
      size: (_name, bytes) => `213 ${bytes}`,
      modtime: (name) => `${name}\t03/04/2021 05:06:07 GMT`,
    },
  },
];

const VARIANTS = [
  { mode: 'passive', verb: 'PASV', extended: false },
  { mode: 'passive', verb: 'EPSV', extended: true },
  { mode: 'active', verb: 'PORT', extended: false },
  { mode: 'active', verb: 'EPRT', extended: true },
] as const;

const DATA_VERBS = new Set(['PASV', 'EPSV', 'PORT', 'EPRT']);

/** Fails, never skips, when a client is missing: CI installs them, and a skip would hide that. */
async function assertInstalled(client: ClassicClient): Promise<void> {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (await fs.access(path.join(dir, client.binary), fs.constants.X_OK).then(() => true, () => false)) return;
  }
  assert.fail(`${client.binary} is not installed: apt-get install ${client.debianPackage} (as .ci/run does)`);
}

interface SessionOptions {
  mode: Mode;
  /** Local working directory: where gets land and puts come from. */
  cwd: string;
  host?: string;
}

function clientArgs(f: ServerFixture, { mode, host = '127.0.0.1' }: SessionOptions): string[] {
  // -n: no auto-login (USER comes from the script); -v: print every reply; -i: mget/mput don't ask.
  return ['-n', '-v', '-i', mode === 'passive' ? '-p' : '-A', host, String(f.port)];
}

/** HOME keeps any ~/.netrc out; TZ fixes how modtime is printed. */
const clientEnv = (cwd: string): NodeJS.ProcessEnv => ({ ...process.env, HOME: cwd, TZ: 'UTC', LC_ALL: 'C.UTF-8' });

/** Runs one client session with `commands` on stdin; returns everything it printed. */
async function session(client: ClassicClient, f: ServerFixture, commands: string[], options: SessionOptions): Promise<string> {
  const result = await run(client.binary, clientArgs(f, options), {
    input: `${commands.join('\n')}\n`,
    cwd: options.cwd,
    env: clientEnv(options.cwd),
    timeoutMs: 20_000,
  });
  const output = `${result.stdout}${result.stderr}`;
  assert.equal(result.code, 0, `${client.binary} exited with ${result.code}:\n${output}`);
  return output;
}

function assertPrinted(output: string, ...lines: string[]): void {
  const printed = output.split(/\r?\n/);
  for (const line of lines) assert.ok(printed.includes(line), `expected the line ${JSON.stringify(line)} in:\n${output}`);
}

function assertNoErrorReplies(output: string): void {
  assert.doesNotMatch(output, /^[45]\d\d /m, `an error reply in:\n${output}`);
}

/** The data-connection verbs (PASV, EPSV, PORT, EPRT) the server received since event `from`. */
function dataVerbsUsed(f: ServerFixture, from = 0): string[] {
  return [...new Set(f.events.slice(from).flatMap((e) => (e.type === 'command' && DATA_VERBS.has(e.command) ? [e.command] : [])))];
}

/** A server and a local folder for one test; `use` gets both, and both are removed after. */
async function withServer(options: FixtureOptions, use: (f: ServerFixture, local: string) => Promise<void>): Promise<void> {
  const f = await startServer(options);
  const local = await makeTempDir('ftp-share-classic-');
  try {
    await use(f, local);
  } finally {
    await f.close();
    await removeTempDir(local);
  }
}

const ipv6 = await hasIpv6Loopback();

for (const client of CLIENTS) {
  describe(client.binary, () => {
    before(() => assertInstalled(client));

    for (const { mode, verb, extended } of VARIANTS) {
      test(`a whole session in ${mode} mode over ${verb}`, async () => {
        const payload = pseudoRandomBytes(300_000, 151);
        const many = [1, 2, 3].map((n) => pseudoRandomBytes(20_000 + n, 151 + n));
        const files = {
          'payload.bin': payload,
          'café ü.txt': 'café\n',
          'with space.txt': 'space\n',
          'sub/inner.txt': 'inner\n',
          'crlf.txt': 'one\r\ntwo\r\n',
          'lf.txt': 'one\ntwo\n',
          'old name.txt': 'rename me\n',
          'doomed.txt': 'delete me\n',
          ...Object.fromEntries(many.map((content, i) => [`many-${i + 1}.dat`, content])),
        };
        await withServer({ username: 'user', password: 'secret', files }, async (f, local) => {
          await fs.utimes(path.join(f.root, 'payload.bin'), MODIFIED, MODIFIED);
          const upload = pseudoRandomBytes(200_000, 161);
          const puts = [pseudoRandomBytes(10_000, 162), pseudoRandomBytes(10_001, 163)];
          await fs.writeFile(path.join(local, 'upload.bin'), upload);
          for (const [i, content] of puts.entries()) await fs.writeFile(path.join(local, `put-${i + 1}.dat`), content);
          await fs.writeFile(path.join(local, 'local-lf.txt'), 'x\ny\n');

          const output = await session(
            client,
            f,
            [
              'user user secret',
              ...client.useVerbs(extended),
              'pwd',
              'cd sub',
              'pwd',
              'cdup',
              'ls',
              'dir sub',
              'binary',
              'get payload.bin',
              'get "café ü.txt"',
              'put upload.bin',
              'mget many-*.dat',
              'mkdir "new dir"',
              'cd "new dir"',
              'mput put-*.dat',
              'cdup',
              'rename "old name.txt" "new name.txt"',
              'delete doomed.txt',
              'size payload.bin',
              'modtime payload.bin',
              'ascii',
              'get crlf.txt',
              'get lf.txt',
              'put local-lf.txt ascii-up.txt',
              'quit',
            ],
            { mode, cwd: local },
          );

          assertNoErrorReplies(output);
          assert.deepEqual(dataVerbsUsed(f), [verb]);
          assertPrinted(
            output,
            '230 Login successful',
            client.printed.pwd('/'),
            '250 Directory successfully changed to "/sub"',
            client.printed.pwd('/sub'),
            '250 Directory successfully changed to "/"',
            '150 Opening BINARY mode data connection for payload.bin (300000 bytes)',
            '257 "/new dir" created',
            '350 Ready for RNTO',
            '250 Rename successful',
            '250 File deleted',
            client.printed.size('payload.bin', 300_000),
            client.printed.modtime('payload.bin'),
            '150 Opening ASCII mode data connection for crlf.txt (10 bytes)',
            '150 Ok to send data (ASCII mode)',
            '221 Goodbye',
          );
          // ls and dir: `ls -l` lines the client shows as they came, names with spaces and UTF-8 intact.
          const lines = output.split('\n');
          for (const name of ['payload.bin', 'café ü.txt', 'with space.txt', 'many-1.dat', 'inner.txt', 'sub']) {
            assert.ok(lines.some((line) => /^[-d]rw/.test(line) && line.endsWith(` ${name}`)), `${name} listed in:\n${output}`);
          }

          assert.equal(await fileSha256(path.join(local, 'payload.bin')), sha256(payload));
          assert.equal(await fs.readFile(path.join(local, 'café ü.txt'), 'utf8'), 'café\n');
          assert.equal(await fileSha256(path.join(f.root, 'upload.bin')), sha256(upload));
          for (const [i, content] of many.entries()) assert.equal(await fileSha256(path.join(local, `many-${i + 1}.dat`)), sha256(content));
          for (const [i, content] of puts.entries()) assert.equal(await fileSha256(path.join(f.root, 'new dir', `put-${i + 1}.dat`)), sha256(content));
          assert.equal(await fs.readFile(path.join(f.root, 'new name.txt'), 'utf8'), 'rename me\n');
          await assert.rejects(fs.stat(path.join(f.root, 'old name.txt')));
          await assert.rejects(fs.stat(path.join(f.root, 'doomed.txt')));
          // ASCII: the network's CRLF becomes the client's native LF, from CRLF and LF files alike;
          // an upload's CRLF becomes LF on the server's disk.
          assert.equal(await fs.readFile(path.join(local, 'crlf.txt'), 'utf8'), 'one\ntwo\n');
          assert.equal(await fs.readFile(path.join(local, 'lf.txt'), 'utf8'), 'one\ntwo\n');
          assert.equal(await fs.readFile(path.join(f.root, 'ascii-up.txt'), 'utf8'), 'x\ny\n');
        });
      });
    }

    test('anonymous login, and a wrong password refused', async () => {
      await withServer({ files: { 'open.txt': 'for anyone\n' } }, async (f, local) => {
        const output = await session(client, f, ['user anonymous guest@example.com', 'get open.txt', 'quit'], { mode: 'passive', cwd: local });
        assertNoErrorReplies(output);
        assertPrinted(output, '230 Login successful', '221 Goodbye');
        assert.equal(await fs.readFile(path.join(local, 'open.txt'), 'utf8'), 'for anyone\n');
      });
      await withServer({ username: 'user', password: 'secret', files: { 'closed.txt': 'secret\n' } }, async (f, local) => {
        const output = await session(client, f, ['user user wrong', 'get closed.txt', 'quit'], { mode: 'passive', cwd: local });
        assertPrinted(output, '530 Login incorrect', 'Login failed.', '530 Please log in with USER and PASS first', '221 Goodbye');
        await assert.rejects(fs.stat(path.join(local, 'closed.txt')));
      });
    });

    test('a read-only share refuses put, mput, mkdir, rename and delete with 550, in both modes', async () => {
      await withServer({ readOnly: true, files: { 'keep.txt': 'kept\n' } }, async (f, local) => {
        await fs.writeFile(path.join(local, 'attempt.bin'), pseudoRandomBytes(50_000, 171));
        const before = await snapshotTree(f.root);
        for (const mode of ['passive', 'active'] as const) {
          const output = await session(
            client,
            f,
            ['user anonymous guest', 'binary', 'put attempt.bin', 'mput attempt.bin', 'mkdir made', 'rename keep.txt moved.txt', 'delete keep.txt', 'get keep.txt', 'quit'],
            { mode, cwd: local },
          );
          const refusals = output.split('\n').filter((line) => line.startsWith('550 '));
          assert.deepEqual(refusals, [
            '550 Read-only share',
            '550 Read-only share',
            '550 Read-only share',
            '550 Permission denied: the share is read-only',
            '550 Read-only share',
          ], output);
          // Reading still works.
          assert.equal(await fs.readFile(path.join(local, 'keep.txt'), 'utf8'), 'kept\n');
        }
        assert.deepEqual(await snapshotTree(f.root), before);
      });
    });

    test('IPv6 on ::1: EPSV and EPRT', { skip: !ipv6 && 'no IPv6 loopback on this machine' }, async () => {
      const payload = pseudoRandomBytes(100_000, 181);
      await withServer({ host: '::1', files: { 'six.bin': payload } }, async (f, local) => {
        for (const mode of ['passive', 'active'] as const) {
          const from = f.events.length;
          const name = `${mode}.bin`;
          await fs.writeFile(path.join(local, name), payload);
          const output = await session(client, f, ['user anonymous guest', 'binary', 'ls', 'get six.bin', `put ${name}`, 'quit'], { mode, host: '::1', cwd: local });
          assertNoErrorReplies(output);
          assert.match(output, / six\.bin$/m);
          assert.equal(await fileSha256(path.join(local, 'six.bin')), sha256(payload));
          assert.equal(await fileSha256(path.join(f.root, name)), sha256(payload));
          assert.deepEqual(dataVerbsUsed(f, from), [mode === 'passive' ? 'EPSV' : 'EPRT']);
        }
      });
    });

    // On Ctrl-C these clients send `IAC IP IAC` as TCP urgent data, then `DM ABOR`: the urgent IAC
    // is taken out of the stream, and the bare DM used to make the server see "\ufffdABOR" (502,
    // queued behind the transfer, which then ran to its end).
    test('Ctrl-C during a download aborts it (426, 226) and the session goes on, in both modes', async () => {
      const big = pseudoRandomBytes(4 * 1024 * 1024, 191);
      await withServer({ bandwidth: { download: 256 * 1024 }, files: { 'big.bin': big, 'after.txt': 'after\n' } }, async (f, local) => {
        for (const mode of ['passive', 'active'] as const) {
          const from = f.events.length;
          const child = spawn(client.binary, clientArgs(f, { mode, cwd: local }), { cwd: local, env: clientEnv(local) });
          const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
          // A client that died early (EPIPE) is reported by the exit-code assertion, not as a crash.
          child.stdin.on('error', () => undefined);
          let output = '';
          child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
          child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
          const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
          try {
            child.stdin.write('user anonymous guest\nbinary\nget big.bin\n');
            const since = () => f.events.slice(from);
            await waitFor(() => since().some((e) => e.type === 'transfer-progress' && e.bytes > 0), 'the download to start', 10_000);
            child.kill('SIGINT');
            // At 256 KiB/s the whole file takes 16 s: an abort that isn't understood fails here.
            await waitFor(() => since().some((e) => e.type === 'transfer-failed' && e.aborted), 'the server to abort the transfer', 5000);
            child.stdin.end('get after.txt\nquit\n');
            assert.equal(await exited, 0, output);
          } finally {
            clearTimeout(killer);
            child.kill('SIGKILL');
          }
          assertPrinted(output, '426 Connection closed; transfer aborted', '226 ABOR successful', '221 Goodbye');
          assert.doesNotMatch(output, /^502 /m);
          assert.equal(await fs.readFile(path.join(local, 'after.txt'), 'utf8'), 'after\n');
          await fs.rm(path.join(local, 'after.txt'));
        }
      });
    });
  });
}
