/**
 * Contract completeness: every request of the contract is implemented by the ShareService and
 * dispatched by the web host (over a real WebSocket), REQUEST_NAMES and PUSH_EVENT_NAMES list
 * every name, and requestsFromCall (which the window, the preload and the web host build their
 * request objects with) makes one function per request. The Electron side's own tests:
 * test/electron/ipc.test.ts (a handler per name) and preload-api.test.ts (a function per name).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import WebSocket from 'ws';
import { requestsFromCall } from '../../core/share/contract-calls.js';
import {
  PUSH_EVENT_NAMES,
  REQUEST_NAMES,
  type PushEvents,
  type RequestName,
  type RequestParams,
  type Requests,
  type ServerFrame,
} from '../../core/share/contract.js';
import { ShareService } from '../../core/share/share-service.js';
import { startWebHost, webHostHandlers } from '../../core/web/web-host.js';
import { startService } from './share-service-fixture.js';
import { tempDir } from '../helpers/temp.js';
import { waitFor } from '../helpers/wait.js';

// Compile-time: the lists cover every key of Requests and PushEvents (contract.ts builds them from
// objects keyed by name, which also refuse an unknown one), and the ShareService has a method per
// request with the contract's type.
type MissingFromList = Exclude<keyof Requests, (typeof REQUEST_NAMES)[number]>;
const listIsComplete: [MissingFromList] extends [never] ? true : false = true;
type MissingEvents = Exclude<keyof PushEvents, (typeof PUSH_EVENT_NAMES)[number]>;
const eventsAreComplete: [MissingEvents] extends [never] ? true : false = true;
type ServiceHasAll = ShareService extends { [K in RequestName]: (params: RequestParams<K>) => Promise<unknown> } ? true : false;
const serviceHasAll: ServiceHasAll = true;

/** Requests only a desktop host can answer; the web host refuses them. */
const HOST_ONLY = new Set<RequestName>(['pickFolders', 'openFolder', 'copyText']);

test('REQUEST_NAMES lists every request once', () => {
  assert.equal(listIsComplete, true);
  assert.equal(serviceHasAll, true);
  assert.equal(new Set(REQUEST_NAMES).size, REQUEST_NAMES.length);
});

test('PUSH_EVENT_NAMES lists every pushed event once', () => {
  assert.equal(eventsAreComplete, true);
  assert.deepEqual([...PUSH_EVENT_NAMES].sort(), ['log', 'notice', 'sessions', 'settings', 'state', 'transfers']);
  assert.equal(new Set(PUSH_EVENT_NAMES).size, PUSH_EVENT_NAMES.length);
});

test('requestsFromCall: one function per request, each one call with its name and its one parameter', async () => {
  const calls: [RequestName, unknown][] = [];
  const requests = requestsFromCall(async (name, params) => {
    calls.push([name, params]);
    return { ok: true, value: name };
  });
  assert.deepEqual(Object.keys(requests), [...REQUEST_NAMES]);
  const asCalls = requests as unknown as Record<string, (params: unknown) => Promise<unknown>>;
  for (const name of REQUEST_NAMES) {
    assert.deepEqual(await asCalls[name]!({ for: name }), { ok: true, value: name });
  }
  assert.deepEqual(calls, REQUEST_NAMES.map((name) => [name, { for: name }]));
  await requests.getState(undefined);
  assert.deepEqual(calls.at(-1), ['getState', undefined]);
});

test('every request: implemented by the ShareService, dispatched by the web host', { timeout: 60_000 }, async (t) => {
  const f = await startService(t);
  const other = await tempDir(t);
  // One parameter per request; typed, so a new request fails to compile until it is listed here.
  const params: { [K in RequestName]: RequestParams<K> } = {
    getState: undefined,
    getSettings: undefined,
    updateSettings: { autoStopMinutes: 5 },
    start: undefined,
    stop: undefined,
    pickFolders: undefined,
    addFolder: { path: other },
    removeFolder: { path: other },
    openFolder: { path: f.root },
    copyText: { text: 'ftp://127.0.0.1:2121/' },
    generatePassword: undefined,
    getCertificate: undefined,
    regenerateCertificate: undefined,
    importCertificate: { certPath: '/nonexistent/cert.pem', keyPath: '/nonexistent/key.pem' },
    findFreePort: {},
    newSignInCode: undefined,
    listAddresses: undefined,
    kickSession: { sessionId: 's999' },
    getSessions: undefined,
    getTransfers: undefined,
    getLogs: undefined,
    clearLogs: undefined,
    clearFinishedTransfers: undefined,
    checkReachability: undefined,
  };

  // The service itself: a method per name, each resolving a Result (never throwing).
  for (const name of REQUEST_NAMES) {
    const method = (f.service as unknown as Record<string, unknown>)[name];
    assert.equal(typeof method, 'function', `ShareService.${name}`);
  }
  const handlers = webHostHandlers(f.service);
  assert.deepEqual(Object.keys(handlers).sort(), [...REQUEST_NAMES].sort());
  for (const name of REQUEST_NAMES) assert.equal(typeof handlers[name], 'function', `web host handler of ${name}`);

  const host = await startWebHost({ backend: f.service, rendererDir: other });
  t.after(() => host.close());
  const ws = new WebSocket(host.wsUrl);
  t.after(() => ws.terminate());
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  const responses = new Map<number, ServerFrame & { kind: 'response' }>();
  ws.on('message', (data) => {
    const frame = JSON.parse(String(data)) as ServerFrame;
    if (frame.kind === 'response') responses.set(frame.id, frame);
  });
  let id = 0;
  for (const name of REQUEST_NAMES) {
    const frameId = ++id;
    ws.send(JSON.stringify({ kind: 'request', id: frameId, name, params: params[name] }));
    await waitFor(() => responses.has(frameId), `a response to ${name}`, 20_000);
    const { result } = responses.get(frameId)!;
    assert.equal(typeof result.ok, 'boolean', `${name} answers a Result`);
    if (HOST_ONLY.has(name)) {
      assert.equal(!result.ok && result.code, 'unsupported', `${name} is unsupported in the web host`);
    } else {
      assert.ok(result.ok || result.code !== 'unsupported', `${name} is dispatched (got ${JSON.stringify(result)})`);
    }
  }
  // The ones that should succeed here did.
  const okNames = REQUEST_NAMES.filter((_name, i) => responses.get(i + 1)!.result.ok);
  for (const name of ['getState', 'getSettings', 'updateSettings', 'start', 'stop', 'addFolder', 'removeFolder', 'generatePassword', 'getCertificate', 'regenerateCertificate', 'findFreePort', 'listAddresses', 'getSessions', 'getTransfers', 'getLogs', 'clearLogs', 'clearFinishedTransfers'] as const) {
    assert.ok(okNames.includes(name), `${name} succeeded`);
  }
});
