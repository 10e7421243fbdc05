/**
 * mDNS / DNS-SD for real, between two network namespaces of this test's own (never on the
 * machine's interfaces): a browser in the other namespace finds the FTP and web services with
 * their ports and TXT, hears them go (goodbye packets) when advertising stops, and hears nothing
 * at all when FTP_SHARE_NO_MDNS=1.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLan, inNamespace, netnsUnavailable, type LanLink } from '../helpers/netns.js';
import { cliCommand, repoRoot, runOk, startProcess } from '../helpers/processes.js';
import { makeTempDir, removeTempDir } from '../helpers/temp.js';
import { sleep, waitFor } from '../helpers/wait.js';
import { advertisingDisabled, hostLabel, instanceName } from '../../core/net/mdns.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const unavailable = await netnsUnavailable();

interface Heard {
  ptr: boolean;
  goodbye: boolean;
  type?: string;
  port?: number;
  target?: string;
  txt?: string[];
}

/** Starts the advertiser in the server namespace; resolves with its first line and a stop function. */
async function startAdvertiser(lan: LanLink, env: NodeJS.ProcessEnv): Promise<{ announced: Record<string, string> | null; stop: () => Promise<void> }> {
  const advertiser = startProcess('ip', ['netns', 'exec', lan.serverNs, process.execPath, '--import', 'tsx', path.join(here, 'fixtures/advertise.ts')], {
    cwd: repoRoot,
    env,
    killAfterMs: 60_000,
  });
  const line = await advertiser.waitForLine(() => true, 60_000);
  return {
    announced: (JSON.parse(line) as { announced: Record<string, string> | null }).announced,
    stop: async () => {
      await advertiser.stop('SIGTERM', 60_000);
    },
  };
}

interface Browsed {
  services: Record<string, Heard>;
  /** Every mDNS packet from the other host: queries and probes too. */
  packetsFromOthers: number;
}

function browse(lan: LanLink, durationMs: number): Promise<Browsed> {
  return inNamespace(lan.clientNs, process.execPath, [path.join(here, 'fixtures/browse.mjs'), lan.clientAddress, String(durationMs)], durationMs + 20_000).then(
    (result) => {
      assert.equal(result.code, 0, result.stderr);
      return JSON.parse(result.stdout.trim()) as Browsed;
    },
  );
}

describe('advertising a share by name (mDNS/DNS-SD)', { skip: unavailable }, () => {
  let lan: LanLink;
  const env = { ...process.env };
  delete env['FTP_SHARE_NO_MDNS'];
  before(async () => {
    lan = await createLan(`md${process.pid % 100000}`);
  });
  after(() => lan?.destroy());

  it('a browser on the other host finds both services with their ports and TXT, then sees them go', async () => {
    const advertiser = await startAdvertiser(lan, env);
    try {
      assert.match(advertiser.announced?.['http'] ?? '', /^ftp-share-[a-z0-9-]+\.local$/);
      assert.match(advertiser.announced?.['ftp'] ?? '', /^ftp-share-[a-z0-9-]+-ftp\.local$/);
      const heard = (await browse(lan, 3000)).services;
      const ftp = heard['FTP Share on test-host._ftp._tcp.local'];
      const http = heard['FTP Share on test-host._http._tcp.local'];
      assert.ok(ftp?.ptr && http?.ptr, `both services are listed: ${JSON.stringify(heard)}`);
      assert.equal(ftp.port, 2121);
      assert.equal(http.port, 8080);
      assert.deepEqual([...(ftp.txt ?? [])].sort(), ['path=/', 'u=alice']);
      assert.deepEqual(http.txt, ['path=/']);
      assert.equal(ftp.target, advertiser.announced?.['ftp']);
      assert.equal(http.target, advertiser.announced?.['http']);
      // Goodbye packets: a browser listening while advertising stops hears TTL 0 for both.
      const listening = browse(lan, 4000);
      await sleep(1500);
      await advertiser.stop();
      const after = (await listening).services;
      assert.ok(after['FTP Share on test-host._ftp._tcp.local']?.goodbye, `ftp goodbye: ${JSON.stringify(after)}`);
      assert.ok(after['FTP Share on test-host._http._tcp.local']?.goodbye, `http goodbye: ${JSON.stringify(after)}`);
    } finally {
      await advertiser.stop();
    }
  });

  it('FTP_SHARE_NO_MDNS=1: nothing is advertised and nothing is heard', async () => {
    const listening = browse(lan, 3000);
    const advertiser = await startAdvertiser(lan, { ...env, FTP_SHARE_NO_MDNS: '1' });
    try {
      assert.equal(advertiser.announced, null);
      assert.deepEqual(await listening, { services: {}, packetsFromOthers: 0 });
    } finally {
      await advertiser.stop();
    }
  });
});

describe('the CLI advertises by name unless told not to', { skip: unavailable }, () => {
  let lan: LanLink;
  let folder: string;
  const env = { ...process.env };
  delete env['FTP_SHARE_NO_MDNS'];
  before(async () => {
    lan = await createLan(`mc${process.pid % 100000}`);
    folder = await makeTempDir('ftp-share-mdns-');
  });
  after(async () => {
    await lan?.destroy();
    if (folder) await removeTempDir(folder);
  });

  /** Runs `ftp-share --json --port 0 [extra] FOLDER` in the server namespace while a browser listens. */
  async function heardWhileSharing(extra: string[], childEnv: NodeJS.ProcessEnv): Promise<{ port: number; heard: Browsed }> {
    const [node, argv] = cliCommand(['--json', '--port', '0', ...extra, folder]);
    const cli = startProcess('ip', ['netns', 'exec', lan.serverNs, node, ...argv], { cwd: repoRoot, env: childEnv, killAfterMs: 60_000 });
    try {
      const port = (JSON.parse(await cli.waitForLine(() => true, 60_000)) as { port: number }).port;
      return { port, heard: await browse(lan, 3000) };
    } finally {
      await cli.stop('SIGTERM', 60_000);
    }
  }

  it('without the variable: the FTP service is found with its port', async () => {
    const { port, heard } = await heardWhileSharing([], env);
    assert.ok(heard.packetsFromOthers > 0);
    const ftp = heard.services[`${instanceName()}._ftp._tcp.local`];
    assert.ok(ftp?.ptr, JSON.stringify(heard));
    assert.equal(ftp.port, port);
    assert.deepEqual(ftp.txt, ['path=/']);
  });

  it('FTP_SHARE_NO_MDNS=1 and --no-mdns: nothing at all is sent to the mDNS group', async () => {
    assert.deepEqual((await heardWhileSharing([], { ...env, FTP_SHARE_NO_MDNS: '1' })).heard, { services: {}, packetsFromOthers: 0 });
    assert.deepEqual((await heardWhileSharing(['--no-mdns'], env)).heard, { services: {}, packetsFromOthers: 0 });
  });
});

describe('a share re-announces when the interfaces change', { skip: unavailable }, () => {
  let lan: LanLink;
  const env = { ...process.env };
  delete env['FTP_SHARE_NO_MDNS'];
  before(async () => {
    lan = await createLan(`mr${process.pid % 100000}`);
  });
  after(() => lan?.destroy());

  it('an address that appears after the start is announced on once the app says the interfaces changed', async () => {
    // The LAN address appears only after the share started (Wi-Fi joined later).
    await runOk('ip', ['-n', lan.serverNs, 'addr', 'flush', 'dev', lan.serverIf]);
    const child = spawn('ip', ['netns', 'exec', lan.serverNs, process.execPath, '--import', 'tsx', path.join(here, 'fixtures/share-advertised.ts')], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      await waitFor(() => out.includes('"port"'), 'the share to listen', 20_000);
      const port = (JSON.parse(out.split('\n').find((l) => l.startsWith('{"port"'))!) as { port: number }).port;
      await runOk('ip', ['-n', lan.serverNs, 'addr', 'add', `${lan.serverAddress}/24`, 'dev', lan.serverIf]);
      child.kill('SIGUSR2');
      await waitFor(() => out.includes('reannounced'), 'the re-announcement', 20_000);
      const heard = await browse(lan, 3000);
      const ftp = heard.services[`${instanceName()}._ftp._tcp.local`];
      assert.ok(ftp?.ptr, JSON.stringify(heard));
      assert.equal(ftp.port, port);
    } finally {
      child.kill('SIGTERM');
      await exited;
      clearTimeout(killer);
    }
  });
});

describe('mDNS names and the switch', () => {
  it('instance names say whose share it is; host labels are DNS-safe and our own', () => {
    assert.equal(instanceName('MacBook-Pro.local'), 'FTP Share on MacBook-Pro');
    assert.equal(hostLabel('MacBook Pro (2).lan'), 'ftp-share-macbook-pro-2');
    assert.equal(hostLabel('MacBook Pro (2).lan', 'ftp'), 'ftp-share-macbook-pro-2-ftp');
    assert.equal(hostLabel('---'), 'ftp-share-host');
  });
  it('FTP_SHARE_NO_MDNS: set and not "0" turns advertising off', () => {
    assert.equal(advertisingDisabled({}), false);
    assert.equal(advertisingDisabled({ FTP_SHARE_NO_MDNS: '1' }), true);
    assert.equal(advertisingDisabled({ FTP_SHARE_NO_MDNS: '0' }), false);
  });
});
