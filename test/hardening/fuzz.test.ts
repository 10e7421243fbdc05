/**
 * Fuzzing (fast-check) of everything that reads untrusted input: the control-line splitter and
 * command parser, PORT/EPRT/EPSV arguments, the path resolver, LIST options and globs, and a real
 * server driven with fuzzed command lines over a socket. FUZZ_RUNS sets the run count (500 in
 * `npm test`, 10,000 in `npm run test:soak`); the server fuzz does 40 % of that (a round trip each).
 *
 * Properties: nothing throws (except the resolver's documented FsError 'invalid-name'), nothing
 * resolves outside the root, a glob can't stall the event loop, every reply is a well-formed
 * three-digit reply without raw control characters, a read-only share is never written and a
 * folder beside the share is never touched.
 */
import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import fc from 'fast-check';
import { LineSplitter, parseCommandLine } from '../../core/ftp/parser.js';
import { parseEprtArgument, parseEpsvArgument, parsePortArgument, splitListArguments } from '../../core/ftp/arguments.js';
import { globMatcher } from '../../core/ftp/listing-format.js';
import { isInside, resolveFtpPath, toHostPath } from '../../core/fs/safe-path.js';
import { FsError } from '../../core/fs/fs-error.js';
import { SimpleAuthorizer } from '../../core/auth/simple-authorizer.js';
import { PhysicalFileSystem } from '../../core/fs/physical.js';
import { startServer, type ServerFixture } from '../helpers/server-fixture.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { ControlClient } from '../helpers/control-client.js';
import { snapshotTree } from '../helpers/tree-snapshot.js';
import { failOnCrashes } from '../helpers/resource-baseline.js';
import { assertNoServerErrors } from './hardening-helpers.js';
import net from 'node:net';
import { sleep } from '../helpers/wait.js';

const numRuns = Number(process.env.FUZZ_RUNS ?? 500);
const serverRuns = Math.max(50, Math.round(numRuns * 0.4));

/** Strings biased towards what breaks path and argument handling. */
const nasty = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 60 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.constantFrom('..', '.', '', '/', '\\', '//', 'a', 'b c', '~', '%2e%2e', '\0', '\r', '\n', '\x1b', 'é', '😀', '\uD800', 'CON', 'nul.txt', 'x:', '*', '?', '-la', ' ', '…', '\u202e', 'link', 'outside', 'secret.txt'),
        { maxLength: 12 },
      )
      .map((parts) => parts.join('')),
  },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 5000 }).map((n) => 'a/'.repeat(n)) },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 3000 }).map((n) => '../'.repeat(n) + 'etc/passwd') },
);

describe('fuzz: parsers', () => {
  test('splitter + parser over arbitrary chunked bytes: never throws; verbs are one upper-case word', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 8 }), fc.integer({ min: 1, max: 5000 }), (chunks, max) => {
        const splitter = new LineSplitter(max);
        for (const chunk of chunks) {
          for (const event of splitter.push(Buffer.from(chunk))) {
            if (event.kind === 'too-long') continue;
            assert.ok(!/[\r\n]/.test(event.line));
            const command = parseCommandLine(event.line);
            assert.ok(!command.verb.includes(' '));
            assert.equal(command.verb, command.verb.toUpperCase());
          }
        }
      }),
      { numRuns },
    );
  });

  test('PORT, EPRT, EPSV: never throw; only valid hosts and ports 1-65535 come out', () => {
    const portish = fc.oneof(
      nasty,
      fc.array(fc.oneof(fc.nat({ max: 1000 }).map(String), fc.constantFrom('', ' 1', '１', '0x10', '1e2', '-1', '256', '99999999999999999999')), { maxLength: 8 }).map((a) => a.join(',')),
      fc.tuple(fc.constantFrom('|', '!', 'a', ' ', '\0', '||'), fc.constantFrom('1', '2', '3', '', '01'), fc.oneof(fc.ipV4(), fc.ipV6(), nasty), fc.oneof(fc.nat({ max: 70000 }).map(String), nasty))
        .map(([d, p, h, port]) => `${d}${p}${d}${h}${d}${port}${d}`),
    );
    fc.assert(
      fc.property(portish, (argument) => {
        const port = parsePortArgument(argument);
        if (port) {
          assert.ok(net.isIPv4(port.host));
          assert.ok(Number.isInteger(port.port) && port.port >= 1 && port.port <= 65535);
        }
        const eprt = parseEprtArgument(argument);
        if (eprt.ok) {
          assert.ok(eprt.family === 4 ? net.isIPv4(eprt.host) : net.isIPv6(eprt.host));
          assert.ok(Number.isInteger(eprt.port) && eprt.port >= 1 && eprt.port <= 65535);
        }
        assert.ok(['all', 'open', 'protocol', 'syntax'].includes(parseEpsvArgument(argument).kind));
      }),
      { numRuns },
    );
  });
});

describe('fuzz: the path resolver never escapes the root', () => {
  const cwdArb = fc.array(fc.constantFrom('a', 'b', 'deep', 'x y', 'é'), { maxLength: 5 }).map((p) => '/' + p.join('/'));

  for (const platform of ['posix', 'win32'] as const) {
    test(`resolveFtpPath (${platform}): a normalised absolute path inside the root, or FsError 'invalid-name'`, () => {
      const impl = platform === 'win32' ? path.win32 : path.posix;
      const root = platform === 'win32' ? 'C:\\share\\root' : '/srv/share/root';
      fc.assert(
        fc.property(cwdArb, nasty, (cwd, input) => {
          let resolved: string;
          try {
            resolved = resolveFtpPath(cwd, input, platform);
          } catch (err) {
            assert.ok(err instanceof FsError, `threw ${String(err)}`);
            assert.equal(err.code, 'invalid-name');
            return;
          }
          assert.ok(resolved.startsWith('/'));
          assert.ok(!resolved.includes('\\') && !resolved.includes('\0'));
          const parts = resolved.split('/').slice(1);
          if (resolved !== '/') assert.ok(parts.every((c) => c !== '' && c !== '.' && c !== '..'), resolved);
          // Idempotent: resolving the result again changes nothing.
          assert.equal(resolveFtpPath('/', resolved, platform), resolved);
          // And the host path is inside the root.
          const host = toHostPath(root, resolved, impl);
          assert.ok(isInside(root, host, impl), `${input} → ${host}`);
        }),
        { numRuns },
      );
    });
  }
});

describe('fuzz: LIST arguments and globs', () => {
  test('splitListArguments: never throws; options are ls flags; the path is the rest of the argument', () => {
    const listArg = fc.oneof(
      nasty,
      fc.tuple(fc.array(fc.constantFrom('-a', '-l', '-la', '-R', '-', '--', '-1', ' ', '  ', '\t'), { maxLength: 10 }), nasty).map(([o, p]) => o.join(' ') + ' ' + p),
    );
    fc.assert(
      fc.property(listArg, (argument) => {
        const { options, path: rest } = splitListArguments(argument);
        if (options !== '') assert.match(options, /^-[a-zA-Z]+(\s*-[a-zA-Z]+)*$/);
        assert.ok(argument.endsWith(rest), 'the path is a suffix of the argument');
      }),
      { numRuns },
    );
    // Linear time on a long run of flags (no catastrophic backtracking).
    const started = performance.now();
    splitListArguments('-a '.repeat(1400) + '-');
    splitListArguments('-' + 'a'.repeat(4000) + '!');
    assert.ok(performance.now() - started < 100);
  });

  test('globMatcher agrees with the regular-expression meaning of * and ? on short inputs', () => {
    const reference = (pattern: string, name: string): boolean => {
      let source = '';
      for (const char of pattern.replace(/\*+/g, '*')) {
        if (char === '*') source += '.*';
        else if (char === '?') source += '.';
        else source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      }
      return new RegExp(`^${source}$`, 'su').test(name);
    };
    const small = fc.string({ unit: fc.constantFrom('a', 'b', '*', '?', '.', '😀', '['), maxLength: 8 });
    fc.assert(
      fc.property(small, fc.string({ unit: fc.constantFrom('a', 'b', '.', '😀', '['), maxLength: 10 }), (pattern, name) => {
        assert.equal(globMatcher(pattern)(name), reference(pattern, name), `${pattern} vs ${name}`);
      }),
      { numRuns },
    );
  });

  test('globMatcher: adversarial patterns stay fast (the old RegExp took minutes)', () => {
    const name = 'a'.repeat(255);
    const started = performance.now();
    for (let k = 1; k <= 60; k++) globMatcher('*a'.repeat(k) + '*b')(name);
    globMatcher('*?'.repeat(120) + 'b')(name);
    assert.ok(performance.now() - started < 500, `${performance.now() - started} ms`);
  });
});

/** A fuzzed command line: known verbs with nasty arguments, or raw random bytes. */
const VERBS = [
  'USER', 'PASS', 'CWD', 'CDUP', 'XCWD', 'PWD', 'LIST', 'NLST', 'MLSD', 'MLST', 'STAT', 'SIZE', 'MDTM', 'MFMT', 'RETR', 'STOR', 'APPE', 'STOU',
  'DELE', 'MKD', 'XMKD', 'RMD', 'RNFR', 'RNTO', 'REST', 'TYPE', 'MODE', 'STRU', 'PORT', 'EPRT', 'OPTS', 'FEAT', 'HELP', 'SITE', 'HASH', 'AVBL',
  'ABOR', 'NOOP', 'SYST', 'ALLO', 'ACCT', 'PBSZ', 'PROT', 'AUTH', 'CCC', 'XPWD', 'REIN', 'EPSV ALL', 'LANG', 'CLNT',
];
const commandLine = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...VERBS), fc.oneof(nasty, fc.constant(''))).map(([v, a]) => (a === '' ? v : `${v} ${a}`)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 120 }).map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('SITE CHMOD', 'RNFR', 'REST', 'MFMT', 'OPTS MLST', 'OPTS HASH'), nasty, nasty).map(([v, a, b]) => `${v} ${a} ${b}`) },
);

/** Sends each line (bytes as latin1 or UTF-8), then NOOP, and checks every reply up to the NOOP's. */
async function exchange(raw: ControlClient, lines: string[]): Promise<'alive' | 'closed'> {
  const bytes = lines.map((l) => (/^[\x00-\xff]*$/.test(l) ? Buffer.from(l, 'latin1') : Buffer.from(l, 'utf8')));
  raw.socket.write(Buffer.concat([...bytes.flatMap((b) => [b, Buffer.from('\r\n')]), Buffer.from('NOOP\r\n')]));
  for (let i = 0; i < 50; i++) {
    let reply;
    try {
      reply = await raw.reply(5000);
    } catch (err) {
      if (raw.closed) return 'closed';
      throw err;
    }
    assert.match(reply.lines[0]!, /^[1-5]\d\d[ -]/, JSON.stringify(reply.lines));
    assert.match(reply.lines.at(-1)!, /^[1-5]\d\d /);
    for (const line of reply.lines) {
      // eslint-disable-next-line no-control-regex
      assert.ok(!/[\x00-\x1f\x7f]/.test(line), `raw control character in reply ${JSON.stringify(line)}`);
    }
    if (reply.code === 200 && /NOOP/i.test(reply.text)) return 'alive';
    if (reply.code === 421 || reply.code === 221) {
      await sleep(20);
      return 'closed';
    }
  }
  throw new Error('no NOOP reply after 50 replies');
}

describe('fuzz: a real server driven over a socket', () => {
  let work: string;
  let outside: string;
  let outsideBefore: Record<string, string>;
  failOnCrashes(async () => {
    assert.deepEqual(await snapshotTree(outside), outsideBefore, 'the folder beside the share is untouched');
    await removeTempDir(work);
  });

  before(async () => {
    work = await makeTempDir('ftp-share-fuzz-');
    outside = path.join(work, 'outside');
    await fs.mkdir(outside);
    await fs.writeFile(path.join(outside, 'secret.txt'), 'TOP-SECRET');
    outsideBefore = await snapshotTree(outside);
  });

  async function fuzzServer(f: ServerFixture, runs: number, seed: number): Promise<{ closed: number }> {
    let raw: ControlClient | undefined;
    let closed = 0;
    let logins = 0;
    const login = async (): Promise<ControlClient> => {
      const client = await ControlClient.connect(f.port);
      assert.equal((await client.reply()).code, 220);
      // Two sessions in three log in (where the file system is reached), the third does not.
      if (logins++ % 3 !== 2) await client.login('anonymous', 'guest');
      return client;
    };
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(commandLine, { minLength: 1, maxLength: 5 }), async (lines) => {
          raw ??= await login();
          if ((await exchange(raw, lines)) === 'closed') {
            closed++;
            raw.close();
            raw = undefined;
          }
        }),
        { numRuns: runs, seed },
      );
    } finally {
      raw?.close();
    }
    return { closed };
  }

  test(`read-only share: ${serverRuns} fuzzed exchanges, nothing written, every reply well formed`, async () => {
    const root = await fs.mkdtemp(path.join(work, 'ro-'));
    await fs.mkdir(path.join(root, 'a'));
    await fs.writeFile(path.join(root, 'a', 'file.txt'), 'content');
    await fs.symlink(outside, path.join(root, 'link'));
    const before = await snapshotTree(root);
    const f = await startServer({
      authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root, readOnly: true }) }),
      dataConnectionTimeoutMs: 300,
    });
    try {
      await fuzzServer(f, serverRuns, 4242);
      assert.deepEqual(await snapshotTree(root), before, 'the read-only share is unchanged');
      assertNoServerErrors(f);
    } finally {
      await f.close();
    }
  });

  test(`writable share: ${serverRuns} fuzzed exchanges, nothing outside the root touched, the server lives`, async () => {
    const root = await fs.mkdtemp(path.join(work, 'rw-'));
    await fs.mkdir(path.join(root, 'a'));
    await fs.writeFile(path.join(root, 'a', 'file.txt'), 'content');
    await fs.symlink(outside, path.join(root, 'link'));
    const f = await startServer({
      authorizer: new SimpleAuthorizer({ fs: new PhysicalFileSystem({ root }) }),
      dataConnectionTimeoutMs: 300,
    });
    try {
      await fuzzServer(f, serverRuns, 777);
      const client = await ControlClient.connect(f.port);
      assert.equal((await client.reply()).code, 220);
      await client.login();
      assert.equal((await client.command('NOOP')).code, 200);
      client.close();
      assertNoServerErrors(f);
    } finally {
      await f.close();
    }
  });
});
