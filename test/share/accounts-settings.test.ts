/**
 * Several accounts in the settings: validation with field paths (duplicate names, empty
 * passwords, folders that aren't shared), every password stored through the keychain or
 * obfuscated form, a one-account file from before accounts loading unchanged, and folders that
 * stop being shared leaving the accounts that saw them.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  accountList,
  accountsOf,
  checkAccounts,
  defaultSettings,
  validateSettings,
  withoutUnsharedFolders,
  type AccessSettings,
  type ShareSettings,
} from '../../core/share/settings.js';
import { PASSWORD_NOTE, SettingsStore, type SecretEncryptor } from '../../core/share/settings-store.js';
import { tempDir } from '../helpers/temp.js';

const PHOTOS = path.resolve('/srv/Photos');
const MUSIC = path.resolve('/srv/Music');
const DOCS = path.resolve('/srv/Docs');
const FOLDERS = [PHOTOS, MUSIC, DOCS];

/** A reversible stand-in for the OS keychain (safeStorage): XOR with a fixed key. */
class FakeKeychain implements SecretEncryptor {
  constructor(private readonly key = 0x5a) {}
  isAvailable(): boolean {
    return true;
  }
  encrypt(plain: string): Buffer {
    return Buffer.from(Buffer.from(plain, 'utf8').map((b) => b ^ this.key));
  }
  decrypt(data: Buffer): string {
    if (data[0] === undefined) throw new Error('empty');
    return Buffer.from(data.map((b) => b ^ this.key)).toString('utf8');
  }
}

function settingsWith(access: unknown, folders: string[] = FOLDERS): unknown {
  return { ...defaultSettings(), folders, access };
}

function errorsOf(access: unknown, folders?: string[]): { field: string; message: string }[] {
  const result = validateSettings(settingsWith(access, folders));
  assert.ok(!result.ok, 'expected validation errors');
  return result.errors;
}

const owner = { username: 'ann', password: 'owner-password-1' };
const guest = { username: 'guest', password: 'guest-password-2', readOnly: true, folders: [MUSIC] };

test('several accounts validate and normalise: readOnly false dropped, folders kept once, one account has no list', () => {
  const result = validateSettings(settingsWith({ mode: 'password', ...owner, readOnly: false, otherAccounts: [{ ...guest, folders: [MUSIC, MUSIC] }] }));
  assert.ok(result.ok, JSON.stringify(!result.ok && result.errors));
  assert.deepEqual(result.value.access, { mode: 'password', ...owner, otherAccounts: [guest] });
  assert.deepEqual(accountsOf(result.value.access), [owner, guest]);

  const single = validateSettings(settingsWith({ mode: 'password', ...owner, otherAccounts: [] }));
  assert.ok(single.ok);
  assert.deepEqual(single.value.access, { mode: 'password', ...owner });
  assert.deepEqual(accountList([owner]), owner);
  assert.deepEqual(accountsOf({ mode: 'anonymous', account: owner }), [], 'nobody signs in with a kept account');
});

test('every account problem is reported with its field path', () => {
  // Duplicate names, ignoring case; the first account's fields sit at the top of `access`.
  assert.deepEqual(errorsOf({ mode: 'password', ...owner, otherAccounts: [{ username: 'ANN', password: 'x' }] }), [
    { field: 'access.otherAccounts[0].username', message: 'Another account has this user name' },
  ]);
  // Empty and missing passwords, empty names.
  assert.deepEqual(
    errorsOf({ mode: 'password', ...owner, otherAccounts: [{ username: 'bob', password: '' }, { username: ' ', password: 'x' }, { username: 'cy' }] }),
    [
      { field: 'access.otherAccounts[0].password', message: "Password can't be empty" },
      { field: 'access.otherAccounts[1].username', message: "User name can't be empty" },
      { field: 'access.otherAccounts[2].password', message: "Password can't be empty" },
    ],
  );
  // Folders that aren't shared, on the first account and on another.
  assert.deepEqual(
    errorsOf({ mode: 'password', ...owner, folders: ['/srv/Elsewhere'], otherAccounts: [{ ...guest, folders: [MUSIC, '/srv/Nope', 3] }] }),
    [
      { field: 'access.folders[0]', message: 'Not a shared folder: /srv/Elsewhere' },
      { field: 'access.otherAccounts[0].folders[1]', message: 'Not a shared folder: /srv/Nope' },
      { field: 'access.otherAccounts[0].folders[2]', message: 'Folders must be shared folders' },
    ],
  );
  // Wrong types.
  assert.deepEqual(errorsOf({ mode: 'password', ...owner, otherAccounts: { guest } }), [{ field: 'access.otherAccounts', message: 'Other accounts must be a list' }]);
  assert.deepEqual(errorsOf({ mode: 'password', ...owner, otherAccounts: ['guest', { ...guest, readOnly: 'yes', folders: MUSIC }] }), [
    { field: 'access.otherAccounts[0]', message: 'An account needs a user name and a password' },
    { field: 'access.otherAccounts[1].readOnly', message: 'Read-only must be true or false' },
    { field: 'access.otherAccounts[1].folders', message: 'Folders must be a list of shared folders' },
  ]);
  // The messages never quote a password, even one typed where a name goes.
  const typedInName = errorsOf({ mode: 'password', ...owner, otherAccounts: [{ username: 'secret-typed-here\n', password: 'x' }] });
  assert.ok(!JSON.stringify(typedInName).includes('secret-typed-here'));
});

test('checkAccounts takes the field paths of its caller (the CLI file names its own)', () => {
  const checked = checkAccounts([{ username: 'a', password: 'p' }, { username: 'A', password: '' }], FOLDERS, (i, key) => `accounts[${i}]${key ? `.${key}` : ''}`);
  assert.deepEqual(checked.accounts, [{ username: 'a', password: 'p' }]);
  assert.deepEqual(checked.errors.map((e) => e.field), ['accounts[1].username', 'accounts[1].password']);
});

test('the accounts kept while anonymous: damaged ones are dropped quietly, unshared folders left out', () => {
  const result = validateSettings(
    settingsWith({
      mode: 'anonymous',
      account: { ...owner, otherAccounts: [{ username: 'bad', password: '' }, { ...guest, folders: [MUSIC, '/srv/Gone'] }, { username: 'Guest', password: 'dup' }] },
    }),
  );
  assert.ok(result.ok);
  assert.deepEqual(result.value.access, { mode: 'anonymous', account: { ...owner, otherAccounts: [guest] } });
});

test('folders that stop being shared leave every account, the kept ones too; an account never falls back to all', () => {
  const access: AccessSettings = { mode: 'password', ...owner, otherAccounts: [guest, { username: 'docs', password: 'p', folders: [DOCS, PHOTOS] }] };
  assert.deepEqual(withoutUnsharedFolders(access, [PHOTOS, DOCS]), {
    mode: 'password',
    ...owner,
    otherAccounts: [{ ...guest, folders: [] }, { username: 'docs', password: 'p', folders: [DOCS, PHOTOS] }],
  });
  const { mode: _mode, ...kept } = access;
  assert.deepEqual(withoutUnsharedFolders({ mode: 'anonymous', account: kept }, [PHOTOS]), {
    mode: 'anonymous',
    account: { ...owner, otherAccounts: [{ ...guest, folders: [] }, { username: 'docs', password: 'p', folders: [PHOTOS] }] },
  });
  // An empty list is valid: that account sees no folder.
  assert.ok(validateSettings(settingsWith(withoutUnsharedFolders(access, [PHOTOS]), [PHOTOS])).ok);
});

test('a settings file from before accounts (one account, obfuscated) loads unchanged and is not rewritten', async (t) => {
  const dir = await tempDir(t);
  // Exactly what the previous version wrote, byte for byte in form.
  const old = {
    version: 1,
    folders: [PHOTOS],
    port: 2121,
    readOnly: false,
    ftps: 'off',
    requireTls: false,
    autoStopMinutes: 0,
    launchAtLogin: false,
    mdns: true,
    trayHintShown: true,
    access: { mode: 'password', username: 'phone', passwordObfuscated: Buffer.from('Old-Password-77').toString('base64'), passwordNote: PASSWORD_NOTE },
  };
  const text = `${JSON.stringify(old, null, 2)}\n`;
  await writeFile(path.join(dir, 'settings.json'), text);
  const loaded = await new SettingsStore({ dir }).load();
  assert.equal(loaded.recovered, undefined);
  assert.deepEqual(loaded.settings.access, { mode: 'password', username: 'phone', password: 'Old-Password-77' });
  assert.deepEqual(accountsOf(loaded.settings.access), [{ username: 'phone', password: 'Old-Password-77' }]);
  assert.equal(await readFile(path.join(dir, 'settings.json'), 'utf8'), text, 'loading did not rewrite it');

  // Saved again by this version, its access is stored as it was (other settings may have been added since).
  await new SettingsStore({ dir }).save(loaded.settings);
  assert.deepEqual(JSON.parse(await readFile(path.join(dir, 'settings.json'), 'utf8')).access, old.access);

  // The anonymous form with a kept account loads too.
  const anonymous = { ...old, access: { mode: 'anonymous', account: old.access } };
  await writeFile(path.join(dir, 'settings.json'), JSON.stringify(anonymous));
  const again = await new SettingsStore({ dir }).load();
  assert.deepEqual(again.settings.access, { mode: 'anonymous', account: { username: 'phone', password: 'Old-Password-77' } });
});

for (const keychain of [true, false]) {
  test(`every account's password is stored ${keychain ? 'through the keychain' : 'obfuscated'}, never in clear, and loads back`, async (t) => {
    const dir = await tempDir(t);
    const encryptor = keychain ? new FakeKeychain() : undefined;
    const store = new SettingsStore({ dir, ...(encryptor ? { encryptor } : {}) });
    const settings: ShareSettings = {
      ...defaultSettings(),
      folders: FOLDERS,
      access: { mode: 'password', ...owner, otherAccounts: [guest, { username: 'bob', password: 'bob-password-3', folders: [] }] },
    };
    await store.save(settings);
    const text = await readFile(path.join(dir, 'settings.json'), 'utf8');
    for (const secret of ['owner-password-1', 'guest-password-2', 'bob-password-3']) assert.ok(!text.includes(secret), `${secret} is not in clear`);
    const stored = JSON.parse(text).access as Record<string, unknown> & { otherAccounts: Record<string, unknown>[] };
    const form = keychain ? ['passwordEncrypted', 'username'] : ['passwordNote', 'passwordObfuscated', 'username'];
    assert.deepEqual(Object.keys(stored).sort(), ['mode', 'otherAccounts', ...form].sort());
    assert.deepEqual(Object.keys(stored.otherAccounts[0]!).sort(), ['folders', 'readOnly', ...form].sort());
    assert.deepEqual(stored.otherAccounts[0]!['folders'], [MUSIC]);
    assert.deepEqual((await store.load()).settings.access, settings.access);

    // Kept while anonymous, in the same form.
    const { mode: _mode, ...list } = settings.access as Extract<AccessSettings, { mode: 'password' }>;
    await store.save({ ...settings, access: { mode: 'anonymous', account: list } });
    const kept = await readFile(path.join(dir, 'settings.json'), 'utf8');
    for (const secret of ['owner-password-1', 'guest-password-2']) assert.ok(!kept.includes(secret));
    assert.deepEqual((await new SettingsStore({ dir, ...(encryptor ? { encryptor } : {}) }).load()).settings.access, { mode: 'anonymous', account: list });
  });
}

test("another account's password that can't be decrypted is replaced and reported, the others kept", async (t) => {
  const dir = await tempDir(t);
  const settings: ShareSettings = { ...defaultSettings(), folders: FOLDERS, access: { mode: 'password', ...owner, otherAccounts: [guest] } };
  await new SettingsStore({ dir, encryptor: new FakeKeychain() }).save(settings);
  // The guest's password was encrypted with another key (another machine's keychain).
  const file = path.join(dir, 'settings.json');
  const stored = JSON.parse(await readFile(file, 'utf8'));
  stored.access.otherAccounts[0].passwordEncrypted = Buffer.alloc(0).toString('base64');
  await writeFile(file, JSON.stringify(stored));
  const loaded = await new SettingsStore({ dir, encryptor: new FakeKeychain() }).load();
  assert.match(loaded.recovered?.reason ?? '', /could not be decrypted/);
  const [first, second] = accountsOf(loaded.settings.access);
  assert.deepEqual(first, owner);
  assert.equal(second?.username, 'guest');
  assert.notEqual(second?.password, guest.password);
  assert.ok((second?.password.length ?? 0) >= 16);
  assert.deepEqual(second?.folders, [MUSIC]);
});
