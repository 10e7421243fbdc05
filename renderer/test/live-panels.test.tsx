/**
 * The live panels over pushed events: sessions with Disconnect, transfers whose progress tick
 * re-renders only the row that changed, the log's filter, search and pause, and Connect.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { TransferRow, TransfersSnapshot } from '../../core/share/contract.js';
import { renderProbe } from '../components/render-probe.js';
import { FakeApi, emptyTransfers, session } from './fake-api.js';
import { renderApp, tab } from './render-app.js';

describe('sessions', () => {
  it('lists sessions live and disconnects one', async () => {
    const { fake } = await renderApp({ panel: 'sessions' });
    expect(screen.getByText('No one is connected')).toBeTruthy();
    act(() =>
      fake.setSessions([
        session('a', { remoteAddress: '192.168.1.40', user: 'ann', activity: 'Downloading /a.mp4', secureControl: true, secureData: true, bytesOut: 5 * 1024 * 1024 }),
        session('b', { remoteAddress: '192.168.1.57', user: 'bob', cwd: '/Music' }),
      ]),
    );
    const table = screen.getByRole('table');
    const rows = within(table).getAllByRole('row').slice(1);
    expect(rows).toHaveLength(2);
    expect(within(rows[0]!).getByText('Downloading /a.mp4')).toBeTruthy();
    expect(within(rows[0]!).getByRole('img', { name: 'Encrypted' })).toBeTruthy();
    expect(within(rows[0]!).getByText(/5\.00 MB/)).toBeTruthy();
    expect(within(rows[1]!).queryByRole('img', { name: /encrypted/i })).toBeNull();
    expect(within(rows[0]!).getByText('1 min 5 s')).toBeTruthy();
    // The sidebar's badge counts them.
    expect(tab(/Sessions/).textContent).toContain('2');

    fireEvent.click(screen.getByRole('button', { name: 'Disconnect 192.168.1.40' }));
    await waitFor(() => expect(within(screen.getByRole('table')).getAllByRole('row')).toHaveLength(2));
    expect(fake.callsTo('kickSession')).toEqual([{ sessionId: 'a' }]);
    expect(screen.queryByText('192.168.1.40')).toBeNull();
  });

  it('re-renders only the session row that changed', async () => {
    const { fake } = await renderApp({ panel: 'sessions' });
    const at = { connectedAt: 1_000 };
    act(() => fake.setSessions([session('a', at), session('b', at), session('c', at)]));
    const counts = new Map<string, number>();
    renderProbe.onRender = (kind, id) => kind === 'session' && counts.set(id, (counts.get(id) ?? 0) + 1);
    // A fresh snapshot: new objects for every row, only b's bytes differ.
    act(() => fake.setSessions([session('a', at), session('b', { ...at, bytesOut: 1234 }), session('c', at)]));
    expect(Object.fromEntries(counts)).toEqual({ b: 1 });
  });
});

function transfer(id: string, patch: Partial<TransferRow> = {}): TransferRow {
  return {
    transferId: id,
    sessionId: 's1',
    protocol: 'ftp',
    remoteAddress: '192.168.1.40',
    path: `/videos/${id}.mp4`,
    direction: 'download',
    bytes: 0,
    size: 10 * 1024 * 1024,
    bytesPerSecond: 0,
    startedAt: 1_000,
    secure: false,
    ...patch,
  };
}

function snapshot(active: TransferRow[], finished: TransferRow[] = []): TransfersSnapshot {
  return { ...emptyTransfers(), active, finished };
}

describe('transfers', () => {
  it('a progress tick re-renders only the row that changed', async () => {
    const { fake } = await renderApp({ panel: 'transfers' });
    act(() => fake.setTransfers(snapshot([transfer('t1'), transfer('t2'), transfer('t3')])));
    expect(screen.getAllByRole('progressbar')).toHaveLength(3);

    const counts = new Map<string, number>();
    renderProbe.onRender = (kind, id) => kind === 'transfer' && counts.set(id, (counts.get(id) ?? 0) + 1);
    act(() =>
      fake.setTransfers(
        snapshot([transfer('t1'), transfer('t2', { bytes: 5 * 1024 * 1024, bytesPerSecond: 2 * 1024 * 1024, etaMs: 2_500 }), transfer('t3')]),
      ),
    );
    expect(Object.fromEntries(counts)).toEqual({ t2: 1 });
    const bar = screen.getByRole('progressbar', { name: 'Sending t2.mp4' });
    expect(bar.getAttribute('aria-valuenow')).toBe('50');
    const row = bar.closest('li')!;
    expect(row.textContent).toContain('5.00 MB of 10.0 MB');
    expect(row.textContent).toContain('2.00 MB/s');
    expect(row.textContent).toContain('2 s left');

    // Ten ticks of t1 alone: ten renders of t1, none of the others.
    counts.clear();
    for (let i = 1; i <= 10; i++) {
      act(() =>
        fake.setTransfers(
          snapshot([transfer('t1', { bytes: i * 1000 }), transfer('t2', { bytes: 5 * 1024 * 1024, bytesPerSecond: 2 * 1024 * 1024, etaMs: 2_500 }), transfer('t3')]),
        ),
      );
    }
    expect(Object.fromEntries(counts)).toEqual({ t1: 10 });
  });

  it('moves finished transfers to the history with their result and shows totals', async () => {
    const { fake } = await renderApp({ panel: 'transfers' });
    act(() =>
      fake.setTransfers({
        active: [],
        finished: [
          transfer('ok', { bytes: 10 * 1024 * 1024, result: 'done', finishedAt: Date.now() }),
          transfer('bad', { direction: 'upload', result: 'failed', reason: 'Disk full', finishedAt: Date.now() }),
        ],
        totals: { downloadedBytes: 10 * 1024 * 1024, uploadedBytes: 0, completed: 1, failed: 1 },
      }),
    );
    const table = screen.getByRole('table');
    expect(within(table).getByText('Done')).toBeTruthy();
    expect(within(table).getByText('Failed')).toBeTruthy();
    expect(within(table).getByText('Disk full')).toBeTruthy();
    expect(screen.getByText('Completed').nextElementSibling?.textContent).toBe('1');
    expect(screen.getByText('Sent').nextElementSibling?.textContent).toBe('10.0 MB');

    fireEvent.click(screen.getByRole('button', { name: 'Clear history' }));
    await waitFor(() => expect(screen.getByText('No finished transfers yet')).toBeTruthy());
  });
});

describe('log', () => {
  it('filters by level, searches, pauses and resumes', async () => {
    const fake = new FakeApi();
    fake.log([
      { level: 'debug', text: '> NOOP' },
      { level: 'info', text: 'ann signed in' },
      { level: 'warn', text: 'Upload refused: read-only' },
      { level: 'error', text: 'Data connection timed out' },
    ]);
    await renderApp({ fake, panel: 'logs' });
    const list = () => screen.getByRole('log', { name: 'Log lines' });
    const texts = () => [...list().querySelectorAll('.log-text')].map((e) => e.textContent);
    expect(texts()).toEqual(['ann signed in', 'Upload refused: read-only', 'Data connection timed out']);

    fireEvent.change(screen.getByRole('combobox', { name: 'Level' }), { target: { value: 'debug' } });
    expect(texts()).toHaveLength(4);
    fireEvent.change(screen.getByRole('combobox', { name: 'Level' }), { target: { value: 'error' } });
    expect(texts()).toEqual(['Data connection timed out']);
    fireEvent.change(screen.getByRole('combobox', { name: 'Level' }), { target: { value: 'info' } });

    fireEvent.change(screen.getByRole('searchbox', { name: 'Search the log' }), { target: { value: 'REFUSED' } });
    await waitFor(() => expect(texts()).toEqual(['Upload refused: read-only']));
    expect(screen.getByText('Showing 1 of 4 lines')).toBeTruthy();
    fireEvent.change(screen.getByRole('searchbox', { name: 'Search the log' }), { target: { value: '' } });
    await waitFor(() => expect(texts()).toHaveLength(3));

    fireEvent.click(screen.getByRole('button', { name: 'Pause' }));
    act(() => void fake.log([{ text: 'bob signed in' }, { text: 'bob left' }]));
    expect(texts()).toHaveLength(3);
    const resume = screen.getByRole('button', { name: 'Resume (2 new)' });
    expect(resume.getAttribute('aria-pressed')).toBe('true');
    fireEvent.click(resume);
    expect(texts()).toEqual(['ann signed in', 'Upload refused: read-only', 'Data connection timed out', 'bob signed in', 'bob left']);

    fireEvent.click(screen.getByRole('button', { name: 'Clear' }));
    await screen.findByText('No log lines yet.');
    expect(fake.callsTo('clearLogs')).toHaveLength(1);
  });

  it('keeps only a window of rows in the DOM for 10,000 lines', async () => {
    const fake = new FakeApi();
    fake.log(Array.from({ length: 10_000 }, (_, i) => ({ text: `line ${i}` })));
    await renderApp({ fake, panel: 'logs' });
    const rows = screen.getByRole('log', { name: 'Log lines' }).querySelectorAll('.log-row');
    expect(rows.length).toBeGreaterThan(10);
    expect(rows.length).toBeLessThan(60);
    // Following: the newest line is the one rendered last.
    expect(rows[rows.length - 1]!.textContent).toContain('line 9999');
  });
});

describe('connect', () => {
  it('with the web page off: shows the ftp:// URL, a QR code, credentials, and lets the user pick another address', async () => {
    const fake = new FakeApi();
    fake.settings.web.enabled = false;
    await renderApp({ fake, panel: 'connect' });
    expect(screen.getByText('Start sharing to get an address')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Start sharing' }));
    const qr = await screen.findByRole('img', { name: 'QR code of ftp://192.168.1.23:2121' });
    expect(qr.querySelector('path')?.getAttribute('d')?.length).toBeGreaterThan(100);
    expect(document.querySelector('.big-url')?.textContent).toBe('ftp://192.168.1.23:2121');
    expect(screen.getByText('k7hq3mzt9wcx2vbn4pds')).toBeTruthy();
    expect(screen.getByText('Nobody can connect?')).toBeTruthy();

    fireEvent.click(screen.getByRole('radio', { name: /VPN \(utun3\)/ }));
    await screen.findByRole('img', { name: 'QR code of ftp://10.8.0.5:2121' });
    expect(fake.callsTo('updateSettings')).toEqual([{ advertisedAddress: '10.8.0.5' }]);

    // Copy: the browser host answers unsupported, and jsdom has no clipboard: the user is told.
    fireEvent.click(screen.getByRole('button', { name: 'Copy address' }));
    await waitFor(() => expect(fake.callsTo('copyText')).toEqual([{ text: 'ftp://10.8.0.5:2121' }]));
    expect((await screen.findByRole('alert')).textContent).toMatch(/Couldn't copy the address/);
  });
});
