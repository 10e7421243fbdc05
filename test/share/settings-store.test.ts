import assert from 'node:assert/strict';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import {
  PASSWORD_NOTE,
  SettingsStore,
  SettingsValidationError,
  defaultConfigDir,
  type SecretEncryptor,
} from '../../core/share/settings-store.js';
import { defaultSettings, type ShareSettings } from '../../core/share/settings.js';
import { tempDir } from '../helpers/temp.js';

const isWindows = process.platform === 'win32';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A real (toy) encryptor: a prefix, then the text XOR-ed with a key byte. Decrypt checks both. */
class XorEncryptor implements SecretEncryptor {
  available = true;
  constructor(private readonly key = 0x5a) {}
  isAvailable(): boolean {
    return this.available;
  }
  encrypt(plain: string): Buffer {
    const body = Buffer.from(plain, 'utf8').map((b) => b ^ this.key);
    return Buffer.concat([Buffer.from([0xfe, this.key]), body]);
  }
  decrypt(data: Buffer): string {
    if (data[0] !== 0xfe || data[1] !== this.key) throw new Error('wrong key');
    return Buffer.from(data.subarray(2).map((b) => b ^ this.key)).toString('utf8');
  }
}

function sample(password = 'Sup3r-Secret-Pa55word'): ShareSettings {
  return {
    folders: [path.resolve(path.sep, 'srv', 'music')],
    port: 2323,
    readOnly: false,
    web: { enabled: false, port: 8181, qrSignIn: false },
    access: { mode: 'password', username: 'phone', password },
    ftps: 'explicit',
    requireTls: true,
    passivePorts: { min: 40000, max: 40010 },
    maxConnections: 1200,
    maxConnectionsPerAddress: 600,
    autoStopMinutes: 30,
    advertisedAddress: '192.168.1.20',
    launchAtLogin: true,
    mdns: false,
    notifyOnReceive: false,
    bandwidth: { downloadMBps: 5, uploadMBps: 1, perDeviceMBps: 0 },
    trayHintShown: true,
    version: 1,
  };
}

const file = (dir: string): string => path.join(dir, 'settings.json');
const backups = async (dir: string): Promise<string[]> =>
  (await readdir(dir)).filter((n) => n.startsWith('settings.json.corrupt-')).sort();

test('first load: defaults, saved at once so the generated password stays', async (t) => {
  const dir = path.join(await tempDir(t, 'ftp-share-settings-'), 'nested', 'config');
  const store = new SettingsStore({ dir });
  const first = await store.load();
  assert.equal(first.recovered, undefined);
  assert.equal(first.settings.port, 2121);
  assert.equal(first.settings.readOnly, true);
  assert.ok(first.settings.access.mode === 'password' && first.settings.access.username === 'ftp');
  const second = await new SettingsStore({ dir }).load();
  assert.deepEqual(second.settings, first.settings);
  if (!isWindows) {
    assert.equal((await stat(file(dir))).mode & 0o777, 0o600);
    assert.equal((await stat(dir)).mode & 0o777, 0o700);
  }
});

test('save + load round trip, with and without an encryptor, and for anonymous access', async (t) => {
  for (const encryptor of [undefined, new XorEncryptor()]) {
    const dir = await tempDir(t, 'ftp-share-settings-');
    const options = encryptor ? { dir, encryptor } : { dir };
    await new SettingsStore(options).save(sample());
    assert.deepEqual((await new SettingsStore(options).load()).settings, sample());
    const anonymous: ShareSettings = { ...sample(), access: { mode: 'anonymous' } };
    await new SettingsStore(options).save(anonymous);
    assert.deepEqual((await new SettingsStore(options).load()).settings, anonymous);
  }
});

test('a file saved before the connection limits existed loads with the defaults, as it is; saved limits read back', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  await new SettingsStore({ dir }).save(sample());
  const stored = JSON.parse(await readFile(file(dir), 'utf8')) as Record<string, unknown>;
  assert.equal(stored['maxConnections'], 1200);
  assert.equal(stored['maxConnectionsPerAddress'], 600);
  const { maxConnections: _total, maxConnectionsPerAddress: _perAddress, ...older } = stored;
  await writeFile(file(dir), JSON.stringify(older));
  const loaded = await new SettingsStore({ dir }).load();
  assert.equal(loaded.recovered, undefined);
  assert.deepEqual(loaded.settings, { ...sample(), maxConnections: 500, maxConnectionsPerAddress: 100 });
  assert.deepEqual(await backups(dir), []);
});

test('the account kept while anonymous is stored like the password: encrypted, or obfuscated with the note', async (t) => {
  const password = 'Kept-While-Anonymous-42';
  const kept: ShareSettings = { ...sample(), access: { mode: 'anonymous', account: { username: 'phone', password } } };
  for (const encryptor of [undefined, new XorEncryptor()]) {
    const dir = await tempDir(t, 'ftp-share-settings-');
    const options = encryptor ? { dir, encryptor } : { dir };
    await new SettingsStore(options).save(kept);
    const text = await readFile(file(dir), 'utf8');
    assert.ok(!text.includes(password));
    const stored = JSON.parse(text) as { access: { mode: string; account: Record<string, unknown> } };
    assert.equal(stored.access.mode, 'anonymous');
    assert.deepEqual(Object.keys(stored.access.account).sort(), encryptor ? ['passwordEncrypted', 'username'] : ['passwordNote', 'passwordObfuscated', 'username']);
    assert.deepEqual((await new SettingsStore(options).load()).settings, kept);
  }
  // Undecryptable (another keychain): the kept account is dropped, nothing else is lost or reported.
  const dir = await tempDir(t, 'ftp-share-settings-');
  await new SettingsStore({ dir, encryptor: new XorEncryptor(0x11) }).save(kept);
  const loaded = await new SettingsStore({ dir, encryptor: new XorEncryptor(0x22) }).load();
  assert.deepEqual(loaded.settings, { ...kept, access: { mode: 'anonymous' } });
  assert.equal(loaded.recovered, undefined);
});

test('atomic write: only settings.json remains, and the last save wins', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  const store = new SettingsStore({ dir });
  await Promise.all([1, 2, 3, 4, 5].map((n) => store.save({ ...sample(), port: 3000 + n })));
  assert.deepEqual(await readdir(dir), ['settings.json']);
  assert.equal((await store.load()).settings.port, 3005);
  assert.deepEqual(await readdir(dir), ['settings.json']);
});

test('with an encryptor the password never appears in the file', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  const password = 'Visible-If-Leaked-123';
  await new SettingsStore({ dir, encryptor: new XorEncryptor() }).save(sample(password));
  const text = await readFile(file(dir), 'utf8');
  assert.ok(!text.includes(password));
  assert.ok(!text.includes(Buffer.from(password).toString('base64')));
  const stored = JSON.parse(text) as { access: Record<string, unknown>; version: number };
  assert.equal(stored.version, 1);
  assert.deepEqual(Object.keys(stored.access).sort(), ['mode', 'passwordEncrypted', 'username']);
  assert.equal(new XorEncryptor().decrypt(Buffer.from(stored.access['passwordEncrypted'] as string, 'base64')), password);
});

test('without a usable keychain the password is obfuscated, and says it is not encrypted', async (t) => {
  for (const encryptor of [undefined, Object.assign(new XorEncryptor(), { available: false })]) {
    const dir = await tempDir(t, 'ftp-share-settings-');
    const password = 'Plain-Text-Would-Be-Bad';
    await new SettingsStore(encryptor ? { dir, encryptor } : { dir }).save(sample(password));
    const text = await readFile(file(dir), 'utf8');
    assert.ok(!text.includes(password));
    const access = (JSON.parse(text) as { access: Record<string, unknown> }).access;
    assert.equal(access['passwordNote'], PASSWORD_NOTE);
    assert.equal(Buffer.from(access['passwordObfuscated'] as string, 'base64').toString('utf8'), password);
    assert.equal(access['passwordEncrypted'], undefined);
  }
});

test('an obfuscated or hand-typed password is re-saved encrypted once a keychain is available', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  await new SettingsStore({ dir }).save(sample('Was-Obfuscated-1'));
  const loaded = await new SettingsStore({ dir, encryptor: new XorEncryptor() }).load();
  assert.equal(loaded.recovered, undefined);
  assert.ok(loaded.settings.access.mode === 'password' && loaded.settings.access.password === 'Was-Obfuscated-1');
  assert.ok((await readFile(file(dir), 'utf8')).includes('passwordEncrypted'));

  await writeFile(file(dir), JSON.stringify({ access: { mode: 'password', username: 'me', password: 'Typed-By-Hand-9' } }));
  const typed = await new SettingsStore({ dir, encryptor: new XorEncryptor() }).load();
  assert.ok(typed.settings.access.mode === 'password' && typed.settings.access.password === 'Typed-By-Hand-9');
  assert.equal(typed.settings.port, 2121, 'missing fields take defaults');
  const text = await readFile(file(dir), 'utf8');
  assert.ok(!text.includes('Typed-By-Hand-9'));
  assert.ok(text.includes('passwordEncrypted'));
});

async function assertMovedAside(dir: string, original: Buffer, reasonPattern: RegExp): Promise<void> {
  const store = new SettingsStore({ dir });
  const loaded = await store.load();
  assert.ok(loaded.recovered, 'recovered is reported');
  assert.match(loaded.recovered.reason, reasonPattern);
  assert.equal(loaded.recovered.lostPassword, undefined, 'the whole file was reset, not just the password');
  assert.deepEqual(loaded.settings.folders, []);
  assert.equal(loaded.settings.port, 2121);
  assert.equal(path.dirname(loaded.recovered.backupPath), dir);
  assert.match(path.basename(loaded.recovered.backupPath), /^settings\.json\.corrupt-\d{4}-\d\d-\d\dT[\d-]+Z(-\d+)?$/);
  assert.deepEqual(await readFile(loaded.recovered.backupPath), original, 'the backup holds the original bytes');
  // Defaults were saved in its place, and load again is clean.
  const again = await store.load();
  assert.equal(again.recovered, undefined);
  assert.deepEqual(again.settings, loaded.settings);
}

test('garbage bytes are moved aside and defaults used', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  const garbage = Buffer.from([0x00, 0xff, 0xfe, 0x7b, 0x22, 0x80, 0x81, 0x0a, 0xc3, 0x28]);
  await writeFile(file(dir), garbage);
  await assertMovedAside(dir, garbage, /not valid UTF-8/);
});

test('invalid JSON is moved aside; the reason does not quote the file', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  const text = Buffer.from('{"port": 2121, "access": {"mode": "password", "password": "Hunter2-Secret"');
  await writeFile(file(dir), text);
  await assertMovedAside(dir, text, /^The settings file is not valid JSON\.$/);
});

test('valid JSON of the wrong shape is moved aside', async (t) => {
  for (const [content, reason] of [
    ['[1, 2, 3]', /does not contain settings/],
    ['"settings"', /does not contain settings/],
    ['{"port": "two thousand", "folders": {}}', /invalid values \(Folders must be a list of paths; Port must be a whole number\)/],
    ['{"version": 2, "port": 2121}', /newer version of FTP Share/],
    [
      '{"maxConnections": 20000, "maxConnectionsPerAddress": "lots"}',
      /invalid values \(Connection limit must be between 1 and 10000; Connection limit per device must be a whole number\)/,
    ],
    ['{"maxConnections": 50, "maxConnectionsPerAddress": 80}', /invalid values \(Connection limit per device can't be more than the connection limit \(50\)\)/],
    ['{"access": {"mode": "password", "username": "u", "passwordObfuscated": "not base64!"}}', /damaged password/],
  ] as const) {
    const dir = await tempDir(t, 'ftp-share-settings-');
    await writeFile(file(dir), content);
    await assertMovedAside(dir, Buffer.from(content), reason);
  }
});

test('an unreadable settings file is moved aside', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  if (isRoot || isWindows) {
    // root reads any file whatever its mode, so a directory stands in for an unreadable file.
    t.diagnostic('running as root (or on Windows): a directory in place of the file stands in for chmod 000');
    await mkdir(file(dir));
    await writeFile(path.join(file(dir), 'inside'), 'kept');
    const loaded = await new SettingsStore({ dir }).load();
    assert.ok(loaded.recovered);
    assert.match(loaded.recovered.reason, /could not be read \(EISDIR\)/);
    assert.equal(await readFile(path.join(loaded.recovered.backupPath, 'inside'), 'utf8'), 'kept');
    assert.equal(loaded.settings.port, 2121);
    assert.ok((await stat(file(dir))).isFile());
    return;
  }
  const original = Buffer.from(JSON.stringify(sample()));
  await writeFile(file(dir), original);
  await chmod(file(dir), 0o000);
  const loaded = await new SettingsStore({ dir }).load();
  assert.ok(loaded.recovered);
  assert.match(loaded.recovered.reason, /could not be read \(EACCES\)/);
  await chmod(loaded.recovered.backupPath, 0o600);
  assert.deepEqual(await readFile(loaded.recovered.backupPath), original);
});

test('an undecryptable password: other settings kept, new password, a backup, reported', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  await new SettingsStore({ dir, encryptor: new XorEncryptor(0x11) }).save(sample('Old-Keychain-Pass'));
  const original = await readFile(file(dir));

  const store = new SettingsStore({ dir, encryptor: new XorEncryptor(0x22) });
  const loaded = await store.load();
  assert.ok(loaded.recovered);
  assert.match(loaded.recovered.reason, /could not be decrypted.*new password was generated/);
  // The window tells this apart from a reset file (renderer/app.tsx): only the password changed.
  assert.equal(loaded.recovered.lostPassword, true);
  assert.ok(!loaded.recovered.reason.includes('Old-Keychain-Pass'));
  assert.deepEqual(await readFile(loaded.recovered.backupPath), original);
  const { access, ...rest } = loaded.settings;
  const { access: _oldAccess, ...expectedRest } = sample();
  assert.deepEqual(rest, expectedRest);
  assert.ok(access.mode === 'password' && access.username === 'phone');
  assert.notEqual(access.password, 'Old-Keychain-Pass');
  assert.ok(access.password.length >= 16);

  // The new password was saved, so the next launch shows the same one.
  const again = await store.load();
  assert.equal(again.recovered, undefined);
  assert.deepEqual(again.settings, loaded.settings);
});

test('an encrypted password read without a keychain is reported, not silently lost', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  await new SettingsStore({ dir, encryptor: new XorEncryptor() }).save(sample());
  const loaded = await new SettingsStore({ dir }).load();
  assert.ok(loaded.recovered);
  assert.match(loaded.recovered.reason, /not available here/);
  assert.equal(loaded.settings.port, 2323);
  assert.match(await readFile(loaded.recovered.backupPath, 'utf8'), /passwordEncrypted/);
});

test('save refuses invalid settings and writes nothing', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  const store = new SettingsStore({ dir });
  await assert.rejects(
    store.save({ ...defaultSettings(), port: 0 }),
    (err: unknown) =>
      err instanceof SettingsValidationError &&
      err.errors.length === 1 &&
      err.errors[0]?.field === 'port' &&
      err.message === 'Invalid settings: Port must be between 1 and 65535',
  );
  assert.deepEqual(await readdir(dir), []);
});

test('a failing encryptor makes save fail instead of storing the password weaker', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  const broken: SecretEncryptor = {
    isAvailable: () => true,
    encrypt: () => {
      throw new Error('keychain locked');
    },
    decrypt: () => '',
  };
  await assert.rejects(new SettingsStore({ dir, encryptor: broken }).save(sample()), /Could not encrypt the password/);
  assert.deepEqual(await readdir(dir), []);
});

test('a file saved by Notepad (UTF-8 BOM) loads', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  await writeFile(file(dir), `\uFEFF${JSON.stringify({ port: 2500, access: { mode: 'anonymous' } })}`);
  const loaded = await new SettingsStore({ dir }).load();
  assert.equal(loaded.recovered, undefined);
  assert.equal(loaded.settings.port, 2500);
  assert.deepEqual(await backups(dir), []);
});

test('two bad loads in a row keep both backups', async (t) => {
  const dir = await tempDir(t, 'ftp-share-settings-');
  await writeFile(file(dir), 'first bad');
  const a = await new SettingsStore({ dir }).load();
  await writeFile(file(dir), 'second bad');
  const b = await new SettingsStore({ dir }).load();
  assert.notEqual(a.recovered?.backupPath, b.recovered?.backupPath);
  assert.equal((await backups(dir)).length, 2);
});

test('defaultConfigDir follows each platform convention', () => {
  assert.equal(defaultConfigDir('linux', {}, '/home/ann'), '/home/ann/.config/ftp-share');
  assert.equal(defaultConfigDir('linux', { XDG_CONFIG_HOME: '/xdg' }, '/home/ann'), '/xdg/ftp-share');
  // The XDG spec says relative values are invalid and must be ignored.
  assert.equal(defaultConfigDir('linux', { XDG_CONFIG_HOME: 'rel' }, '/home/ann'), '/home/ann/.config/ftp-share');
  assert.equal(defaultConfigDir('darwin', {}, '/Users/ann'), '/Users/ann/Library/Application Support/FTP Share');
  assert.equal(
    defaultConfigDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann'),
    'C:\\Users\\ann\\AppData\\Roaming\\FTP Share',
  );
  assert.equal(defaultConfigDir('win32', {}, 'C:\\Users\\ann'), 'C:\\Users\\ann\\AppData\\Roaming\\FTP Share');
  assert.ok(path.isAbsolute(defaultConfigDir()));
});
