/**
 * Shared helpers of the TLS tests: temp folders and the real `openssl` binary.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** The OpenSSL command-line tool the tests compare against. */
export const opensslBinary = '/usr/bin/openssl';

/** Runs `openssl` with arguments, returning stdout; rejects with stderr in the message on failure. */
export async function openssl(args: string[], cwd?: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(opensslBinary, args, { cwd, encoding: 'utf8' });
    return stdout;
  } catch (error) {
    const failure = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${failure.stderr ?? failure.message}`);
  }
}

/** A fresh temp folder, removed by the returned cleanup function. */
export async function makeTempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'ftp-share-tls-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Output of one `openssl s_client` run. */
export interface SClientResult {
  exitCode: number | null;
  output: string;
}

/**
 * Connects `openssl s_client` to a local port with extra arguments, closes stdin at once (so it
 * quits right after the handshake) and returns its exit code and combined output.
 */
export function sClient(port: number, args: string[]): Promise<SClientResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(opensslBinary, ['s_client', '-connect', `127.0.0.1:${port}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('close', (exitCode) => resolve({ exitCode, output }));
    child.stdin.end();
  });
}

/**
 * Asserts-friendly check that an error message is one clean line with none of a PEM key's body.
 * Returns the first problem found, or undefined.
 */
export function messageProblem(message: string, keyPem: string): string | undefined {
  if (message.includes('\n')) return 'message spans several lines';
  if (/\n\s+at /.test(message) || /\bat .+:\d+:\d+/.test(message)) return 'message holds a stack trace';
  if (message.includes('-----BEGIN')) return 'message holds a PEM block';
  const bodyLines = keyPem
    .split(/\r?\n/)
    .filter((line) => line.length >= 16 && !line.startsWith('-----') && !line.includes(':'));
  for (const line of bodyLines) {
    if (message.includes(line.slice(0, 16))) return 'message holds key material';
  }
  return undefined;
}
