/**
 * Temp folders for tests: always the real path (macOS keeps the temp dir behind the
 * /var → /private/var symlink), so comparisons with paths the server reports hold.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestContext } from 'node:test';

/** A fresh folder under the OS temp dir; remove it with `removeTempDir`. */
export async function makeTempDir(prefix = 'ftp-share-test-'): Promise<string> {
  return fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), prefix)));
}

/** Removes a folder and everything in it; missing is fine. */
export async function removeTempDir(dir: string): Promise<void> {
  await fs.rm(dir, { recursive: true, force: true });
}

/** A fresh temp folder removed when the test `t` ends. */
export async function tempDir(t: TestContext, prefix = 'ftp-share-test-'): Promise<string> {
  const dir = await makeTempDir(prefix);
  t.after(() => removeTempDir(dir));
  return dir;
}
