/**
 * Helpers of the ShareService tests: a service on real temp folders with a fixed address list,
 * a recorder of its pushes, a counting sink and Result unwrapping.
 */
import { writeFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { TestContext } from 'node:test';
import { Writable } from 'node:stream';
import { ShareService, type ShareServiceOptions } from '../../core/share/share-service.js';
import type { AddressSource } from '../../core/share/address-source.js';
import { SettingsStore } from '../../core/share/settings-store.js';
import { defaultSettings, type ShareSettings } from '../../core/share/settings.js';
import type { PushEventName, PushEvents } from '../../core/share/contract.js';
import type { CandidateAddress } from '../../core/net/addresses.js';
import { tempDir } from '../helpers/temp.js';

// Re-exported for test/web, which still imports them from here; their home is test/helpers.
export { tempDir } from '../helpers/temp.js';
export { waitFor } from '../helpers/wait.js';

/** One push as recorded: when (Date.now), which event, its payload. */
export interface RecordedPush {
  time: number;
  event: PushEventName;
  payload: unknown;
}

/** The loopback address only: tests connect to 127.0.0.1 and the URLs are predictable. */
export const LOOPBACK: CandidateAddress = {
  address: '127.0.0.1',
  family: 'IPv4',
  interfaceName: 'lo',
  kind: 'loopback',
  label: 'Loopback',
  rank: 0,
};

/** A fixed address source that counts its watchers, to prove they are closed. */
export function fixedAddresses(list: CandidateAddress[] = [LOOPBACK]): AddressSource & { open: number; closed: number } {
  const source = {
    open: 0,
    closed: 0,
    async list() {
      return list.map((c) => ({ ...c }));
    },
    watch() {
      source.open++;
      let done = false;
      return {
        close() {
          if (!done) source.closed++;
          done = true;
        },
      };
    },
  };
  return source;
}

export interface ServiceFixture {
  service: ShareService;
  /** The shared folder (created). */
  root: string;
  configDir: string;
  certificateDir: string;
  pushes: RecordedPush[];
  addresses: ReturnType<typeof fixedAddresses>;
  /** Pushed payloads of one event kind, in order. */
  pushed<E extends PushEventName>(event: E): PushEvents[E][];
}

export interface ServiceFixtureOptions {
  /** Settings saved before the service starts (merged over sane test defaults). */
  settings?: Partial<ShareSettings>;
  /** Files to create in the shared folder. */
  files?: Record<string, string | Buffer>;
  /** Raw text written as settings.json instead of saved settings. */
  rawSettingsFile?: string;
  service?: Partial<ShareServiceOptions>;
}

export const TEST_USER = 'phone';

/** A ShareService over temp folders; closed (and its folders removed) after the test. */
export async function startService(t: TestContext, options: ServiceFixtureOptions = {}): Promise<ServiceFixture> {
  const base = await tempDir(t, 'ftp-share-svc-');
  const root = path.join(base, 'shared');
  const configDir = path.join(base, 'config');
  const certificateDir = path.join(configDir, 'certificates');
  await mkdir(root);
  await mkdir(configDir);
  for (const [name, content] of Object.entries(options.files ?? {})) {
    const full = path.join(root, name);
    await mkdir(path.dirname(full), { recursive: true });
    await writeFile(full, content);
  }
  const store = new SettingsStore({ dir: configDir });
  if (options.rawSettingsFile !== undefined) {
    await writeFile(path.join(configDir, 'settings.json'), options.rawSettingsFile);
  } else {
    await store.save({ ...defaultSettings(), folders: [root], ...options.settings });
  }
  const addresses = fixedAddresses();
  const service = new ShareService({
    settingsStore: store,
    certificateDir,
    addressSource: addresses,
    serverOverrides: { host: '127.0.0.1', port: 0, loginFailureDelayMs: 20 },
    ...options.service,
  });
  const pushes: RecordedPush[] = [];
  service.onPush((event, payload) => pushes.push({ time: Date.now(), event, payload }));
  t.after(() => service.close());
  await service.ready();
  return {
    service,
    root,
    configDir,
    certificateDir,
    pushes,
    addresses,
    pushed: <E extends PushEventName>(event: E) => pushes.filter((p) => p.event === event).map((p) => p.payload as PushEvents[E]),
  };
}

/** A Writable that counts and drops what it gets. */
export function countingSink(): Writable & { bytes: number } {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
  }) as Writable & { bytes: number };
  sink.bytes = 0;
  return sink;
}

/** Unwraps an ok Result or fails the test with its message. */
export function unwrap<T>(result: { ok: true; value: T } | { ok: false; code: string; message: string }): T {
  if (!result.ok) throw new Error(`expected ok, got ${result.code}: ${result.message}`);
  return result.value;
}
