/**
 * The connection limits of the settings, through the ShareService with real sockets: the
 * connection beyond the per-device limit is turned away (FTP's 421, the web page's close) and
 * logged, and a change restarts the share with the new limits, the total one included.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { ControlClient } from '../helpers/control-client.js';
import { connectOnly, waitClosed } from '../helpers/ftp-flows.js';
import { onceEvent, waitFor } from '../helpers/wait.js';
import { startService, unwrap } from './share-service-fixture.js';

/** Resolves once the server closes `socket` (it is read, so the close is seen). */
function closedByServer(socket: net.Socket): Promise<void> {
  socket.on('error', () => undefined);
  socket.resume();
  return new Promise((resolve) => socket.once('close', () => resolve()));
}

test('the limits of the settings: the connection beyond them is turned away; a change restarts with the new ones', { timeout: 30_000 }, async (t) => {
  const f = await startService(t, { settings: { maxConnections: 3, maxConnectionsPerAddress: 2 } });
  const state = unwrap(await f.service.start());
  let port = state.port!;
  const clients: ControlClient[] = [];
  t.after(() => clients.forEach((c) => c.close()));
  const connected = async (): Promise<ControlClient> => {
    const client = await connectOnly(port);
    clients.push(client);
    return client;
  };
  const refused = async (): Promise<string[]> => {
    const client = await ControlClient.connect(port);
    clients.push(client);
    const { lines } = await client.reply();
    await waitClosed(client);
    return lines;
  };

  // FTP: two from 127.0.0.1, the third is turned away, and the log says which limit.
  const first = await connected();
  await connected();
  assert.deepEqual(await refused(), ['421 Too many connections from your address, try again later']);
  await waitFor(async () => unwrap(await f.service.getLogs()).some((e) => e.level === 'warn' && e.text === 'Refused a connection from 127.0.0.1: the limit of 2 connections from one address is reached'), 'the log line');

  // The web page has the same limits, counted apart from FTP's.
  const webPort = state.web!.port;
  const held: net.Socket[] = [];
  t.after(() => held.forEach((s) => s.destroy()));
  for (let i = 0; i < 3; i++) {
    const socket = net.connect(webPort, '127.0.0.1');
    held.push(socket);
    await onceEvent(socket, 'connect');
  }
  await closedByServer(held[2]!);
  assert.ok(!held[0]!.destroyed && !held[1]!.destroyed, 'the first two stay');

  // A change restarts sharing (the sessions end) with the new limits: now the total one bites first.
  unwrap(await f.service.updateSettings({ maxConnectionsPerAddress: 3 }));
  await waitClosed(first);
  const logs = unwrap(await f.service.getLogs()).map((e) => e.text);
  assert.ok(logs.includes('Settings changed: maxConnectionsPerAddress'), logs.join('\n'));
  assert.ok(logs.some((text) => text.startsWith('Restarting sharing')));
  const restarted = unwrap(await f.service.getState());
  assert.equal(restarted.status, 'running');
  port = restarted.port!;
  for (let i = 0; i < 3; i++) await connected();
  assert.deepEqual(await refused(), ['421 Too many connections, try again later']);
});
