/**
 * The Access card's accounts over the fake share: it lists every account; "Add a read-only guest"
 * adds one in a click with a generated password shown at once; each account's rights and folders
 * are edited in place; a refused field is reported on its own account; removing an account with
 * people signed in asks first; anonymous keeps every account for later.
 */
import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { FakeApi, session } from './fake-api.js';
import { renderApp } from './render-app.js';

const PHOTOS = '/home/ann/Pictures';
const MUSIC = '/home/ann/Music';

/** A fake share with two folders and an owner plus a read-only guest who sees Music only. */
function twoAccounts(): FakeApi {
  const fake = new FakeApi();
  fake.settings = {
    ...fake.settings,
    folders: [PHOTOS, MUSIC],
    readOnly: false,
    access: {
      mode: 'password',
      username: 'ann',
      password: 'ann-password-k7hq3mzt',
      otherAccounts: [{ username: 'guest', password: 'guest-password-9x4q', readOnly: true, folders: [MUSIC] }],
    },
  };
  return fake;
}

const account = (name: string) => screen.getByRole('group', { name: `Account ${name}` });

describe('accounts', () => {
  it('lists every account with its rights and folders', async () => {
    await renderApp({ fake: twoAccounts() });
    const list = screen.getByRole('list', { name: 'Accounts' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(2);
    expect(within(account('ann')).getByRole('textbox', { name: 'User name' })).toHaveProperty('value', 'ann');
    const guest = account('guest');
    expect(within(guest).getByRole('textbox', { name: 'User name' })).toHaveProperty('value', 'guest');
    expect(within(guest).getByRole('radio', { name: 'Download only' })).toHaveProperty('checked', true);
    expect(within(account('ann')).getByRole('radio', { name: 'Download and change' })).toHaveProperty('checked', true);
    expect(within(guest).getByRole('checkbox', { name: 'All, and folders shared later' })).toHaveProperty('checked', false);
    expect(within(guest).getByRole('checkbox', { name: 'Music' })).toHaveProperty('checked', true);
    expect(within(guest).getByRole('checkbox', { name: 'Pictures' })).toHaveProperty('checked', false);
    // The password is hidden until asked for, and can be copied.
    const password = within(guest).getByLabelText('Password') as HTMLInputElement;
    expect(password.type).toBe('password');
    fireEvent.click(within(guest).getByRole('button', { name: 'Show password of guest' }));
    expect(password.type).toBe('text');
    expect(password.value).toBe('guest-password-9x4q');
    expect(within(guest).getByRole('button', { name: 'Copy password of guest' })).toBeTruthy();
    // The share's switch says it applies on top of every account.
    expect(screen.getByText('Nobody can upload, rename or delete, whatever their account allows.')).toBeTruthy();
  });

  it('"Add a read-only guest" adds one in a click, with a new password shown at once', async () => {
    const { fake } = await renderApp();
    // One account: no rights to choose yet, as before.
    expect(screen.queryByRole('radio', { name: 'Download only' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Add a read-only guest' }));
    await waitFor(() => expect(fake.settings.access.mode === 'password' && fake.settings.access.otherAccounts?.length).toBe(1));
    const access = fake.settings.access;
    expect(access).toMatchObject({ mode: 'password', username: 'ftp', password: 'k7hq3mzt9wcx2vbn4pds' });
    const added = access.mode === 'password' ? access.otherAccounts![0]! : undefined;
    expect(added).toMatchObject({ username: 'guest', readOnly: true });
    expect(added!.password).toMatch(/^[abcdefghjkmnpqrstuvwxyz23456789]{20}$/);
    expect(added!.folders).toBeUndefined();

    const guest = await screen.findByRole('group', { name: 'Account guest' });
    expect((within(guest).getByLabelText('Password') as HTMLInputElement).type).toBe('text');
    expect(within(guest).getByLabelText('Password')).toHaveProperty('value', added!.password);
    expect(within(guest).getByRole('radio', { name: 'Download only' })).toHaveProperty('checked', true);

    // A second click makes guest-2.
    fireEvent.click(screen.getByRole('button', { name: 'Add a read-only guest' }));
    await screen.findByRole('group', { name: 'Account guest-2' });
  });

  it("edits one account's rights and folders, leaving the others as they were", async () => {
    const { fake } = await renderApp({ fake: twoAccounts() });
    const guest = account('guest');
    fireEvent.click(within(guest).getByRole('radio', { name: 'Download and change' }));
    await waitFor(() => expect(fake.settings.access).toMatchObject({ otherAccounts: [{ username: 'guest', folders: [MUSIC] }] }));
    const afterRights = fake.settings.access;
    expect(afterRights.mode === 'password' && afterRights.otherAccounts![0]!.readOnly).toBeUndefined();

    fireEvent.click(within(account('guest')).getByRole('checkbox', { name: 'Pictures' }));
    await waitFor(() => expect(fake.settings.access).toMatchObject({ otherAccounts: [{ folders: [PHOTOS, MUSIC] }] }));
    fireEvent.click(within(account('guest')).getByRole('checkbox', { name: 'All, and folders shared later' }));
    await waitFor(() => {
      const access = fake.settings.access;
      expect(access.mode === 'password' && access.otherAccounts![0]).toEqual({ username: 'guest', password: 'guest-password-9x4q' });
    });
    expect(fake.settings.access).toMatchObject({ username: 'ann', password: 'ann-password-k7hq3mzt' });

    // A new password for the guest is made in the window, not the owner's.
    fireEvent.click(within(account('guest')).getByRole('button', { name: 'Generate a password of guest' }));
    await waitFor(() => {
      const access = fake.settings.access;
      expect(access.mode === 'password' && access.otherAccounts![0]!.password).not.toBe('guest-password-9x4q');
    });
    expect(fake.callsTo('generatePassword')).toEqual([]);
  });

  it("shows a refused field on its own account, by the share's field path", async () => {
    const fake = twoAccounts();
    const update = fake.updateSettings.bind(fake);
    fake.updateSettings = async (patch) => {
      const access = patch.access;
      if (access?.mode === 'password' && access.otherAccounts?.some((a) => a.username.toLowerCase() === 'ann')) {
        return { ok: false as const, code: 'invalid-settings' as const, message: 'Invalid settings', fields: [{ field: 'access.otherAccounts[0].username', message: 'Another account has this user name' }] };
      }
      return update(patch);
    };
    await renderApp({ fake });
    const name = within(account('guest')).getByRole('textbox', { name: 'User name' });
    fireEvent.change(name, { target: { value: 'ANN' } });
    fireEvent.keyDown(name, { key: 'Enter' });
    const alert = await within(account('guest')).findByRole('alert');
    expect(alert.textContent).toBe('Another account has this user name');
    expect(within(account('ann')).queryByRole('alert')).toBeNull();
  });

  it('asks before removing an account with people signed in; Cancel keeps it', async () => {
    const fake = twoAccounts();
    await fake.start();
    fake.setSessions([session('s1', { user: 'guest' }), session('s2', { user: 'ann' })]);
    await renderApp({ fake });
    fireEvent.click(within(account('guest')).getByRole('button', { name: 'Remove account guest' }));
    const question = await screen.findByRole('alertdialog', { name: '1 person signed in as “guest” will be disconnected' });
    fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('alertdialog')).toBeNull());
    expect(fake.callsTo('updateSettings')).toEqual([]);

    fireEvent.click(within(account('guest')).getByRole('button', { name: 'Remove account guest' }));
    fireEvent.click(within(await screen.findByRole('alertdialog')).getByRole('button', { name: 'Disconnect them' }));
    await waitFor(() => expect(fake.settings.access).toEqual({ mode: 'password', username: 'ann', password: 'ann-password-k7hq3mzt' }));
    expect(screen.queryByRole('group', { name: 'Account guest' })).toBeNull();
    // The last account can't be removed: anonymous is the way to have none.
    expect(within(account('ann')).queryByRole('button', { name: /Remove account/ })).toBeNull();
  });

  it('anonymous keeps every account, and turning sign-in on again restores them all', async () => {
    const { fake } = await renderApp({ fake: twoAccounts() });
    const before = fake.settings.access;
    fireEvent.click(screen.getByRole('radio', { name: 'Anyone (anonymous)' }));
    await waitFor(() => expect(fake.settings.access.mode).toBe('anonymous'));
    expect(screen.getByText(/The 2 accounts come back when you turn sign-in on again/)).toBeTruthy();
    fireEvent.click(screen.getByRole('radio', { name: 'User name and password' }));
    await waitFor(() => expect(fake.settings.access).toEqual(before));
  });
});
