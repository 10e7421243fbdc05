import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { defaults } from '../../core/defaults.js';
import { FsError, isFsError } from '../../core/fs/fs-error.js';
import {
  ftpComponents,
  isInside,
  nameProblem,
  resolveFtpPath,
  splitFtpPath,
  toHostPath,
  validateName,
  type HostPlatform,
} from '../../core/fs/safe-path.js';

const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 500) || 500;
const PLATFORMS: HostPlatform[] = ['posix', 'win32'];
const ROOTS = { posix: '/srv/share', win32: 'C:\\Users\\me\\Share' } as const;
const PATHS = { posix: path.posix, win32: path.win32 } as const;

function assertInvalid(fn: () => unknown): void {
  assert.throws(fn, (err: unknown) => isFsError(err, 'invalid-name'));
}

/** What every resolved path must look like, whatever the input. */
function assertNormalised(p: string): void {
  assert.ok(p.startsWith('/'), `not absolute: ${JSON.stringify(p)}`);
  assert.ok(!p.includes('\\'), `backslash left: ${JSON.stringify(p)}`);
  assert.ok(!p.includes('\0'), 'NUL left');
  assert.ok(p === '/' || !p.endsWith('/'), `trailing slash: ${JSON.stringify(p)}`);
  assert.ok(!p.includes('//'), `double slash: ${JSON.stringify(p)}`);
  for (const c of p.split('/').slice(1)) {
    if (p === '/') break;
    assert.notEqual(c, '..');
    assert.notEqual(c, '.');
    assert.notEqual(c, '');
  }
  assert.ok(Buffer.byteLength(p) <= defaults.maxPathBytes);
}

describe('resolveFtpPath: traversal payloads', () => {
  // [input, cwd, expected on posix, expected on win32 ('invalid' = FsError invalid-name)]
  const table: [string, string, string, string][] = [
    ['../', '/', '/', '/'],
    ['..\\', '/', '/', '/'],
    ['/..', '/', '/', '/'],
    ['/../../..', '/a/b', '/', '/'],
    ['..', '/a/b', '/a', '/a'],
    ['../../../../x', '/a/b', '/x', '/x'],
    ['..\\..\\..\\x', '/a/b', '/x', '/x'],
    ['....//', '/', '/....', 'invalid'],
    ['....//....//etc', '/', '/..../..../etc', 'invalid'],
    ['../../etc/passwd', '/pub', '/etc/passwd', '/etc/passwd'],
    ['/etc/passwd', '/pub', '/etc/passwd', '/etc/passwd'],
    ['C:\\Windows', '/', '/C:/Windows', 'invalid'],
    ['C:/Windows/System32', '/pub', '/pub/C:/Windows/System32', 'invalid'],
    ['\\\\server\\share\\x', '/pub', '/server/share/x', '/server/share/x'],
    ['%2e%2e/%2e%2e/x', '/', '/%2e%2e/%2e%2e/x', '/%2e%2e/%2e%2e/x'],
    ['%2e%2e%2f', '/', '/%2e%2e%2f', '/%2e%2e%2f'],
    ['..%5c..%5c', '/', '/..%5c..%5c', '/..%5c..%5c'],
    ['.', '/a', '/a', '/a'],
    ['', '/a/b', '/a/b', '/a/b'],
    ['./././', '/a', '/a', '/a'],
    ['a//b\\\\c///', '/', '/a/b/c', '/a/b/c'],
    ['/a/./b/../c', '/x', '/a/c', '/a/c'],
    ['x/..', '/d', '/d', '/d'],
    ['a\0b', '/', 'invalid', 'invalid'],
    ['\0', '/', 'invalid', 'invalid'],
    ['../\0/etc', '/', 'invalid', 'invalid'],
    ['a'.repeat(10_000), '/', 'invalid', 'invalid'],
    ['../'.repeat(3000) + 'x', '/', 'invalid', 'invalid'],
    ['/' + 'a/'.repeat(2100), '/', 'invalid', 'invalid'],
    ['CON', '/', '/CON', 'invalid'],
    ['dir/nul.txt', '/', '/dir/nul.txt', 'invalid'],
    ['trailing. ', '/', '/trailing. ', 'invalid'],
  ];

  for (const platform of PLATFORMS) {
    for (const [input, cwd, posixExpected, winExpected] of table) {
      const expected = platform === 'posix' ? posixExpected : winExpected;
      const label = JSON.stringify(input.length > 40 ? input.slice(0, 40) + '…' : input);
      test(`${platform}: ${label} from ${cwd} → ${expected}`, () => {
        if (expected === 'invalid') {
          assertInvalid(() => resolveFtpPath(cwd, input, platform));
          return;
        }
        const resolved = resolveFtpPath(cwd, input, platform);
        assert.equal(resolved, expected);
        assertNormalised(resolved);
        const host = toHostPath(ROOTS[platform], resolved, PATHS[platform]);
        assert.ok(isInside(ROOTS[platform], host, PATHS[platform]), host);
      });
    }
  }

  test('absolute host paths map under the root, never onto the host path', () => {
    const host = toHostPath('/srv/share', resolveFtpPath('/', '/etc/passwd', 'posix'), path.posix);
    assert.equal(host, '/srv/share/etc/passwd');
    const win = toHostPath('D:\\share', resolveFtpPath('/', '/Windows/System32', 'win32'), path.win32);
    assert.equal(win, 'D:\\share\\Windows\\System32');
  });

  test('a non-normalised cwd is normalised too', () => {
    assert.equal(resolveFtpPath('/a/../../b//c/.', 'd', 'posix'), '/b/c/d');
    assert.equal(resolveFtpPath('', 'd', 'posix'), '/d');
  });
});

describe('resolveFtpPath: length limits', () => {
  test('a component of exactly maxNameBytes bytes is accepted, one more is refused', () => {
    const ok = 'a'.repeat(defaults.maxNameBytes);
    assert.equal(resolveFtpPath('/', ok, 'posix'), '/' + ok);
    assertInvalid(() => resolveFtpPath('/', ok + 'a', 'posix'));
  });

  test('the limit counts UTF-8 bytes, not characters', () => {
    const twoByte = 'é'.repeat(Math.floor(defaults.maxNameBytes / 2)); // 254 bytes
    assert.equal(resolveFtpPath('/', twoByte, 'posix'), '/' + twoByte);
    assertInvalid(() => resolveFtpPath('/', twoByte + 'éé', 'posix'));
    const emoji = '😀'.repeat(64); // 256 bytes, 128 UTF-16 units
    assertInvalid(() => resolveFtpPath('/', emoji, 'posix'));
  });

  test('a path over maxPathBytes is refused, also when cwd makes it long', () => {
    const name = 'n'.repeat(200);
    const cwd = '/' + Array(20).fill(name).join('/'); // ~4020 bytes
    assert.equal(resolveFtpPath(cwd, '.', 'posix'), cwd);
    assertInvalid(() => resolveFtpPath(cwd, name, 'posix'));
  });

  test('lone surrogates are refused (they would not survive UTF-8)', () => {
    assertInvalid(() => resolveFtpPath('/', 'a\uD800b', 'posix'));
    assertInvalid(() => resolveFtpPath('/', 'a\uDC00', 'posix'));
    assert.equal(resolveFtpPath('/', '😀', 'posix'), '/😀');
  });
});

describe('Windows name rules (path.win32)', () => {
  const refused = [
    'CON',
    'con',
    'Con.txt',
    'con .txt',
    'PRN',
    'aux.tar.gz',
    'NUL',
    'nul.',
    'COM1',
    'com9.log',
    'LPT1',
    'lpt9',
    'COM¹',
    'CONIN$',
    'conout$.x',
    'name.',
    'name ',
    'name. . ',
    '...',
    'C:',
    'c:foo',
    'Z:\u0000',
    'a<b',
    'a>b',
    'a:b',
    'a"b',
    'a|b',
    'a?b',
    'a*b',
    'tab\there',
    'bell\u0007',
    'esc\u001f',
  ];
  for (const name of refused) {
    test(`refuses ${JSON.stringify(name)} on win32, ${name.includes('\0') ? 'and' : 'not'} on posix`, () => {
      assert.notEqual(nameProblem(name, 'win32'), null);
      assertInvalid(() => validateName(name, 'win32'));
      assertInvalid(() => resolveFtpPath('/', `/dir/${name}`, 'win32'));
      if (!name.includes('\0')) assert.equal(nameProblem(name, 'posix'), null);
    });
  }

  const accepted = ['CONSOLE', 'com10', 'com0', 'lpt', 'auxiliary.txt', 'x.con', '.hidden', 'a b', 'naïve', 'файл', '.'.repeat(0) + 'a.b.c', 'my con.txt'];
  for (const name of accepted) {
    test(`accepts ${JSON.stringify(name)} on win32`, () => {
      assert.equal(nameProblem(name, 'win32'), null);
      assert.equal(resolveFtpPath('/', name, 'win32'), '/' + name);
    });
  }

  test('joins use Windows separators and stay under the root', () => {
    assert.equal(toHostPath('C:\\Share', '/a/b.txt', path.win32), 'C:\\Share\\a\\b.txt');
    assert.equal(toHostPath('C:\\Share', '/', path.win32), 'C:\\Share');
    assert.equal(toHostPath('\\\\nas\\media', '/x', path.win32), '\\\\nas\\media\\x');
  });

  test('containment is case-insensitive on win32 and case-sensitive on posix', () => {
    assert.ok(isInside('C:\\Share', 'c:\\share\\File.txt', path.win32));
    assert.ok(isInside('C:\\Share', 'C:\\SHARE', path.win32));
    assert.ok(!isInside('C:\\Share', 'C:\\Share_secret\\x', path.win32));
    assert.ok(!isInside('C:\\Share', 'D:\\Share\\x', path.win32));
    assert.ok(!isInside('C:\\Share', 'C:\\', path.win32));
    assert.ok(isInside('C:\\', 'C:\\anything', path.win32));
    assert.ok(!isInside('/srv/Share', '/srv/share/x', path.posix));
  });
});

describe('isInside / toHostPath', () => {
  test('separator boundary: /share_secret is not inside /share', () => {
    assert.ok(!isInside('/share', '/share_secret', path.posix));
    assert.ok(!isInside('/share', '/share_secret/file', path.posix));
    assert.ok(!isInside('/share', '/shar', path.posix));
    assert.ok(!isInside('/share/', '/share_secret', path.posix));
    assert.ok(isInside('/share', '/share', path.posix));
    assert.ok(isInside('/share/', '/share', path.posix));
    assert.ok(isInside('/share', '/share/', path.posix));
    assert.ok(isInside('/share', '/share/..x', path.posix));
    assert.ok(!isInside('/share', '/share/../x', path.posix));
    assert.ok(isInside('/', '/anything', path.posix));
  });

  test('toHostPath refuses paths that skipped the resolver', () => {
    for (const bad of ['/../etc', '/a/../../b', 'relative', '/a/./b', '/a\\..\\..\\b', '/a\0']) {
      assertInvalid(() => toHostPath('/srv/share', bad, path.posix));
      assertInvalid(() => toHostPath('C:\\share', bad, path.win32));
    }
  });

  test('ftpComponents and splitFtpPath', () => {
    assert.deepEqual(ftpComponents('/'), []);
    assert.deepEqual(ftpComponents('/a/b'), ['a', 'b']);
    assert.equal(splitFtpPath('/'), null);
    assert.deepEqual(splitFtpPath('/a'), { parent: '/', name: 'a' });
    assert.deepEqual(splitFtpPath('/a/b/c'), { parent: '/a/b', name: 'c' });
  });
});

describe('property: resolve always confines', () => {
  // Pieces that matter for traversal, mixed with any UTF-16 code unit (lone surrogates included)
  // and any code point.
  const piece = fc.oneof(
    fc.constantFrom('/', '\\', '..', '.', '\0', ':', 'C:', ' ', 'CON', '%2e', '//', '\\\\', '../', '..\\'),
    fc.integer({ min: 0, max: 0xffff }).map((n) => String.fromCharCode(n)),
    fc.string({ unit: 'binary', maxLength: 4 }),
    fc.string({ maxLength: 8 }),
  );
  const input = fc.array(piece, { maxLength: 40 }).map((a) => a.join(''));
  const longInput = fc.array(piece, { maxLength: 3000 }).map((a) => a.join(''));

  for (const platform of PLATFORMS) {
    test(`${platform}: normalised absolute path or FsError('invalid-name'), host path inside the root`, () => {
      fc.assert(
        fc.property(fc.oneof(input, longInput), input, (raw, rawCwd) => {
          // A cwd is always something resolve produced before.
          let cwd = '/';
          try {
            cwd = resolveFtpPath('/', rawCwd, platform);
          } catch (err) {
            assert.ok(isFsError(err, 'invalid-name'));
          }
          let resolved: string;
          try {
            resolved = resolveFtpPath(cwd, raw, platform);
          } catch (err) {
            assert.ok(err instanceof FsError, String(err));
            assert.equal(err.code, 'invalid-name');
            return;
          }
          assertNormalised(resolved);
          // Normalising again changes nothing.
          assert.equal(resolveFtpPath('/', resolved, platform), resolved);
          assert.equal(resolveFtpPath('/somewhere/else', resolved, platform), resolved);
          const root = ROOTS[platform];
          const host = toHostPath(root, resolved, PATHS[platform]);
          assert.ok(isInside(root, host, PATHS[platform]), host);
          // A resolved path never names anything above the root.
          assert.ok(!PATHS[platform].relative(root, host).split(PATHS[platform].sep).includes('..'));
        }),
        { numRuns: FUZZ_RUNS },
      );
    });
  }

  test('posix and win32 agree whenever win32 accepts', () => {
    fc.assert(
      fc.property(input, (raw) => {
        let win: string;
        try {
          win = resolveFtpPath('/', raw, 'win32');
        } catch {
          return;
        }
        assert.equal(resolveFtpPath('/', raw, 'posix'), win);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  test('isInside with a separator boundary, for arbitrary names', () => {
    const name = fc.string({ minLength: 1, maxLength: 12 }).filter((s) => !/[\\/]/.test(s) && s !== '.' && s !== '..');
    fc.assert(
      fc.property(name, name, (a, b) => {
        const root = `/base/${a}`;
        const sibling = `/base/${a}${b}`;
        assert.equal(isInside(root, sibling, path.posix), false);
        assert.equal(isInside(root, `${root}/${b}`, path.posix), true);
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
