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
// Nothing a test starts may advertise on this machine's network: only tests that make their own
// network namespaces turn mDNS on, for their child processes there (see test/net/mdns.test.ts).
const child = spawn(
  process.execPath,
  ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=300000', ...files],
  { stdio: 'inherit', env: { ...process.env, FTP_SHARE_NO_MDNS: '1' } },
);
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
