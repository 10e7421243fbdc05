/**
 * The real `openssl` tool, to check our certificates and TLS servers against.
 */
import { run, runOk } from './processes.js';

/** The OpenSSL command-line tool the tests compare against. */
export const opensslBinary = '/usr/bin/openssl';

/** Runs `openssl` with arguments, returning stdout; rejects with stderr in the message on failure. */
export function openssl(args: string[], cwd?: string): Promise<string> {
  return runOk(opensslBinary, args, { timeoutMs: 0, ...(cwd ? { cwd } : {}) });
}

/** Exit code and combined output of one `openssl s_client` run. */
export interface SClientResult {
  code: number;
  output: string;
}

/**
 * Connects `openssl s_client` to 127.0.0.1:`port` with extra arguments, stdin closed at once (so
 * it quits right after the handshake). `timeoutMs` 0 waits as long as it runs.
 */
export async function sClient(port: number, args: string[], timeoutMs = 0): Promise<SClientResult> {
  const result = await run(opensslBinary, ['s_client', '-connect', `127.0.0.1:${port}`, ...args], { input: '', timeoutMs });
  return { code: result.code, output: result.stdout + result.stderr };
}

/** What an FTPS handshake by `openssl s_client` negotiated; no protocol when it failed. */
export interface FtpsHandshake extends SClientResult {
  protocol?: string;
  cipher?: string;
}

/**
 * `openssl s_client` against an FTPS server (`-starttls ftp` for explicit mode), bounded to 15 s.
 * `DEFAULT@SECLEVEL=0` makes the client really offer TLS 1.0/1.1 when asked to, so a refusal is
 * the server's.
 */
export async function ftpsHandshake(port: number, mode: 'explicit' | 'implicit', args: string[]): Promise<FtpsHandshake> {
  const result = await sClient(port, [...(mode === 'explicit' ? ['-starttls', 'ftp'] : []), '-cipher', 'DEFAULT@SECLEVEL=0', ...args], 15_000);
  // "New, TLSv1.3, Cipher is TLS_AES_128_GCM_SHA256" (OpenSSL 3 summary line).
  const match = /(?:New|Reused), (TLSv[\d.]+|SSLv3), Cipher is (\S+)/.exec(result.output);
  const failed = match === null || match[2] === '(NONE)';
  return { ...result, ...(!failed ? { protocol: match[1]!, cipher: match[2]! } : {}) };
}
