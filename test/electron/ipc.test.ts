import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import {
  REQUEST_NAMES,
  type PushEventName,
  type PushEvents,
  type PushListener,
  type RequestFunctions,
  type Result,
} from '../../core/share/contract.js';
import type { ShareBackend } from '../../electron/backend.js';
import { EVENT_CHANNEL, requestChannel } from '../../electron/channels.js';
import {
  bindRequestHandlers,
  createAppFrameCheck,
  forwardPushEvents,
  isAppPageUrl,
  REFUSED_SENDER,
} from '../../electron/ipc.js';
import { FakeIpcMain, FakeWebContents, fakeFrame, invokeEvent } from './fakes.js';

const INDEX = path.resolve('/opt/FTP Share/resources/app.asar/dist/renderer/index.html');
const INDEX_URL = pathToFileURL(INDEX).href;
const APP_CONTENTS_ID = 7;

/** A RequestFunctions whose every request answers `{ ok: true, value: { name, params } }` and records the call. */
function recordingRequests(): { requests: RequestFunctions; calls: { name: string; params: unknown }[] } {
  const calls: { name: string; params: unknown }[] = [];
  const requests = {} as Record<string, (params: unknown) => Promise<Result<unknown>>>;
  for (const name of REQUEST_NAMES) {
    requests[name] = async (params) => {
      calls.push({ name, params });
      return { ok: true, value: { name, params } };
    };
  }
  return { requests: requests as unknown as RequestFunctions, calls };
}

function bind(requests: RequestFunctions, onHandlerError?: (name: string, error: unknown) => void) {
  const ipcMain = new FakeIpcMain();
  const unbind = bindRequestHandlers({
    ipcMain,
    requests,
    isTrustedSender: createAppFrameCheck({ getAppContents: () => ({ id: APP_CONTENTS_ID }), indexHtmlPath: INDEX, platform: 'linux' }),
    ...(onHandlerError ? { onHandlerError } : {}),
  });
  return { ipcMain, unbind };
}

const trusted = () => invokeEvent(APP_CONTENTS_ID, fakeFrame(INDEX_URL));

describe('bindRequestHandlers', () => {
  it('registers a handler on ftp-share:<name> for every request name, and nothing else', () => {
    const { ipcMain } = bind(recordingRequests().requests);
    assert.equal(ipcMain.handlers.size, REQUEST_NAMES.length);
    for (const name of REQUEST_NAMES) assert.ok(ipcMain.handlers.has(`ftp-share:${name}`), `no handler for ${name}`);
    assert.equal(requestChannel('getState'), 'ftp-share:getState');
    assert.ok(!ipcMain.handlers.has(EVENT_CHANNEL));
  });

  it('passes the one parameter to the request and returns its result', async () => {
    const { requests, calls } = recordingRequests();
    const { ipcMain } = bind(requests);
    for (const name of REQUEST_NAMES) {
      const params = { probe: name };
      // Extra arguments from a page are ignored.
      const result = await ipcMain.invoke(requestChannel(name), trusted(), params, 'extra');
      assert.deepEqual(result, { ok: true, value: { name, params } });
    }
    assert.deepEqual(calls.map((c) => c.name), [...REQUEST_NAMES]);
  });

  it('calls a class-based implementation with its own `this`', async () => {
    class Service {
      readonly secret = 'mine';
    }
    for (const name of REQUEST_NAMES) {
      (Service.prototype as unknown as Record<string, unknown>)[name] = async function (this: Service) {
        return { ok: true, value: this.secret };
      };
    }
    const { ipcMain } = bind(new Service() as unknown as RequestFunctions);
    for (const name of REQUEST_NAMES) {
      assert.deepEqual(await ipcMain.invoke(requestChannel(name), trusted()), { ok: true, value: 'mine' });
    }
  });

  it('refuses a call from another web contents, an iframe, a navigated frame, or another page', async () => {
    const { requests, calls } = recordingRequests();
    const { ipcMain } = bind(requests);
    const foreign = [
      invokeEvent(APP_CONTENTS_ID + 1, fakeFrame(INDEX_URL)), // another window
      invokeEvent(APP_CONTENTS_ID, fakeFrame(INDEX_URL, fakeFrame(INDEX_URL))), // a subframe
      invokeEvent(APP_CONTENTS_ID, null), // frame gone (navigated or destroyed)
      invokeEvent(APP_CONTENTS_ID, fakeFrame('https://evil.example/index.html')),
      invokeEvent(APP_CONTENTS_ID, fakeFrame(pathToFileURL('/tmp/index.html').href)),
      invokeEvent(APP_CONTENTS_ID, fakeFrame(`${INDEX_URL.replace('index.html', 'other.html')}`)),
      invokeEvent(APP_CONTENTS_ID, fakeFrame('devtools://devtools/bundled/index.html')),
    ];
    for (const event of foreign) {
      for (const name of REQUEST_NAMES) {
        assert.deepEqual(await ipcMain.invoke(requestChannel(name), event, { path: '/etc' }), REFUSED_SENDER);
      }
    }
    assert.equal(calls.length, 0, 'no refused call reached the service');
    assert.equal(REFUSED_SENDER.ok, false);
    assert.equal(!REFUSED_SENDER.ok && REFUSED_SENDER.code, 'unsupported');
  });

  it('refuses everything while the app has no window', async () => {
    const { requests, calls } = recordingRequests();
    const ipcMain = new FakeIpcMain();
    bindRequestHandlers({
      ipcMain,
      requests,
      isTrustedSender: createAppFrameCheck({ getAppContents: () => null, indexHtmlPath: INDEX, platform: 'linux' }),
    });
    assert.deepEqual(await ipcMain.invoke('ftp-share:getState', trusted()), REFUSED_SENDER);
    assert.equal(calls.length, 0);
  });

  it('accepts the page with a hash or query (client-side routing)', async () => {
    const { requests } = recordingRequests();
    const { ipcMain } = bind(requests);
    const result = await ipcMain.invoke('ftp-share:getLogs', invokeEvent(APP_CONTENTS_ID, fakeFrame(`${INDEX_URL}?x=1#/logs`)));
    assert.equal((result as Result<unknown>).ok, true);
  });

  it('turns a thrown error into an internal failure and reports it', async () => {
    const { requests } = recordingRequests();
    const reported: [string, unknown][] = [];
    const boom = new Error('disk on fire: /home/user/secret');
    (requests as unknown as Record<string, unknown>)['start'] = async () => {
      throw boom;
    };
    const { ipcMain } = bind(requests, (name, error) => reported.push([name, error]));
    const result = (await ipcMain.invoke('ftp-share:start', trusted())) as Result<unknown>;
    assert.equal(result.ok, false);
    assert.equal(!result.ok && result.code, 'internal');
    assert.ok(!result.ok && !result.message.includes('secret'), 'the internal message is not passed to the page');
    assert.deepEqual(reported, [['start', boom]]);
  });

  it('throws at bind time when a request has no implementation', () => {
    const { requests } = recordingRequests();
    delete (requests as unknown as Record<string, unknown>)['kickSession'];
    assert.throws(() => bind(requests), /kickSession/);
  });

  it('removes every handler with the returned function', () => {
    const { ipcMain, unbind } = bind(recordingRequests().requests);
    unbind();
    assert.equal(ipcMain.handlers.size, 0);
  });
});

describe('forwardPushEvents', () => {
  function pushSource() {
    const listeners = new Set<PushListener>();
    const source: Pick<ShareBackend, 'onPush'> = {
      onPush(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
    const emit = <E extends PushEventName>(event: E, payload: PushEvents[E]) => {
      for (const listener of listeners) listener(event, payload);
    };
    return { source, emit, listeners };
  }

  it('sends every event to the window as (ftp-share:event, event, payload)', () => {
    const { source, emit } = pushSource();
    const contents = new FakeWebContents();
    forwardPushEvents(source, () => contents);
    const state: PushEvents['state'] = { status: 'running', urls: [], sessionCount: 2, url: 'ftp://192.168.1.2:2121' };
    emit('state', state);
    emit('log', [{ id: 1, time: 5, level: 'info', text: 'hello' }]);
    emit('notice', { level: 'warn', text: 'careful' });
    assert.deepEqual(contents.sent, [
      ['ftp-share:event', 'state', state],
      ['ftp-share:event', 'log', [{ id: 1, time: 5, level: 'info', text: 'hello' }]],
      ['ftp-share:event', 'notice', { level: 'warn', text: 'careful' }],
    ]);
  });

  it('drops events while there is no live window, and follows a new one', () => {
    const { source, emit } = pushSource();
    let target: FakeWebContents | null = null;
    forwardPushEvents(source, () => target);
    emit('notice', { level: 'info', text: 'nobody listens' });
    const first = new FakeWebContents();
    target = first;
    first.destroyed = true;
    emit('notice', { level: 'info', text: 'destroyed' });
    assert.equal(first.sent.length, 0);
    const second = new FakeWebContents(2);
    target = second;
    emit('notice', { level: 'info', text: 'seen' });
    assert.deepEqual(second.sent, [['ftp-share:event', 'notice', { level: 'info', text: 'seen' }]]);
  });

  it('stops with the returned unsubscribe', () => {
    const { source, emit, listeners } = pushSource();
    const contents = new FakeWebContents();
    const unsubscribe = forwardPushEvents(source, () => contents);
    unsubscribe();
    emit('notice', { level: 'info', text: 'late' });
    assert.equal(contents.sent.length, 0);
    assert.equal(listeners.size, 0);
  });
});

describe('isAppPageUrl', () => {
  it('matches our index.html on POSIX, with encoded characters, query and hash', () => {
    assert.ok(isAppPageUrl('file:///opt/FTP%20Share/dist/renderer/index.html', '/opt/FTP Share/dist/renderer/index.html', 'linux'));
    assert.ok(isAppPageUrl('file:///opt/app/dist/renderer/index.html#/settings', '/opt/app/dist/renderer/index.html', 'darwin'));
    assert.ok(isAppPageUrl('file:///opt/%C3%A9t%C3%A9/index.html', '/opt/été/index.html', 'linux'));
  });

  it('refuses other files, other schemes, hosts and traversal tricks on POSIX', () => {
    const index = '/opt/app/dist/renderer/index.html';
    assert.ok(!isAppPageUrl('file:///opt/app/dist/renderer/other.html', index, 'linux'));
    assert.ok(!isAppPageUrl('file:///OPT/app/dist/renderer/index.html', index, 'linux'), 'case matters on Linux');
    assert.ok(!isAppPageUrl('http://opt/app/dist/renderer/index.html', index, 'linux'));
    assert.ok(!isAppPageUrl('file://evil.example/opt/app/dist/renderer/index.html', index, 'linux'));
    assert.ok(!isAppPageUrl('file:///opt/app/dist/renderer/sub/..%2F..%2Findex.html', index, 'linux'));
    assert.ok(!isAppPageUrl('file:///opt/app/dist/renderer/sub/..%2Findex.html', index, 'linux'));
    assert.ok(!isAppPageUrl('file:///opt/app/dist/renderer/index.html%00', index, 'linux'));
    assert.ok(!isAppPageUrl('not a url', index, 'linux'));
    assert.ok(!isAppPageUrl('file:///opt/app/dist/renderer/%E0%A4%A.html', index, 'linux'));
  });

  it('compares Windows paths case-insensitively, with drive letters and UNC shares', () => {
    const index = 'C:\\Program Files\\FTP Share\\resources\\app.asar\\dist\\renderer\\index.html';
    assert.ok(isAppPageUrl('file:///c:/Program%20Files/FTP%20Share/resources/app.asar/dist/renderer/index.html', index, 'win32'));
    assert.ok(isAppPageUrl('file:///C:/program files/ftp share/resources/app.asar/dist/renderer/INDEX.html', index, 'win32'));
    assert.ok(!isAppPageUrl('file:///D:/Program%20Files/FTP%20Share/resources/app.asar/dist/renderer/index.html', index, 'win32'));
    assert.ok(isAppPageUrl('file://server/share/app/index.html', '\\\\server\\share\\app\\index.html', 'win32'));
    assert.ok(!isAppPageUrl('file://other/share/app/index.html', '\\\\server\\share\\app\\index.html', 'win32'));
    assert.ok(!isAppPageUrl('file:///C:/app/sub/..%5Cindex.html', 'C:\\app\\index.html', 'win32'));
    assert.ok(isAppPageUrl('file:///C:/app/sub/../index.html', 'C:\\app\\index.html', 'win32'), 'the URL parser resolves ..');
  });
});
