import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { FsError, toFsError } from '../../core/fs/fs-error.js';

describe('toFsError', () => {
  const errno = (code: string): NodeJS.ErrnoException =>
    Object.assign(new Error(`${code}: failed, open '/secret/host/path'`), { code });

  test('maps errno codes to FsError codes with clean messages', () => {
    const table: [string, string][] = [
      ['ENOENT', 'not-found'],
      ['EEXIST', 'exists'],
      ['ENOTDIR', 'not-a-directory'],
      ['EISDIR', 'is-a-directory'],
      ['ENOTEMPTY', 'not-empty'],
      ['EACCES', 'permission-denied'],
      ['EPERM', 'permission-denied'],
      ['ENOSPC', 'no-space'],
      ['EDQUOT', 'no-space'],
      ['EBUSY', 'busy'],
      ['ENAMETOOLONG', 'invalid-name'],
      ['EINVAL', 'invalid-name'],
      ['EROFS', 'read-only'],
      ['ELOOP', 'io'],
      ['EIO', 'io'],
      ['EWHATEVER', 'io'],
    ];
    for (const [code, expected] of table) {
      const mapped = toFsError(errno(code));
      assert.equal(mapped.code, expected, code);
      assert.ok(!mapped.message.includes('/secret'), mapped.message);
    }
    assert.equal(toFsError(errno('EEXIST'), 'rmdir').code, 'not-empty');
    assert.equal(toFsError(new Error('no code')).code, 'io');
    assert.equal(toFsError('a string').code, 'io');
    const own = new FsError('busy', 'x');
    assert.equal(toFsError(own), own);
    assert.equal(toFsError(errno('ENOTEMPTY')).message, 'Directory not empty');
    assert.equal(toFsError(errno('ENOENT')).message, 'No such file or directory');
  });
});
