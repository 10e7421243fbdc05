/**
 * The desktop-only settings (open at login, notify when files arrive) and the notice for
 * settings that could not be used as saved: a reset file, or a password that could not be
 * decrypted, which the window never replaces silently.
 */
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeApi } from './fake-api.js';
import { renderApp } from './render-app.js';

describe('the desktop card', () => {
  it('Electron: open at login and notifications, each saved when switched', async () => {
    const { fake } = await renderApp({ host: 'electron' });
    const login = screen.getByRole('switch', { name: 'Open at login' });
    const notify = screen.getByRole('switch', { name: 'Notify me when files arrive' });
    expect(login).toHaveProperty('checked', false);
    expect(notify).toHaveProperty('checked', true);
    fireEvent.click(login);
    fireEvent.click(notify);
    await waitFor(() => expect(fake.callsTo('updateSettings')).toEqual([{ launchAtLogin: true }, { notifyOnReceive: false }]));
  });

  it('shows the OS’s state when the app pushes it (turned off in System Settings or Task Manager)', async () => {
    const fake = new FakeApi();
    fake.settings = { ...fake.settings, launchAtLogin: true };
    await renderApp({ fake, host: 'electron' });
    expect(screen.getByRole('switch', { name: 'Open at login' })).toHaveProperty('checked', true);
    await act(async () => fake.emit('settings', { ...fake.settings, launchAtLogin: false }));
    expect(screen.getByRole('switch', { name: 'Open at login' })).toHaveProperty('checked', false);
  });

  it('is not in the browser window of `ftp-share --ui`', async () => {
    await renderApp({ host: 'web' });
    expect(screen.queryByRole('switch', { name: 'Open at login' })).toBeNull();
    expect(screen.queryByRole('switch', { name: 'Notify me when files arrive' })).toBeNull();
  });
});

describe('settings that could not be used as saved', () => {
  const reason = 'The saved password could not be decrypted (the OS keychain may have changed); a new password was generated.';

  it('a lost password: says so, and the old password typed back in is saved', async () => {
    const fake = new FakeApi();
    fake.state = { ...fake.state, settingsRecovered: { backupPath: '/cfg/settings.json.corrupt-1', reason, lostPassword: true } };
    await renderApp({ fake });
    expect(screen.getByText('The saved password could not be read')).toBeTruthy();
    expect(screen.getByText(/Devices set up before still use the old password/).textContent).toContain(reason);
    expect(screen.queryByText('Your settings were reset')).toBeNull();

    fireEvent.change(screen.getByLabelText('Old password'), { target: { value: 'the-old-one' } });
    fireEvent.click(screen.getByRole('button', { name: 'Use the old password' }));
    await waitFor(() => expect(screen.queryByText('The saved password could not be read')).toBeNull());
    const saved = fake.callsTo('updateSettings') as { access: { mode: string; username: string; password: string } }[];
    expect(saved).toHaveLength(1);
    expect(saved[0]!.access).toMatchObject({ mode: 'password', username: 'ftp', password: 'the-old-one' });
  });

  it('a lost password: keeping the new one dismisses the notice', async () => {
    const fake = new FakeApi();
    fake.state = { ...fake.state, settingsRecovered: { backupPath: '/cfg/b', reason, lostPassword: true } };
    await renderApp({ fake });
    fireEvent.click(screen.getByRole('button', { name: 'Keep the new password' }));
    expect(screen.queryByText('The saved password could not be read')).toBeNull();
    expect(fake.callsTo('updateSettings')).toEqual([]);
  });

  it('a reset file: says the settings were reset and where the old file is', async () => {
    const fake = new FakeApi();
    fake.state = { ...fake.state, settingsRecovered: { backupPath: '/cfg/settings.json.corrupt-2', reason: 'The settings file is not valid JSON.' } };
    await renderApp({ fake });
    expect(screen.getByText('Your settings were reset')).toBeTruthy();
    expect(screen.getByText('/cfg/settings.json.corrupt-2')).toBeTruthy();
    expect(screen.queryByLabelText('Old password')).toBeNull();
  });
});
