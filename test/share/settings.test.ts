import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import {
  GENERATED_PASSWORD_LENGTH,
  PASSWORD_ALPHABET,
  defaultSettings,
  generatePassword,
  validateSettings,
  type SettingsFieldError,
  type ShareSettings,
} from '../../core/share/settings.js';

const abs = (...parts: string[]): string => path.resolve(path.sep, ...parts);

function errorsOf(input: unknown): SettingsFieldError[] {
  const result = validateSettings(input);
  assert.equal(result.ok, false, `expected errors for ${JSON.stringify(input)}`);
  return result.ok ? [] : result.errors;
}

function assertError(input: unknown, field: string, message: string): void {
  assert.deepEqual(errorsOf(input), [{ field, message }]);
}

function valid(input: unknown): ShareSettings {
  const result = validateSettings(input);
  assert.ok(result.ok, `expected valid: ${JSON.stringify(result.ok ? null : result.errors)}`);
  return result.value;
}

test('generatePassword: long, from the readable alphabet, never the same twice', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 200; i++) {
    const password = generatePassword();
    assert.equal(password.length, GENERATED_PASSWORD_LENGTH);
    assert.ok(password.length >= 16);
    for (const ch of password) assert.ok(PASSWORD_ALPHABET.includes(ch), ch);
    seen.add(password);
  }
  assert.equal(seen.size, 200);
  for (const lookAlike of ['0', 'o', 'O', '1', 'l', 'I', 'i']) assert.ok(!PASSWORD_ALPHABET.includes(lookAlike));
  assert.equal(generatePassword(32).length, 32);
});

test('defaultSettings: port 2121, read-only, password account "ftp", FTPS off', () => {
  const d = defaultSettings();
  assert.deepEqual({ ...d, access: { ...d.access, password: '<generated>' } }, {
    folders: [],
    port: 2121,
    readOnly: true,
    web: { enabled: true, port: 8080, qrSignIn: true },
    access: { mode: 'password', username: 'ftp', password: '<generated>' },
    ftps: 'off',
    requireTls: false,
    maxConnections: 500,
    maxConnectionsPerAddress: 100,
    autoStopMinutes: 0,
    launchAtLogin: false,
    mdns: true,
    notifyOnReceive: true,
    bandwidth: { downloadMBps: 0, uploadMBps: 0, perDeviceMBps: 0 },
    trayHintShown: false,
    version: 1,
  });
  assert.ok(d.access.mode === 'password' && d.access.password.length >= 16);
  const other = defaultSettings();
  assert.ok(other.access.mode === 'password' && d.access.mode === 'password');
  assert.notEqual(other.access.password, d.access.password);
});

test('missing fields take defaults (old files upgrade); unknown fields are dropped', () => {
  const value = valid({ port: 3000, someFutureField: true, folders: [abs('srv', 'share')] });
  assert.equal(value.port, 3000);
  assert.deepEqual(value.folders, [abs('srv', 'share')]);
  assert.equal(value.readOnly, true);
  assert.equal(value.ftps, 'off');
  assert.equal(value.version, 1);
  assert.ok(!('someFutureField' in value));
  assert.ok(value.access.mode === 'password' && value.access.username === 'ftp');
  assert.equal(valid({}).port, 2121);
});

test('a complete valid settings object passes unchanged', () => {
  const full: ShareSettings = {
    folders: [abs('home', 'me', 'Music'), abs('home', 'me', 'Photos')],
    port: 2222,
    readOnly: false,
    web: { enabled: false, port: 8181, qrSignIn: false },
    access: { mode: 'password', username: 'phone', password: 'correct horse battery staple' },
    ftps: 'explicit',
    requireTls: true,
    passivePorts: { min: 50000, max: 50100 },
    maxConnections: 2000,
    maxConnectionsPerAddress: 2000,
    autoStopMinutes: 60,
    advertisedAddress: '192.168.1.20',
    launchAtLogin: true,
    mdns: false,
    notifyOnReceive: false,
    bandwidth: { downloadMBps: 4, uploadMBps: 0.5, perDeviceMBps: 10_000 },
    trayHintShown: true,
    version: 1,
  };
  assert.deepEqual(valid(full), full);
  assert.deepEqual(valid({ ...full, access: { mode: 'anonymous', password: 'ignored' } }).access, { mode: 'anonymous' });
  // The account kept while anonymous: whole, or dropped when damaged (nobody typed it).
  const account = { username: 'phone', password: 'kept pw' };
  assert.deepEqual(valid({ ...full, access: { mode: 'anonymous', account } }).access, { mode: 'anonymous', account });
  assert.deepEqual(valid({ ...full, access: { mode: 'anonymous', account: { username: '', password: 'x' } } }).access, { mode: 'anonymous' });
  assert.deepEqual(valid({ ...full, access: { mode: 'anonymous', account: 'phone' } }).access, { mode: 'anonymous' });
  assert.equal(valid({ ...full, advertisedAddress: 'my-pc.local' }).advertisedAddress, 'my-pc.local');
  assert.equal(valid({ ...full, advertisedAddress: 'fe80::1' }).advertisedAddress, 'fe80::1');
  assert.ok(!('advertisedAddress' in valid({ ...full, advertisedAddress: '' })));
  assert.ok(!('passivePorts' in valid({ ...full, passivePorts: null })));
  assert.equal(valid({ ...full, ftps: 'implicit', requireTls: false }).ftps, 'implicit');
});

test('port errors', () => {
  assertError({ port: 0 }, 'port', 'Port must be between 1 and 65535');
  assertError({ port: 65536 }, 'port', 'Port must be between 1 and 65535');
  assertError({ port: 21.5 }, 'port', 'Port must be a whole number');
  assertError({ port: '2121' }, 'port', 'Port must be a whole number');
  assertError({ port: Number.NaN }, 'port', 'Port must be a whole number');
});

test('access errors', () => {
  assertError({ access: { mode: 'password', username: 'ftp', password: '' } }, 'access.password', "Password can't be empty");
  assertError({ access: { mode: 'password', username: 'ftp' } }, 'access.password', "Password can't be empty");
  assertError({ access: { mode: 'password', username: '', password: 'x' } }, 'access.username', "User name can't be empty");
  assertError({ access: { mode: 'password', username: ' ftp', password: 'x' } }, 'access.username', "User name can't start or end with a space");
  assertError({ access: { mode: 'password', username: 'ftp', password: 'a\r\nDELE x' } }, 'access.password', "Password can't contain line breaks");
  assertError({ access: { mode: 'password', username: 'ftp', password: 'x'.repeat(257) } }, 'access.password', 'Password must be at most 256 characters');
  assertError({ access: { mode: 'guest' } }, 'access.mode', 'Access must be anonymous or password');
  assertError({ access: 'anonymous' }, 'access', 'Access must be anonymous or password');
  assert.deepEqual(
    errorsOf({ access: { mode: 'password' } }).map((e) => e.field),
    ['access.username', 'access.password'],
  );
});

test('FTPS and TLS errors', () => {
  assertError({ ftps: 'tls' }, 'ftps', 'FTPS must be off, explicit or implicit');
  assertError({ requireTls: true }, 'requireTls', 'Requiring TLS needs FTPS to be turned on');
  assertError({ requireTls: true, ftps: 'off' }, 'requireTls', 'Requiring TLS needs FTPS to be turned on');
  assertError({ requireTls: 'yes', ftps: 'explicit' }, 'requireTls', 'Require TLS must be true or false');
});

test('passive port range errors', () => {
  assertError({ passivePorts: { min: 50100, max: 50000 } }, 'passivePorts', 'Passive port range must have min ≤ max');
  assertError({ passivePorts: { min: 80, max: 50000 } }, 'passivePorts.min', 'Lowest passive port must be between 1024 and 65535');
  assertError({ passivePorts: { min: 50000, max: 70000 } }, 'passivePorts.max', 'Highest passive port must be between 1024 and 65535');
  assertError({ passivePorts: { min: 50000 } }, 'passivePorts.max', 'Highest passive port is required');
  assertError({ passivePorts: [50000, 50100] }, 'passivePorts', 'Passive port range must have a min and a max');
  assertError({ port: 50050, passivePorts: { min: 50000, max: 50100 } }, 'passivePorts', "Passive port range can't include the control port 50050");
  assert.deepEqual(valid({ passivePorts: { min: 50000, max: 50000 } }).passivePorts, { min: 50000, max: 50000 });
});

test('connection limits: whole numbers from 1 to 10,000, per device at most the total; missing ones take the defaults', () => {
  assert.deepEqual(pick(valid({})), { maxConnections: 500, maxConnectionsPerAddress: 100 });
  assert.deepEqual(pick(valid({ maxConnectionsPerAddress: 500 })), { maxConnections: 500, maxConnectionsPerAddress: 500 });
  assert.deepEqual(pick(valid({ maxConnections: 10_000, maxConnectionsPerAddress: 1 })), { maxConnections: 10_000, maxConnectionsPerAddress: 1 });
  assertError({ maxConnections: 0 }, 'maxConnections', 'Connection limit must be between 1 and 10000');
  assertError({ maxConnections: 10_001, maxConnectionsPerAddress: 5 }, 'maxConnections', 'Connection limit must be between 1 and 10000');
  assertError({ maxConnections: 250.5 }, 'maxConnections', 'Connection limit must be a whole number');
  assertError({ maxConnections: '1000' }, 'maxConnections', 'Connection limit must be a whole number');
  assertError({ maxConnectionsPerAddress: -1 }, 'maxConnectionsPerAddress', 'Connection limit per device must be between 1 and 10000');
  assertError({ maxConnectionsPerAddress: null }, 'maxConnectionsPerAddress', 'Connection limit per device must be a whole number');
  assertError({ maxConnectionsPerAddress: 501 }, 'maxConnectionsPerAddress', "Connection limit per device can't be more than the connection limit (500)");
  assertError({ maxConnections: 50, maxConnectionsPerAddress: 60 }, 'maxConnectionsPerAddress', "Connection limit per device can't be more than the connection limit (50)");
  // A wrong total is reported once, not again as a total the per-device limit exceeds.
  assertError({ maxConnections: 'many', maxConnectionsPerAddress: 600 }, 'maxConnections', 'Connection limit must be a whole number');
});

function pick({ maxConnections, maxConnectionsPerAddress }: ShareSettings): Pick<ShareSettings, 'maxConnections' | 'maxConnectionsPerAddress'> {
  return { maxConnections, maxConnectionsPerAddress };
}

test('folder errors', () => {
  assertError({ folders: 'C:\\Music' }, 'folders', 'Folders must be a list of paths');
  assertError({ folders: ['relative/dir'] }, 'folders[0]', 'Folder path must be absolute: relative/dir');
  assertError({ folders: [abs('a'), ''] }, 'folders[1]', "Folder path can't be empty");
  assertError({ folders: [abs('a'), 42] }, 'folders[1]', "Folder path can't be empty");
  assertError({ folders: [abs('a'), abs('a')] }, 'folders[1]', `Folder is listed twice: ${abs('a')}`);
  assertError({ folders: [`${abs('a')}\0b`] }, 'folders[0]', "Folder path can't contain a NUL character");
});

test('other field errors', () => {
  assertError({ autoStopMinutes: -1 }, 'autoStopMinutes', 'Auto-stop must be a whole number of minutes (0 = off)');
  assertError({ autoStopMinutes: 1.5 }, 'autoStopMinutes', 'Auto-stop must be a whole number of minutes (0 = off)');
  assertError({ autoStopMinutes: 50_000 }, 'autoStopMinutes', 'Auto-stop can be at most 10080 minutes (one week)');
  assertError({ advertisedAddress: 'not an address!' }, 'advertisedAddress', 'Advertised address must be an IP address or a host name');
  assertError({ advertisedAddress: 42 }, 'advertisedAddress', 'Advertised address must be an IP address or a host name');
  assertError({ readOnly: 'true' }, 'readOnly', 'Read-only must be true or false');
  assertError({ launchAtLogin: 1 }, 'launchAtLogin', 'Launch at login must be true or false');
  assertError({ trayHintShown: null }, 'trayHintShown', 'Tray hint shown must be true or false');
  assertError({ notifyOnReceive: 'yes' }, 'notifyOnReceive', 'Notify when files arrive must be true or false');
  assertError({ bandwidth: { downloadMBps: -1 } }, 'bandwidth.downloadMBps', 'Download cap must be a number of MB/s (0 = unlimited)');
  assertError({ bandwidth: { uploadMBps: Number.NaN } }, 'bandwidth.uploadMBps', 'Upload cap must be a number of MB/s (0 = unlimited)');
  assertError({ bandwidth: { uploadMBps: Infinity } }, 'bandwidth.uploadMBps', 'Upload cap must be a number of MB/s (0 = unlimited)');
  assertError({ bandwidth: { perDeviceMBps: '5' } }, 'bandwidth.perDeviceMBps', 'Per-device cap must be a number of MB/s (0 = unlimited)');
  assertError({ bandwidth: { downloadMBps: 10_000.5 } }, 'bandwidth.downloadMBps', 'Download cap can be at most 10,000 MB/s');
  assertError({ bandwidth: 5 }, 'bandwidth', 'Bandwidth caps must be an object');
  assertError({ version: 2 }, 'version', 'These settings were saved by a newer version of FTP Share');
  assertError({ version: '1' }, 'version', 'Settings version must be 1');
});

test('bandwidth caps: MB/s from 0 (unlimited) to 10,000, missing ones keep their default', () => {
  assert.deepEqual(valid({}).bandwidth, { downloadMBps: 0, uploadMBps: 0, perDeviceMBps: 0 });
  assert.deepEqual(valid({ bandwidth: { downloadMBps: 4 } }).bandwidth, { downloadMBps: 4, uploadMBps: 0, perDeviceMBps: 0 });
  assert.deepEqual(valid({ bandwidth: { downloadMBps: 0.25, uploadMBps: 10_000, perDeviceMBps: 1 } }).bandwidth, { downloadMBps: 0.25, uploadMBps: 10_000, perDeviceMBps: 1 });
});

test('every problem is reported at once; non-objects are refused', () => {
  assert.deepEqual(
    errorsOf({ port: 0, ftps: 'nope', autoStopMinutes: -5, access: { mode: 'password', username: 'u', password: '' } }).map(
      (e) => e.field,
    ),
    ['port', 'access.password', 'ftps', 'autoStopMinutes'],
  );
  for (const input of [null, 42, 'settings', [], undefined]) {
    assert.deepEqual(errorsOf(input), [{ field: '', message: 'Settings must be an object' }]);
  }
});
