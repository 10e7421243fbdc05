/**
 * The Share panel over the fake share: start/stop, the port-in-use fix, folders (picker and the
 * typed-path fallback), access and read-only.
 */
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { renderApp } from './render-app.js';

const statusHeading = () => screen.getByRole('heading', { level: 2, name: /sharing|starting|couldn't/i });

describe('start and stop', () => {
  it('starts, shows the address, and stops', async () => {
    const { fake } = await renderApp();
    expect(statusHeading()).toHaveProperty('textContent', 'Not sharing');
    fireEvent.click(screen.getByRole('button', { name: 'Start sharing' }));
    await waitFor(() => expect(statusHeading().textContent).toBe('Sharing'));
    expect(fake.callsTo('start')).toHaveLength(1);
    expect(screen.getByText(/1 folder on ftp:\/\/192\.168\.1\.23:2121/)).toBeTruthy();
    const bar = screen.getByRole('contentinfo', { name: 'Status' });
    expect(within(bar).getByText('Sharing')).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Stop sharing' }));
    await waitFor(() => expect(statusHeading().textContent).toBe('Not sharing'));
    expect(fake.callsTo('stop')).toHaveLength(1);
    expect(within(bar).getByText('Not sharing')).toBeTruthy();
  });

  it('shows Starting… with a busy button while the share comes up', async () => {
    const fake = new FakeApi();
    fake.startDelayMs = 1_000;
    await renderApp({ fake });
    fireEvent.click(screen.getByRole('button', { name: 'Start sharing' }));
    await waitFor(() => expect(screen.getByRole('button', { name: 'Starting…' })).toHaveProperty('disabled', true));
    expect(statusHeading().textContent).toBe('Starting…');
    await waitFor(() => expect(statusHeading().textContent).toBe('Sharing'));
  });

  it('cannot start with no folder, and says why', async () => {
    const fake = new FakeApi();
    fake.settings.folders = [];
    await renderApp({ fake });
    expect(screen.getByRole('button', { name: 'Start sharing' })).toHaveProperty('disabled', true);
    expect(screen.getByText('Add a folder below, then start sharing.')).toBeTruthy();
  });

  it('explains a busy port and fixes it in one click', async () => {
    const fake = new FakeApi();
    fake.busyPorts.add(2121);
    await renderApp({ fake });
    fireEvent.click(screen.getByRole('button', { name: 'Start sharing' }));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Port 2121 is in use by another program');
    expect(alert.textContent).toContain('Use port 2122 instead');
    expect(statusHeading().textContent).toBe("Couldn't start sharing");

    fireEvent.click(within(alert).getByRole('button', { name: 'Use port 2122 and start' }));
    await waitFor(() => expect(statusHeading().textContent).toBe('Sharing'));
    expect(fake.callsTo('updateSettings')).toEqual([{ port: 2122 }]);
    expect(fake.callsTo('start')).toHaveLength(2);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByRole('textbox', { name: 'Port' })).toHaveProperty('value', '2122');
  });
});

describe('folders', () => {
  it('falls back to a typed path when the host has no folder picker', async () => {
    const { fake } = await renderApp();
    fireEvent.click(screen.getByRole('button', { name: 'Add folder…' }));
    const field = await screen.findByRole('textbox', { name: 'Folder path' });
    expect(fake.callsTo('pickFolders')).toHaveLength(1);

    fireEvent.change(field, { target: { value: 'relative/path' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    expect((await screen.findByRole('alert')).textContent).toBe('Folder path must be absolute: relative/path');

    fireEvent.change(field, { target: { value: '/srv/music' } });
    fireEvent.click(screen.getByRole('button', { name: 'Add' }));
    await waitFor(() => expect(screen.queryByRole('textbox', { name: 'Folder path' })).toBeNull());
    const list = screen.getByRole('list', { name: 'Shared folders' });
    expect(within(list).getByText('music')).toBeTruthy();
    expect(fake.callsTo('addFolder')).toEqual([{ path: 'relative/path' }, { path: '/srv/music' }]);

    // Once the host said "unsupported", the button opens the field without asking again.
    fireEvent.click(screen.getByRole('button', { name: 'Add folder…' }));
    await screen.findByRole('textbox', { name: 'Folder path' });
    expect(fake.callsTo('pickFolders')).toHaveLength(1);
  });

  it('adds picked folders with the native picker, opens and removes them', async () => {
    const fake = new FakeApi();
    fake.desktop = true;
    fake.pickResult = { ok: true, value: ['/home/ann/Videos'] };
    await renderApp({ fake, host: 'electron' });
    fireEvent.click(screen.getByRole('button', { name: 'Add folder…' }));
    await screen.findByText('Videos');
    expect(screen.queryByRole('textbox', { name: 'Folder path' })).toBeNull();

    fireEvent.click(screen.getByRole('button', { name: 'Open Videos in the file manager' }));
    await waitFor(() => expect(fake.callsTo('openFolder')).toEqual([{ path: '/home/ann/Videos' }]));

    fireEvent.click(screen.getByRole('button', { name: 'Remove Pictures' }));
    await waitFor(() => expect(screen.queryByText('Pictures')).toBeNull());
    expect(fake.settings.folders).toEqual(['/home/ann/Videos']);
  });

  it('hides "open in file manager" in the browser', async () => {
    await renderApp();
    expect(screen.queryByRole('button', { name: /in the file manager/ })).toBeNull();
    expect(screen.getByRole('button', { name: 'Remove Pictures' })).toBeTruthy();
  });
});

describe('access', () => {
  it('toggles read-only (on by default)', async () => {
    const { fake } = await renderApp();
    const toggle = screen.getByRole('switch', { name: 'Read-only' });
    expect(toggle).toHaveProperty('checked', true);
    fireEvent.click(toggle);
    await waitFor(() => expect(toggle).toHaveProperty('checked', false));
    expect(fake.callsTo('updateSettings')).toEqual([{ readOnly: false }]);
  });

  it('shows, generates and edits the password; reports a refused user name on its field', async () => {
    const { fake } = await renderApp();
    const password = screen.getByLabelText('Password') as HTMLInputElement;
    expect(password.type).toBe('password');
    fireEvent.click(screen.getByRole('button', { name: 'Show password' }));
    expect(password.type).toBe('text');
    expect(password.value).toBe('k7hq3mzt9wcx2vbn4pds');

    fireEvent.click(screen.getByRole('button', { name: 'Generate' }));
    await waitFor(() => expect(password.value).toMatch(/^newpass/));

    const user = screen.getByRole('textbox', { name: 'User name' });
    fireEvent.change(user, { target: { value: '  ' } });
    fireEvent.keyDown(user, { key: 'Enter' });
    expect((await screen.findByRole('alert')).textContent).toBe("User name can't be empty");
    expect(user.getAttribute('aria-invalid')).toBe('true');

    fireEvent.change(user, { target: { value: 'ann' } });
    fireEvent.blur(user);
    await waitFor(() => expect(screen.queryByRole('alert')).toBeNull());
    expect(fake.settings.access).toMatchObject({ mode: 'password', username: 'ann' });
  });

  it('switches to anonymous and warns when it is also writable', async () => {
    const { fake } = await renderApp();
    fireEvent.click(screen.getByRole('radio', { name: 'Anyone (anonymous)' }));
    await waitFor(() => expect(fake.settings.access.mode).toBe('anonymous'));
    expect(screen.queryByRole('textbox', { name: 'User name' })).toBeNull();
    fireEvent.click(screen.getByRole('switch', { name: 'Read-only' }));
    expect(await screen.findByText(/Anyone on this network can change and delete files/)).toBeTruthy();
    // Back to password: the same account as before, not a new one.
    fireEvent.click(screen.getByRole('radio', { name: 'User name and password' }));
    await waitFor(() => expect(fake.settings.access).toEqual({ mode: 'password', username: 'ftp', password: 'k7hq3mzt9wcx2vbn4pds' }));
  });
});

describe('FTPS', () => {
  it('turns on explicit FTPS and shows the certificate fingerprint, regenerates it', async () => {
    const fake = new FakeApi();
    await renderApp({ fake });
    fireEvent.click(screen.getByRole('radio', { name: 'Explicit' }));
    expect(await screen.findByText('No certificate yet')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Make a new certificate' }));
    expect(await screen.findByText(/^3F:9A:C2:71/)).toBeTruthy();
    expect(screen.getByRole('switch', { name: 'Require encryption' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Use my own…' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Certificate file (PEM)' }), { target: { value: '/etc/cert.crt' } });
    fireEvent.change(screen.getByRole('textbox', { name: 'Private key file (PEM)' }), { target: { value: '/etc/key.pem' } });
    fireEvent.click(screen.getByRole('button', { name: 'Import' }));
    expect((await screen.findByRole('alert')).textContent).toBe('That file is not a PEM certificate');
    await act(async () => {});
  });
});
