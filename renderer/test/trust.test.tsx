/**
 * What keeps people's trust in the window: it asks before a change disconnects anyone, turning
 * anonymous off brings back the same account, it says where the password is kept, it says when a
 * folder is already shared, and it never shows a share it can't see as "Sharing".
 */
import { act, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { ConnectionMonitor, ConnectionStatus, Transport } from '../api.js';
import { App } from '../app.js';
import { FakeApi, session } from './fake-api.js';
import { renderApp, tab } from './render-app.js';

/** A fake share that is running with `people` sessions. */
async function runningWith(people: number): Promise<FakeApi> {
  const fake = new FakeApi();
  await fake.start();
  fake.setSessions(Array.from({ length: people }, (_, i) => session(`s${i}`)));
  fake.calls = [];
  return fake;
}

const dialog = () => screen.queryByRole('alertdialog');

describe('a change that would disconnect people asks first', () => {
  it('asks before a new port restarts a share with 2 people connected; Cancel keeps everything', async () => {
    const { fake } = await renderApp({ fake: await runningWith(2) });
    const port = screen.getByRole('textbox', { name: 'Port' });
    fireEvent.change(port, { target: { value: '2300' } });
    fireEvent.keyDown(port, { key: 'Enter' });

    const question = await screen.findByRole('alertdialog', { name: '2 people will be disconnected' });
    expect(question.textContent).toContain('Changing the port restarts sharing');
    // The safe choice has the focus.
    expect(document.activeElement).toBe(within(question).getByRole('button', { name: 'Cancel' }));
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(dialog()).toBeNull());
    expect(fake.callsTo('updateSettings')).toEqual([]);
    expect(port).toHaveProperty('value', '2121');

    fireEvent.change(port, { target: { value: '2300' } });
    fireEvent.keyDown(port, { key: 'Enter' });
    const again = await screen.findByRole('alertdialog');
    // The dialog takes the focus: the field's blur must not ask (or save) a second time.
    fireEvent.blur(port);
    await act(async () => {});
    expect(screen.getAllByRole('alertdialog')).toHaveLength(1);
    expect(port).toHaveProperty('value', '2300');
    fireEvent.click(within(again).getByRole('button', { name: 'Restart sharing' }));
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ port: 2300 }]));
    expect(dialog()).toBeNull();
    expect(port).toHaveProperty('value', '2300');
  });

  it('asks for FTPS and for a new certificate; Escape cancels', async () => {
    const { fake } = await renderApp({ fake: await runningWith(1) });
    fireEvent.click(screen.getByRole('radio', { name: 'Explicit' }));
    const question = await screen.findByRole('alertdialog', { name: '1 person will be disconnected' });
    expect(question.textContent).toContain('Changing the encryption (FTPS) restarts sharing');
    fireEvent.keyDown(question, { key: 'Escape' });
    await waitFor(() => expect(dialog()).toBeNull());
    expect(fake.callsTo('updateSettings')).toEqual([]);
    expect(screen.getByRole('radio', { name: 'Off' })).toHaveProperty('checked', true);

    fireEvent.click(screen.getByRole('radio', { name: 'Explicit' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Restart sharing' }));
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ ftps: 'explicit' }]));

    fireEvent.click(await screen.findByRole('button', { name: 'Make a new certificate' }));
    const again = await screen.findByRole('alertdialog', { name: '1 person will be disconnected' });
    expect(again.textContent).toContain('Making a new certificate restarts sharing');
    fireEvent.click(within(again).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(dialog()).toBeNull());
    expect(fake.callsTo('regenerateCertificate')).toEqual([]);
  });

  it('asks before removing the last folder stops sharing', async () => {
    const { fake } = await renderApp({ fake: await runningWith(3) });
    fireEvent.click(screen.getByRole('button', { name: 'Remove Pictures' }));
    const question = await screen.findByRole('alertdialog', { name: '3 people will be disconnected' });
    expect(question.textContent).toContain('Removing the last folder stops sharing');
    fireEvent.click(within(question).getByRole('button', { name: 'Stop sharing' }));
    await waitFor(() => expect(fake.callsTo('removeFolder')).toEqual([{ path: '/home/ann/Pictures' }]));
  });

  it('does not ask when nobody is connected, nor for settings that apply live', async () => {
    const { fake } = await renderApp({ fake: await runningWith(0) });
    const port = screen.getByRole('textbox', { name: 'Port' });
    fireEvent.change(port, { target: { value: '2300' } });
    fireEvent.keyDown(port, { key: 'Enter' });
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ port: 2300 }]));

    fake.setSessions([session('s1'), session('s2')]);
    fireEvent.click(screen.getByRole('switch', { name: 'Read-only' }));
    fireEvent.click(screen.getByRole('radio', { name: 'Anyone (anonymous)' }));
    await waitFor(() => expect(fake.callsTo('updateSettings')).toHaveLength(3));
    expect(dialog()).toBeNull();
  });
});

describe('access', () => {
  it('turning anonymous off restores the account the share kept, even in a window that never saw it', async () => {
    const fake = new FakeApi();
    fake.settings.access = { mode: 'anonymous', account: { username: 'ann', password: 'kept-password-2x7q' } };
    await renderApp({ fake });
    expect(screen.queryByRole('textbox', { name: 'User name' })).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: 'User name and password' }));
    await waitFor(() => expect(fake.settings.access).toEqual({ mode: 'password', username: 'ann', password: 'kept-password-2x7q' }));
    expect(screen.getByRole('textbox', { name: 'User name' })).toHaveProperty('value', 'ann');
  });

  it('says when the password is saved without an OS keychain', async () => {
    const fake = new FakeApi();
    fake.state = { ...fake.state, passwordStorage: 'file' };
    const { view } = await renderApp({ fake });
    const line = /No OS keychain is available here, so the password is saved in FTP Share’s settings file without encryption/;
    expect(screen.getByText(line)).toBeTruthy();
    view.unmount();

    const protectedFake = new FakeApi();
    protectedFake.state = { ...protectedFake.state, passwordStorage: 'keychain' };
    await renderApp({ fake: protectedFake });
    expect(screen.queryByText(line)).toBeNull();
  });
});

describe('folders', () => {
  it('says that a typed folder is already shared', async () => {
    const { fake } = await renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Add folder…' }));
    fireEvent.change(await screen.findByRole('textbox', { name: 'Folder path' }), { target: { value: '/home/ann/Pictures' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect((await screen.findByRole('alert')).textContent).toBe('/home/ann/Pictures is already shared');
    expect(fake.settings.folders).toEqual(['/home/ann/Pictures']);
  });

  it('says that a picked folder is already shared', async () => {
    const fake = new FakeApi();
    fake.desktop = true;
    fake.pickResult = { ok: true, value: ['/home/ann/Pictures'] };
    await renderApp({ fake, host: 'electron' });
    fireEvent.click(screen.getByRole('button', { name: 'Add folder…' }));
    expect(await screen.findByText('/home/ann/Pictures is already shared')).toBeTruthy();
  });
});

/** A link whose status the test sets. */
class ManualLink implements ConnectionMonitor {
  #status: ConnectionStatus = { state: 'open' };
  readonly #listeners = new Set<(status: ConnectionStatus) => void>();
  get(): ConnectionStatus {
    return this.#status;
  }
  set(status: ConnectionStatus): void {
    this.#status = status;
    for (const listener of [...this.#listeners]) listener(status);
  }
  subscribe(listener: (status: ConnectionStatus) => void): () => void {
    this.#listeners.add(listener);
    return () => void this.#listeners.delete(listener);
  }
  retryNow(): void {}
}

describe('without a link to FTP Share', () => {
  it('never shows "Sharing": stopped, then started again at a new address', async () => {
    const fake = await runningWith(1);
    const link = new ManualLink();
    const transport: Transport = { api: fake, host: 'web', connection: link, close() {} };
    render(<App transport={transport} />);
    const title = () => document.getElementById('share-status-title')!.textContent;
    await waitFor(() => expect(title()).toBe('Sharing'));
    const bar = screen.getByRole('contentinfo', { name: 'Status' });

    act(() => link.set({ state: 'lost', retryAt: Date.now() + 2_000, attempt: 1 }));
    expect(title()).toBe('Not connected');
    expect(screen.getByRole('alert').textContent).toMatch(/Lost the connection to FTP Share\. Reconnecting in \d s/);

    act(() => link.set({ state: 'stopped', retryAt: Date.now() + 2_000, attempt: 2 }));
    expect(title()).toBe('FTP Share has stopped');
    expect(screen.getByRole('alert').textContent).toContain('FTP Share has stopped.');
    expect(within(bar).queryByText('Sharing')).toBeNull();
    expect(within(bar).getByText('FTP Share has stopped')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Stop sharing' })).toBeNull();
    fireEvent.click(tab(/Connect/));
    expect(within(screen.getByRole('tabpanel')).getByText('FTP Share has stopped')).toBeTruthy();
    expect(screen.queryByRole('img', { name: /QR code/ })).toBeNull();
    fireEvent.click(tab(/Share/));

    act(() => link.set({ state: 'replaced' }));
    expect(title()).toBe('FTP Share has stopped');
    expect(screen.getByRole('alert').textContent).toContain('open the new address printed in the terminal');
    expect(screen.queryByRole('button', { name: 'Try now' })).toBeNull();
    expect(screen.queryByText(/Reconnecting/)).toBeNull();

    // Linked again (Electron never drops): the share's own status is back.
    act(() => link.set({ state: 'open' }));
    expect(title()).toBe('Sharing');
  });
});
