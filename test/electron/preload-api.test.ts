import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PUSH_EVENT_NAMES, REQUEST_NAMES, type PushEventName, type ShareState } from '../../core/share/contract.js';
import { EVENT_CHANNEL } from '../../electron/channels.js';
import { createFtpShareApi } from '../../electron/preload-api.js';
import { FakeIpcRenderer } from './fakes.js';

describe('createFtpShareApi', () => {
  it('has one function per request name, plus on, and nothing else', () => {
    const api = createFtpShareApi(new FakeIpcRenderer().asIpcRenderer());
    assert.deepEqual(Object.keys(api).sort(), [...REQUEST_NAMES, 'on'].sort());
    for (const key of Object.keys(api)) assert.equal(typeof (api as unknown as Record<string, unknown>)[key], 'function');
  });

  it('maps each request to one invoke on ftp-share:<name> with exactly its parameter', async () => {
    const ipc = new FakeIpcRenderer();
    const api = createFtpShareApi(ipc.asIpcRenderer());
    const calls = api as unknown as Record<string, (params: unknown) => Promise<unknown>>;
    for (const name of REQUEST_NAMES) {
      ipc.replies.set(`ftp-share:${name}`, { ok: true, value: `reply of ${name}` });
      const params = { for: name };
      assert.deepEqual(await calls[name]!(params), { ok: true, value: `reply of ${name}` });
    }
    assert.deepEqual(
      ipc.invoked,
      REQUEST_NAMES.map((name) => [`ftp-share:${name}`, { for: name }]),
    );
    // A void request sends one undefined argument, nothing more.
    await api.getState(undefined);
    assert.deepEqual(ipc.invoked.at(-1), ['ftp-share:getState', undefined]);
  });

  it('gives listeners the payload only, never the IPC event', () => {
    const ipc = new FakeIpcRenderer();
    const api = createFtpShareApi(ipc.asIpcRenderer());
    const received: unknown[][] = [];
    api.on('state', (...args: unknown[]) => received.push(args));
    const ipcEvent = { sender: { send() {} }, senderId: 0, ports: [] };
    const state: ShareState = { status: 'running', urls: [], sessionCount: 1 };
    ipc.emit(EVENT_CHANNEL, ipcEvent, 'state', state);
    assert.ok(!received.flat().includes(ipcEvent));
    assert.deepEqual(received, [[state]]);
  });

  it('delivers each event only to its own listeners', () => {
    const ipc = new FakeIpcRenderer();
    const api = createFtpShareApi(ipc.asIpcRenderer());
    const got: string[] = [];
    api.on('log', () => got.push('log'));
    api.on('notice', (payload) => got.push(`notice:${payload.text}`));
    ipc.emit(EVENT_CHANNEL, {}, 'notice', { level: 'info', text: 'hi' });
    ipc.emit(EVENT_CHANNEL, {}, 'sessions', []);
    ipc.emit(EVENT_CHANNEL, {}, 'log', []);
    assert.deepEqual(got, ['notice:hi', 'log']);
  });

  it('unsubscribes: the wrapper is removed, later events are not delivered, twice is harmless', () => {
    const ipc = new FakeIpcRenderer();
    const api = createFtpShareApi(ipc.asIpcRenderer());
    let calls = 0;
    const off = api.on('sessions', () => calls++);
    const keep = api.on('sessions', () => calls++);
    assert.equal(ipc.count(EVENT_CHANNEL), 2);
    off();
    assert.equal(ipc.count(EVENT_CHANNEL), 1);
    ipc.emit(EVENT_CHANNEL, {}, 'sessions', []);
    assert.equal(calls, 1);
    off();
    assert.equal(ipc.removed, 1, 'a second unsubscribe removes nothing');
    keep();
    assert.equal(ipc.count(EVENT_CHANNEL), 0);
  });

  it('refuses unknown events and non-function listeners', () => {
    const api = createFtpShareApi(new FakeIpcRenderer().asIpcRenderer());
    assert.throws(() => api.on('toString' as PushEventName, () => undefined), /Unknown FTP Share event/);
    assert.throws(() => api.on('state', 'nope' as unknown as () => void), /function/);
  });

  it('lists every pushed event and is frozen', () => {
    assert.deepEqual([...PUSH_EVENT_NAMES].sort(), ['log', 'notice', 'sessions', 'settings', 'state', 'transfers']);
    const api = createFtpShareApi(new FakeIpcRenderer().asIpcRenderer());
    assert.ok(Object.isFrozen(api));
    assert.throws(() => {
      (api as unknown as Record<string, unknown>)['getState'] = () => 'hijacked';
    }, TypeError);
  });
});
