/**
 * The WebSocket transport: request ids matched to responses, pushed events, failed results
 * instead of throws when the link drops, reconnection with backoff, and the banner.
 */
import { act, fireEvent, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REQUEST_NAMES, type ClientFrame, type ServerFrame } from '../../core/share/contract.js';
import { createWebSocketTransport, pingProbe, webSocketUrlFor, type HostProbe, type Transport } from '../api.js';
import { App } from '../app.js';

/** Just enough of a browser WebSocket, driven by the test. */
class FakeSocket {
  static instances: FakeSocket[] = [];
  readonly sent: ClientFrame[] = [];
  closed = false;
  onopen: (() => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onmessage: ((e: { data: string }) => void) | null = null;
  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(JSON.parse(data) as ClientFrame);
  }
  close() {
    this.drop();
  }
  open() {
    this.onopen?.();
  }
  deliver(frame: ServerFrame) {
    this.onmessage?.({ data: JSON.stringify(frame) });
  }
  drop() {
    if (this.closed) return;
    this.closed = true;
    this.onerror?.();
    this.onclose?.();
  }
  static last(): FakeSocket {
    return FakeSocket.instances.at(-1)!;
  }
}

let transport: Transport | undefined;
const make = () =>
  (transport = createWebSocketTransport({
    url: 'ws://127.0.0.1:1/ws?token=t',
    WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
    initialBackoffMs: 100,
    maxBackoffMs: 400,
    requestTimeoutMs: 5_000,
  }));

beforeEach(() => {
  FakeSocket.instances = [];
  vi.useFakeTimers();
});
afterEach(() => {
  transport?.close();
  transport = undefined;
  vi.useRealTimers();
});

describe('WebSocket transport', () => {
  it('exposes every request of the contract', () => {
    const { api } = make();
    for (const name of REQUEST_NAMES) expect(typeof api[name]).toBe('function');
    expect(typeof api.on).toBe('function');
  });

  it('builds the socket URL from the page (same host, its token)', () => {
    expect(webSocketUrlFor({ protocol: 'http:', host: '127.0.0.1:5000', search: '?token=a%2Bb' })).toBe('ws://127.0.0.1:5000/ws?token=a%2Bb');
    expect(webSocketUrlFor({ protocol: 'https:', host: 'x', search: '' })).toBe('wss://x/ws?token=');
  });

  it('queues requests until the first connection, then matches responses by id', async () => {
    const { api } = make();
    const state = api.getState(undefined);
    const port = api.findFreePort({ from: 3000 });
    expect(FakeSocket.last().sent).toEqual([]);
    FakeSocket.last().open();
    const [a, b] = FakeSocket.last().sent;
    expect(a).toMatchObject({ kind: 'request', name: 'getState' });
    expect(b).toEqual({ kind: 'request', id: b!.id, name: 'findFreePort', params: { from: 3000 } });
    expect(a!.id).not.toBe(b!.id);
    // Answers may come in any order.
    FakeSocket.last().deliver({ kind: 'response', id: b!.id, result: { ok: true, value: 3001 } });
    FakeSocket.last().deliver({ kind: 'response', id: a!.id, result: { ok: false, code: 'internal', message: 'x' } });
    expect(await port).toEqual({ ok: true, value: 3001 });
    expect(await state).toEqual({ ok: false, code: 'internal', message: 'x' });
  });

  it('dispatches pushed events to listeners until unsubscribed', () => {
    const { api } = make();
    FakeSocket.last().open();
    const seen: unknown[] = [];
    const off = api.on('notice', (n) => seen.push(n.text));
    FakeSocket.last().deliver({ kind: 'event', event: 'notice', payload: { level: 'info', text: 'hello' } });
    FakeSocket.last().deliver({ kind: 'event', event: 'log', payload: [] });
    off();
    FakeSocket.last().deliver({ kind: 'event', event: 'notice', payload: { level: 'info', text: 'again' } });
    expect(seen).toEqual(['hello']);
  });

  it('fails in-flight requests when the link drops, reconnects with backoff, then works again', async () => {
    const { api, connection } = make();
    FakeSocket.last().open();
    const pending = api.stop(undefined);
    FakeSocket.last().drop();
    expect(await pending).toMatchObject({ ok: false, code: 'internal', message: 'The connection to FTP Share was lost' });
    expect(connection.get()).toMatchObject({ state: 'lost', attempt: 1 });
    // While down, requests fail at once instead of hanging the UI.
    expect(await api.getState(undefined)).toMatchObject({ ok: false });

    expect(FakeSocket.instances).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(130);
    expect(FakeSocket.instances).toHaveLength(2);
    FakeSocket.last().drop();
    expect(connection.get()).toMatchObject({ state: 'lost', attempt: 2 });
    // Second wait is about twice the first (with ±20 % jitter).
    await vi.advanceTimersByTimeAsync(150);
    expect(FakeSocket.instances).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(120);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.last().open();
    expect(connection.get()).toEqual({ state: 'open' });
    const again = api.getSettings(undefined);
    const frame = FakeSocket.last().sent[0]!;
    FakeSocket.last().deliver({ kind: 'response', id: frame.id, result: { ok: true, value: { port: 1 } } });
    expect(await again).toMatchObject({ ok: true });
  });

  it('times out a request the host never answers', async () => {
    const { api } = make();
    FakeSocket.last().open();
    const r = api.getLogs(undefined);
    await vi.advanceTimersByTimeAsync(5_001);
    expect(await r).toMatchObject({ ok: false, message: expect.stringContaining('did not answer') });
  });

  it('shows a banner while the link is down, retries on "Try now", and reloads the state after', async () => {
    const t = make();
    render(<App transport={t} />);
    const socket = FakeSocket.last();
    act(() => socket.open());
    // Answer the first load.
    const answer = (s: FakeSocket) => {
      for (const f of s.sent.splice(0)) {
        const value =
          f.name === 'getState'
            ? { status: 'stopped', urls: [], sessionCount: 0 }
            : f.name === 'getSettings'
              ? { folders: ['/a'], port: 2121, readOnly: true, web: { enabled: true, port: 8080, qrSignIn: true }, access: { mode: 'anonymous' }, ftps: 'off', requireTls: false, autoStopMinutes: 0, launchAtLogin: false, mdns: true, notifyOnReceive: true, bandwidth: { downloadMBps: 0, uploadMBps: 0, perDeviceMBps: 0 }, trayHintShown: false, version: 1 }
              : f.name === 'getTransfers'
                ? { active: [], finished: [], totals: { downloadedBytes: 0, uploadedBytes: 0, completed: 0, failed: 0 } }
                : [];
        s.deliver({ kind: 'response', id: f.id, result: { ok: true, value } });
      }
    };
    await act(async () => answer(socket));
    expect(screen.queryByRole('alert')).toBeNull();

    act(() => socket.drop());
    expect(screen.getByRole('alert').textContent).toMatch(/Lost the connection to FTP Share\. Reconnecting in 1 s/);
    act(() => fireEvent.click(screen.getByRole('button', { name: 'Try now' })));
    expect(FakeSocket.instances).toHaveLength(2);
    act(() => FakeSocket.last().open());
    expect(screen.queryByRole('alert')).toBeNull();
    // After a reconnection the window fetches everything again: events may have been missed.
    expect(FakeSocket.last().sent.map((f) => f.name).sort()).toEqual(['getLogs', 'getSessions', 'getSettings', 'getState', 'getTransfers']);
  });

  it('tells a stopped FTP Share from one started again at a new address, and stops retrying then', async () => {
    const answers: HostProbe[] = ['gone', 'gone', 'replaced'];
    const probes: HostProbe[] = [];
    const { api, connection } = (transport = createWebSocketTransport({
      url: 'ws://127.0.0.1:1/ws?token=t',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      initialBackoffMs: 100,
      maxBackoffMs: 400,
      probe: async () => {
        const answer = answers.shift() ?? 'replaced';
        probes.push(answer);
        return answer;
      },
    }));
    FakeSocket.last().open();
    FakeSocket.last().drop();
    // Down at once, while the probe runs: requests fail fast.
    expect(connection.get()).toMatchObject({ state: 'connecting', attempt: 1 });
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.get()).toMatchObject({ state: 'stopped', attempt: 1 });
    expect(await api.getState(undefined)).toMatchObject({ ok: false, message: 'FTP Share has stopped' });

    // Tried again: still "stopped" while the attempt runs (no flicker to "Reconnecting…").
    await vi.advanceTimersByTimeAsync(130);
    expect(FakeSocket.instances).toHaveLength(2);
    expect(connection.get()).toMatchObject({ state: 'stopped' });
    FakeSocket.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.get()).toMatchObject({ state: 'stopped', attempt: 2 });

    // Started again: the host answers with another token. Nothing more is tried.
    await vi.advanceTimersByTimeAsync(300);
    expect(FakeSocket.instances).toHaveLength(3);
    FakeSocket.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.get()).toEqual({ state: 'replaced' });
    connection.retryNow();
    await vi.advanceTimersByTimeAsync(10_000);
    expect(FakeSocket.instances).toHaveLength(3);
    expect(probes).toEqual(['gone', 'gone', 'replaced']);
  });

  it('a probe that finds the same host up keeps reconnecting as before', async () => {
    const { connection } = (transport = createWebSocketTransport({
      url: 'ws://127.0.0.1:1/ws?token=t',
      WebSocketImpl: FakeSocket as unknown as typeof WebSocket,
      initialBackoffMs: 100,
      probe: async () => 'up',
    }));
    FakeSocket.last().open();
    FakeSocket.last().drop();
    await vi.advanceTimersByTimeAsync(0);
    expect(connection.get()).toMatchObject({ state: 'lost', attempt: 1 });
    await vi.advanceTimersByTimeAsync(130);
    FakeSocket.last().open();
    expect(connection.get()).toEqual({ state: 'open' });
  });

  it('pings the page\'s own host with its token: 204 up, 403 replaced, no answer gone', async () => {
    const seen: string[] = [];
    const answering = (status: number | 'refused') =>
      pingProbe({ protocol: 'http:', host: '127.0.0.1:4242', search: '?token=a+b' }, async (input) => {
        seen.push(String(input));
        if (status === 'refused') throw new TypeError('Failed to fetch');
        return new Response(null, { status });
      });
    expect(await answering(204)()).toBe('up');
    expect(await answering(403)()).toBe('replaced');
    expect(await answering('refused')()).toBe('gone');
    expect(seen[0]).toBe('http://127.0.0.1:4242/ping?token=a%20b');
  });
});
