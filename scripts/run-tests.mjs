#!/usr/bin/env node
// Runs every test/**/*.test.ts with node's test runner (TypeScript through tsx).
// Node 20's --test takes no globs, so the files are listed here. Pass paths to run a subset.
import { spawn } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import path from 'node:path';

async function findTests(dir) {
  const found = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...(await findTests(full)));
    else if (entry.name.endsWith('.test.ts')) found.push(full);
  }
  return found.sort();
}

const files = process.argv.length > 2 ? process.argv.slice(2) : await findTests('test');

/**
 * Tests that measure rates against wall time (bandwidth caps over seconds) run after the rest, one
 * file at a time: beside a Chromium suite on 2 cores their server was starved of event-loop turns
 * and moved less than the cap allows (3.37 of 4 MB/s in one CI run), which says nothing of the cap.
 */
const QUIET = new Set(['test/net/bandwidth-caps.test.ts'].map((file) => path.normalize(file)));
const busy = files.filter((file) => !QUIET.has(path.normalize(file)));
const quiet = files.filter((file) => QUIET.has(path.normalize(file)));

/** Runs node's test runner over `batch`; resolves its exit code. */
function runBatch(batch, concurrency) {
  // Nothing a test starts may advertise on this machine's network: only tests that make their own
  // network namespaces turn mDNS on, for their child processes there (see test/net/mdns.test.ts).
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=300000', ...batch],
    { stdio: 'inherit', env: { ...process.env, FTP_SHARE_NO_MDNS: '1' } },
  );
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1))));
}

let failed = false;
if (busy.length > 0) failed = (await runBatch(busy, 2)) !== 0;
if (quiet.length > 0) failed = (await runBatch(quiet, 1)) !== 0 || failed;
process.exit(failed ? 1 : 0);
