/**
 * A folder tree as one comparable value, so "nothing on disk changed" is one deepEqual.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileSha256 } from './digests.js';

/**
 * Every entry below `dir`, symlinks not followed, keyed by its `/`-separated relative path:
 * `dir:MODE:MTIME`, `file:MODE:MTIME:SHA256` or `link:TARGET`. A file rewritten with the same
 * bytes still shows (its mtime moves), and so does a folder where an entry came and went.
 */
export async function snapshotTree(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  async function walk(current: string, rel: string): Promise<void> {
    for (const entry of await fs.readdir(current, { withFileTypes: true })) {
      const full = path.join(current, entry.name);
      const key = rel === '' ? entry.name : `${rel}/${entry.name}`;
      const st = await fs.lstat(full);
      const mode = (st.mode & 0o777).toString(8);
      if (st.isSymbolicLink()) out[key] = `link:${await fs.readlink(full)}`;
      else if (st.isDirectory()) {
        out[key] = `dir:${mode}:${st.mtimeMs}`;
        await walk(full, key);
      } else out[key] = `file:${mode}:${st.mtimeMs}:${await fileSha256(full)}`;
    }
  }
  await walk(dir, '');
  return out;
}
