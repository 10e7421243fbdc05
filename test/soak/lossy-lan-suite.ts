/**
 * The lossy-LAN suite, shared by the quick variant (test/hardening/lossy-lan.test.ts, 8 MiB) and
 * the soak one (test/soak/lossy-lan.soak.ts, 64 MiB): our server in one network namespace, curl in
 * another, an impaired veth link between them (see test/helpers/netns.ts). Downloads and uploads,
 * plain and FTPS, must arrive intact (SHA-256); a cable cut mid-transfer must end with the session
 * closed on the server within its timeouts (seen as `session-closed` in its JSON output).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { fileSha256 } from '../helpers/digests.js';
import { run, startProcess, type RunningProcess } from '../helpers/processes.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { createLan, inNamespace, netnsUnavailable, type LanLink } from '../helpers/netns.js';

const SERVER_SCRIPT = path.resolve('test/soak/ns-server.ts');

/** Server timeouts: short, so a cut cable is noticed within seconds. */
const IDLE_MS = 3000;
const STALL_MS = 2000;

/** A server process inside the server namespace, with its JSON events. */
interface NsServer {
  process: RunningProcess;
  port: number;
  /** Every JSON line it printed so far. */
  readonly events: Array<Record<string, unknown> & { type: string }>;
}

async function startNsServer(link: LanLink, root: string): Promise<NsServer> {
  const child = startProcess(
    'ip',
    ['netns', 'exec', link.serverNs, process.execPath, '--import', 'tsx', SERVER_SCRIPT, root, '--host', link.serverAddress,
      '--ftps', 'explicit', '--idle', String(IDLE_MS), '--stall', String(STALL_MS), '--data-timeout', '5000'],
    { killAfterMs: 3_600_000 },
  );
  const parse = (line: string): NsServer['events'] => {
    try {
      return [JSON.parse(line) as NsServer['events'][number]];
    } catch {
      return [];
    }
  };
  const listening = parse(await child.waitForLine((line) => parse(line)[0]?.type === 'listening', 30_000))[0]!;
  return {
    process: child,
    port: listening.port as number,
    get events() {
      return child.lines.flatMap(parse);
    },
  };
}

export interface LossyLanOptions {
  /** Size of each transfer. */
  sizeMiB: number;
}

/** Defines the suite (call at the top level of a test file; it awaits the environment probe). */
export async function defineLossyLanSuite(options: LossyLanOptions): Promise<void> {
  const unavailable = (await netnsUnavailable()) ?? (await inNamespaceProbe());
  if (unavailable) console.log(`# lossy-LAN tests skipped: ${unavailable}`);

  describe(`lossy LAN (${options.sizeMiB} MiB, namespaces)`, { skip: unavailable ?? false }, () => {
    let link: LanLink;
    let server: NsServer;
    let work: string;
    let serverRoot: string;
    let clientDir: string;
    let payloadSha = '';

    before(async () => {
      work = await makeTempDir('ftp-share-lan-');
      serverRoot = path.join(work, 'share');
      clientDir = path.join(work, 'client');
      await fs.mkdir(serverRoot);
      await fs.mkdir(clientDir);
      // Random bytes, 1 MiB at a time, so a reordered or dropped segment can't compare equal.
      const handle = await fs.open(path.join(serverRoot, 'big.bin'), 'w');
      for (let i = 0; i < options.sizeMiB; i++) await handle.write(randomBytes(1024 * 1024));
      await handle.close();
      await fs.copyFile(path.join(serverRoot, 'big.bin'), path.join(clientDir, 'up.bin'));
      // Sparse and far larger than every socket buffer on the way, so a download of it is surely
      // still running when the cable is cut (the server would otherwise have handed it all to the kernel).
      await fs.writeFile(path.join(serverRoot, 'endless.bin'), '');
      await fs.truncate(path.join(serverRoot, 'endless.bin'), 1024 ** 3);
      payloadSha = await fileSha256(path.join(serverRoot, 'big.bin'));
      link = await createLan();
      await link.impair();
      console.log(`# lossy LAN impairment: ${link.impairment}`);
      server = await startNsServer(link, serverRoot);
    });

    after(async () => {
      await server?.process.stop();
      await link?.destroy();
      if (work) await removeTempDir(work);
    });

    const url = (name: string) => `ftp://${link.serverAddress}:${server.port}/${name}`;
    const curl = (args: string[], timeoutMs = 600_000) =>
      inNamespace(link.clientNs, 'curl', ['-sS', '--user', 'anonymous:lan', '--connect-timeout', '20', '--max-time', String(timeoutMs / 1000), ...args], timeoutMs + 5000);

    test(`${options.sizeMiB} MiB down and up, plain FTP and FTPS, intact through the impaired link`, async (t) => {
      if (link.impairment.startsWith('none')) {
        t.skip(`no impairment available: ${link.impairment}`);
        return;
      }
      for (const mode of ['plain', 'ftps'] as const) {
        const tlsArgs = mode === 'ftps' ? ['--ssl-reqd', '-k'] : [];
        const down = path.join(clientDir, `down-${mode}.bin`);
        let started = Date.now();
        const got = await curl([...tlsArgs, '-o', down, url('big.bin')]);
        assert.equal(got.code, 0, `${mode} download: ${got.stderr}`);
        assert.equal(await fileSha256(down), payloadSha, `${mode} download intact`);
        const downSeconds = (Date.now() - started) / 1000;
        started = Date.now();
        const put = await curl([...tlsArgs, '-T', path.join(clientDir, 'up.bin'), url(`up-${mode}.bin`)]);
        assert.equal(put.code, 0, `${mode} upload: ${put.stderr}`);
        assert.equal(await fileSha256(path.join(serverRoot, `up-${mode}.bin`)), payloadSha, `${mode} upload intact`);
        const upSeconds = (Date.now() - started) / 1000;
        console.log(
          `# lossy LAN ${mode}: ${options.sizeMiB} MiB down ${downSeconds.toFixed(1)} s (${(options.sizeMiB / downSeconds).toFixed(1)} MiB/s), ` +
            `up ${upSeconds.toFixed(1)} s (${(options.sizeMiB / upSeconds).toFixed(1)} MiB/s), SHA-256 match`,
        );
        await fs.rm(down);
      }
      assert.deepEqual(server.events.filter((e) => e.type === 'error'), []);
      assert.deepEqual(server.events.filter((e) => e.type === 'transfer-failed'), []);
    });

    test('a cable cut mid-download: the server closes the session within its timeouts', async () => {
      const before = server.events.length;
      // Rate-limited, so the transfer is surely running when the cable goes.
      const download = spawn(
        'ip',
        ['netns', 'exec', link.clientNs, 'curl', '-sS', '--user', 'anonymous:lan', '--limit-rate', '1M', '-o', '/dev/null', url('endless.bin')],
        { stdio: 'ignore' },
      );
      try {
        const started = await waitForEvent(server, before, (e) => e.type === 'transfer-started', 20_000);
        await sleep(1000);
        const cutAt = Date.now();
        await link.cut();
        const closed = await waitForEvent(server, before, (e) => e.type === 'session-closed' && e.sessionId === started.sessionId, 30_000);
        const seconds = ((closed.time as number) - cutAt) / 1000;
        const failed = server.events.slice(before).find((e) => e.type === 'transfer-failed');
        console.log(
          `# lossy LAN cable cut: transfer ${failed ? `failed (${String(failed.reason)}) after ${(((failed.time as number) - cutAt) / 1000).toFixed(1)} s` : 'not reported'}, ` +
            `session closed after ${seconds.toFixed(1)} s (${String(closed.reason)})`,
        );
        assert.ok(failed && failed.reason === 'stalled', `the transfer is aborted as stalled: ${JSON.stringify(server.events.slice(before).map((e) => e.type))}`);
        // Stall timeout, then the idle timeout, then the 2 s grace for an unread 421; plus margin.
        assert.ok(seconds <= (STALL_MS + IDLE_MS + 2000) / 1000 + 5, `closed after ${seconds} s`);
        assert.deepEqual(server.events.filter((e) => e.type === 'error'), []);
      } finally {
        download.kill('SIGKILL');
      }
    });
  });
}

/** Why curl can't be the client here, or undefined when it can. */
async function inNamespaceProbe(): Promise<string | undefined> {
  return (await run('curl', ['--version'])).code === 0 ? undefined : 'curl is not installed';
}

/** The first server event since `from` that `match` accepts. */
function waitForEvent(
  server: NsServer,
  from: number,
  match: (e: NsServer['events'][number]) => boolean,
  timeoutMs: number,
): Promise<NsServer['events'][number]> {
  return waitFor(
    () => server.events.slice(from).find(match),
    () => `a server event; got ${JSON.stringify(server.events.slice(from).map((e) => e.type))}`,
    timeoutMs,
  );
}
