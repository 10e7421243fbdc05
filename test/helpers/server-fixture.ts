import fs from 'node:fs/promises';
import path from 'node:path';
import type { FtpServer } from '../../core/ftp/server.js';
import type { FtpServerOptions } from '../../core/ftp/options.js';
import type { ServerEventName, ServerEvents } from '../../core/ftp/events.js';
import { startShare } from '../../core/share/share-assembly.js';
import { makeTempDir, removeTempDir } from './temp.js';

/** A recorded server event. */
export type RecordedEvent = { [K in ServerEventName]: { type: K } & ServerEvents[K] }[ServerEventName];

/** A real server on 127.0.0.1 with an OS-chosen port, serving real temp folders. */
export interface ServerFixture {
  server: FtpServer;
  port: number;
  /** The shared folder (the first one with several). */
  root: string;
  roots: string[];
  events: RecordedEvent[];
  /** Stops the server and removes the temp folders. */
  close(): Promise<void>;
}

export interface FixtureOptions extends Partial<Omit<FtpServerOptions, 'authorizer'>> {
  readOnly?: boolean;
  username?: string;
  password?: string;
  /** How many shared folders (1 = physical root, more = virtual root). */
  folders?: number;
  /** Files to create, relative to the first root: content as string or Buffer. */
  files?: Record<string, string | Buffer>;
  authorizer?: FtpServerOptions['authorizer'];
}

/** Starts a server for one test (or one describe block). */
export async function startServer(options: FixtureOptions = {}): Promise<ServerFixture> {
  const { readOnly, username, password, folders = 1, files = {}, authorizer, ...serverOptions } = options;
  const roots: string[] = [];
  for (let i = 0; i < folders; i++) roots.push(await makeTempDir());
  for (const [name, content] of Object.entries(files)) {
    const full = path.join(roots[0]!, name);
    await fs.mkdir(path.dirname(full), { recursive: true });
    await fs.writeFile(full, content);
  }
  const events: RecordedEvent[] = [];
  const names: ServerEventName[] = [
    'listening', 'stopped', 'error', 'warning', 'session-opened', 'session-closed', 'login', 'login-failed', 'address-throttled', 'logout', 'command', 'reply',
    'session-changed', 'transfer-started', 'transfer-progress', 'transfer-completed', 'transfer-failed',
  ];
  const started = await startShare(
    {
      folders: roots,
      readOnly: readOnly ?? false,
      access: { ...(username ? { username } : {}), ...(password ? { password } : {}) },
      ftp: { host: '127.0.0.1', port: 0, loginFailureDelayMs: 50, ...serverOptions },
      ...(authorizer ? { authorizer: () => authorizer } : {}),
    },
    (source) => {
      for (const name of names) source.on(name, (payload) => events.push({ type: name, ...payload } as RecordedEvent));
      return () => undefined;
    },
  );
  if (!started.ok) throw new Error(`the test server did not start: ${started.failure.message}`);
  const server = started.share.ftp;
  const { port } = started.share.listening;
  return {
    server,
    port,
    root: roots[0]!,
    roots,
    events,
    async close() {
      await started.share.stop();
      for (const root of roots) await removeTempDir(root);
    },
  };
}
