/**
 * Folder messages (core/share/folders.ts): a missing folder is "moved, renamed or on a disk that
 * is not connected?" only when it was shared before; a mistyped one just doesn't exist.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { rm } from 'node:fs/promises';
import { test } from 'node:test';
import { checkFolder, describeFolderError } from '../../core/share/folders.js';
import { startService } from './share-service-fixture.js';
import { tempDir } from '../helpers/temp.js';

const HINT = /was it moved, renamed or on a disk that is not connected\?/;

test('a folder that never existed gets no "was it moved" hint; one shared before does', async (t) => {
  const enoent = Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  assert.equal(describeFolderError(enoent, '/typo', 'linux').message, "The folder /typo doesn't exist");
  assert.match(describeFolderError(enoent, '/gone', 'linux', true).message, HINT);

  const dir = await tempDir(t);
  const missing = path.join(dir, 'never-there');
  assert.equal((await checkFolder(missing))?.message, `The folder ${missing} doesn't exist`);
  assert.match((await checkFolder(missing, process.platform, true))?.message ?? '', HINT);
});

test('the ShareService: adding a mistyped folder has no hint; starting with a saved folder that vanished has it', { timeout: 30_000 }, async (t) => {
  const f = await startService(t);
  const typo = path.join(f.root, 'no-such-folder');
  const added = await f.service.addFolder({ path: typo });
  assert.equal(added.ok, false);
  assert.equal(!added.ok && added.message, `The folder ${typo} doesn't exist`);

  await rm(f.root, { recursive: true });
  const started = await f.service.start();
  assert.equal(started.ok, false);
  assert.match(!started.ok ? started.message : '', HINT);
});
