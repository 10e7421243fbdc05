/**
 * The `ftp-share` command line: one table of options, from which both the parser and `--help`
 * are made, so the help can't miss an option or misstate a default.
 *
 * The parser is ours rather than `util.parseArgs`: that one answers `--port -1` with "argument is
 * ambiguous" and an unknown option with advice about `--`, neither of which helps a person. Here
 * an option that takes a value takes the next argument, whatever it looks like, and every problem
 * is one line that says what to type instead.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { defaults } from '../defaults.js';
import { MAX_BANDWIDTH_MBPS } from '../share/settings.js';
import { MAX_CONNECTION_LIMIT } from '../share/contract.js';

/** A bad command line: printed as `ftp-share: <message>`, exit code 2. */
export class UsageError extends Error {}

/** Which command an option belongs to: sharing from the terminal, the `--ui` window, or both. */
type Applies = 'share' | 'ui' | 'both';

/** One option of the table. */
interface OptionSpec {
  /** Long name without the dashes. */
  name: string;
  /** The value's placeholder in the help (`N`, `DIR`); absent for a switch. */
  value?: string;
  short?: string;
  applies: Applies;
  /** One line for `--help`. */
  help: string;
  /** The default as the help states it; absent when there is nothing to state. */
  default?: string;
  /**
   * What the value is: free text (a name; one with a path separator reads as a forgotten value
   * followed by the folder), a fixed `format` (a number, a mode: checked later, and a bad one that
   * looks like a folder is reported as a forgotten value, `--ftps /srv/share`), or `any` (a path
   * or a password, free to look like anything).
   */
  kind?: 'text' | 'format' | 'any';
  /** Why it doesn't apply in the other mode (for the error). */
  whyNot?: string;
}

/** Every option, in the order `--help` lists them. */
export const OPTIONS: readonly OptionSpec[] = [
  { name: 'writable', applies: 'both', help: 'allow uploads, renames and deletes', default: 'read-only' },
  { name: 'read-only', applies: 'both', help: 'allow downloads only (the default)' },
  { name: 'user', value: 'NAME', applies: 'both', help: 'require this user name, with a password', default: 'anyone may log in' },
  { name: 'password', value: 'PW', kind: 'any', applies: 'both', help: 'require this password (or set FTP_SHARE_PASSWORD)', default: 'none' },
  { name: 'generate-password', applies: 'both', help: 'require a strong new password, printed at start' },
  {
    name: 'accounts',
    value: 'FILE',
    kind: 'any',
    applies: 'share',
    help: 'accounts from a JSON file (mode 0600): [{"user", "password", "readOnly"?, "folders"?}]',
    whyNot: "add accounts in the window's Access card",
  },
  { name: 'port', value: 'N', kind: 'format', applies: 'both', help: 'FTP port, 0 for any free one', default: String(defaults.port) },
  {
    name: 'web-port',
    value: 'N',
    kind: 'format',
    applies: 'both',
    help: 'port of the web page for phones and browsers, 0 for any free one',
    default: `${defaults.webPort}; any free one with --port 0`,
  },
  { name: 'no-web', applies: 'both', help: "don't serve the web page for phones and browsers", default: 'served' },
  { name: 'host', value: 'ADDR', applies: 'share', help: 'listen on this address only', default: 'all', whyNot: 'the window shares on every address' },
  { name: 'ftps', value: 'explicit|implicit', kind: 'format', applies: 'both', help: 'FTP over TLS', default: 'off' },
  { name: 'require-tls', applies: 'both', help: 'with --ftps explicit, refuse clients without TLS' },
  { name: 'cert', value: 'FILE', kind: 'any', applies: 'both', help: 'FTPS certificate (PEM), with --key', default: 'a generated one' },
  { name: 'key', value: 'FILE', kind: 'any', applies: 'both', help: 'private key (PEM) of --cert' },
  { name: 'cert-dir', value: 'DIR', kind: 'any', applies: 'both', help: 'where the generated certificate is kept', default: 'certificates in the config folder' },
  { name: 'passive-ports', value: 'A-B', kind: 'format', applies: 'both', help: 'ports for passive data connections', default: 'any free port' },
  { name: 'public-host', value: 'HOST', applies: 'share', help: 'address PASV announces, behind NAT', default: 'the one the client reached', whyNot: 'choose the address in the window' },
  {
    name: 'max-connections',
    value: 'N',
    kind: 'format',
    applies: 'both',
    help: 'connections at once, for FTP and for the web page each',
    default: String(defaults.maxConnections),
  },
  {
    name: 'max-connections-per-address',
    value: 'N',
    kind: 'format',
    applies: 'both',
    help: 'connections at once from one address, for each',
    default: String(defaults.maxConnectionsPerIp),
  },
  { name: 'max-download', value: 'MBPS', kind: 'format', applies: 'both', help: 'cap on downloads in MB/s, FTP and web page together, 0 = none', default: 'unlimited' },
  { name: 'max-upload', value: 'MBPS', kind: 'format', applies: 'both', help: 'cap on uploads in MB/s, FTP and web page together, 0 = none', default: 'unlimited' },
  { name: 'no-mdns', applies: 'both', help: "don't advertise the share by name (mDNS); FTP_SHARE_NO_MDNS=1 too", default: 'advertised' },
  { name: 'json', applies: 'both', help: 'print one JSON object per event instead of text' },
  { name: 'verbose', applies: 'share', help: 'with --json, also print every command and reply', whyNot: "the window's log shows commands at its debug level" },
  { name: 'debug', applies: 'share', help: 'also log every command received', whyNot: "the window's log shows debug lines" },
  { name: 'ui', applies: 'both', help: 'open the window in a browser; the options above become its settings' },
  { name: 'ui-port', value: 'N', kind: 'format', applies: 'ui', help: "port of the window's page on 127.0.0.1", default: 'any free port' },
  { name: 'no-open', applies: 'ui', help: "print the window's address, don't open a browser" },
  { name: 'config-dir', value: 'DIR', kind: 'any', applies: 'ui', help: "where the window's settings are saved", default: 'web-ui in the config folder' },
  { name: 'version', applies: 'both', help: 'print the version' },
  { name: 'help', short: 'h', applies: 'both', help: 'print this help' },
];

const BY_NAME = new Map(OPTIONS.map((o) => [o.name, o]));
const BY_SHORT = new Map(OPTIONS.filter((o) => o.short).map((o) => [o.short!, o]));

/** What the command line asked for. */
export interface CommandLine {
  /** `--ui` was given. */
  ui: boolean;
  /** Values of the options given (switches are `true`), by long name. */
  values: ReadonlyMap<string, string | true>;
  positionals: string[];
}

/** The value of an option that takes one, when given. */
export function optionValue(line: CommandLine, name: string): string | undefined {
  const value = line.values.get(name);
  return typeof value === 'string' ? value : undefined;
}

/** The `--help` text. */
export function helpText(): string {
  const label = (o: OptionSpec): string => `${o.short ? `-${o.short}, ` : ''}--${o.name}${o.value ? ` ${o.value}` : ''}`;
  const width = Math.max(...OPTIONS.map((o) => label(o).length)) + 2;
  const lines = OPTIONS.map((o) => {
    const where = o.applies === 'share' ? ' [not with --ui]' : o.applies === 'ui' ? ' [--ui only]' : '';
    const fallback = o.default !== undefined ? ` (default: ${o.default})` : '';
    return `  ${label(o).padEnd(width)}${o.help}${fallback}${where}`;
  });
  return [
    'Usage: ftp-share [options] FOLDER [FOLDER...]',
    '       ftp-share --ui [--ui-port N] [--no-open] [--config-dir DIR] [options] [FOLDER...]',
    '',
    'Shares folders on your network: a web page for phones and browsers (its QR code is printed),',
    'and FTP for FTP apps. One folder is the root, several are top-level folders.',
    'By default anyone on your network can download without a password, and nobody can upload,',
    'rename or delete: add --user/--password (or --generate-password) to require a login, and',
    '--writable to allow changes. For several accounts, --accounts FILE lists them in JSON, each',
    'read-only or not (--writable still applies to all) and seeing every FOLDER or some of them',
    '("folders": indexes, 0 for the first FOLDER, or paths).',
    '',
    'Options:',
    ...lines,
  ].join('\n');
}

/** True when `value` reads like a path or names a folder here. */
async function looksLikeFolder(value: string): Promise<boolean> {
  if (/[\\/]/.test(value) || value === '.' || value === '..' || value.startsWith('~')) return true;
  try {
    return (await stat(value)).isDirectory();
  } catch {
    return false;
  }
}

/** The error of an option whose value was forgotten, so that the folder after it became its value. */
function forgottenValue(name: string, value: string): UsageError {
  const spec = BY_NAME.get(name);
  return new UsageError(`--${name} needs a value${spec?.value ? ` (${spec.value})` : ''}, but "${value}" looks like a folder`);
}

/** `message` for a bad value of a fixed format, or the forgotten-value error when it looks like a folder. */
async function badValue(name: string, value: string, message: string): Promise<UsageError> {
  return (await looksLikeFolder(value)) ? forgottenValue(name, value) : new UsageError(message);
}

/**
 * Splits the arguments into options and folders. Throws UsageError for an unknown option, a
 * missing value, a value that looks like the folder, or an option of the other mode.
 */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const values = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      positionals.push(arg);
      continue;
    }
    const long = arg.startsWith('--');
    const equals = long ? arg.indexOf('=') : -1;
    const written = equals >= 0 ? arg.slice(0, equals) : arg;
    const spec = long ? BY_NAME.get(written.slice(2)) : BY_SHORT.get(arg.slice(1));
    if (!spec) throw new UsageError(`unknown option ${written} (see ftp-share --help)`);
    if (!spec.value) {
      if (equals >= 0) throw new UsageError(`--${spec.name} takes no value`);
      values.set(spec.name, true);
      continue;
    }
    let value: string | undefined = equals >= 0 ? arg.slice(equals + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`--${spec.name} needs a value (${spec.value})`);
    if (equals < 0 && value.startsWith('--') && BY_NAME.has(value.slice(2).split('=')[0]!)) {
      throw new UsageError(`--${spec.name} needs a value (${spec.value}) before ${value}`);
    }
    if ((spec.kind ?? 'text') === 'text' && /[\\/]/.test(value)) throw forgottenValue(spec.name, value);
    values.set(spec.name, value);
  }
  const ui = values.has('ui');
  for (const name of values.keys()) {
    const spec = BY_NAME.get(name)!;
    if (ui && spec.applies === 'share') throw new UsageError(`--${name} doesn't apply with --ui (${spec.whyNot})`);
    if (!ui && spec.applies === 'ui') throw new UsageError(`--${name} only applies with --ui`);
  }
  return { ui, values, positionals };
}

/** A port from the command line (0 to 65535), for the option `name`. */
export async function parsePort(text: string, name: string): Promise<number> {
  if (!/^\d+$/.test(text) || Number(text) > 65535) throw await badValue(name, text, `--${name} must be a number from 0 to 65535, got "${text}"`);
  return Number(text);
}

/** A connection limit from the command line (1 to the settings' maximum), for the option `name`. */
async function parseCount(text: string, name: string): Promise<number> {
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > MAX_CONNECTION_LIMIT) {
    throw await badValue(name, text, `--${name} must be a number from 1 to ${MAX_CONNECTION_LIMIT}, got "${text}"`);
  }
  return Number(text);
}

/** A bandwidth cap from the command line in MB/s (0 = unlimited, up to the settings' maximum), for the option `name`. */
async function parseMBps(text: string, name: string): Promise<number> {
  if (!/^\d+(\.\d+)?$/.test(text) || Number(text) > MAX_BANDWIDTH_MBPS) {
    throw await badValue(name, text, `--${name} must be a number of MB/s from 0 (unlimited) to ${MAX_BANDWIDTH_MBPS}, got "${text}"`);
  }
  return Number(text);
}

/** The share options every mode has, checked. Absent fields were not given. */
export interface ShareFlags {
  port?: number;
  /** `true` for --writable, `false` for --read-only, absent for neither. */
  writable?: boolean;
  user?: string;
  password?: string;
  /** The password was generated (--generate-password): it must be shown. */
  passwordGenerated: boolean;
  /** The accounts file (--accounts), instead of `user`/`password`; read by the share command. */
  accountsFile?: string;
  ftps?: 'explicit' | 'implicit';
  requireTls: boolean;
  cert?: { cert: string; key: string };
  certDir?: string;
  passivePorts?: { min: number; max: number };
  host?: string;
  publicHost?: string;
  /** False with --no-mdns: the share is not advertised by name. */
  mdns: boolean;
  /** False with --no-web: no web page. */
  web: boolean;
  /** --web-port. */
  webPort?: number;
  /** --max-connections and --max-connections-per-address. */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
  /** --max-download and --max-upload, in MB/s (0 = unlimited). */
  maxDownloadMBps?: number;
  maxUploadMBps?: number;
}

/**
 * Checks the share options of a command line. `generate` makes a password for
 * --generate-password; `env` is where FTP_SHARE_PASSWORD comes from.
 */
export async function shareFlags(line: CommandLine, generate: () => string, env: NodeJS.ProcessEnv = process.env): Promise<ShareFlags> {
  const text = (name: string): string | undefined => optionValue(line, name);
  const on = (name: string): boolean => line.values.get(name) === true;
  const flags: ShareFlags = { passwordGenerated: false, requireTls: on('require-tls'), mdns: !on('no-mdns'), web: !on('no-web') };

  const port = text('port');
  if (port !== undefined) flags.port = await parsePort(port, 'port');
  const webPort = text('web-port');
  if (webPort !== undefined) {
    if (!flags.web) throw new UsageError('--web-port and --no-web contradict each other: give one');
    flags.webPort = await parsePort(webPort, 'web-port');
    if (flags.port !== undefined && flags.port !== 0 && flags.webPort === flags.port) throw new UsageError(`--web-port needs a port of its own, not the FTP port ${flags.port}`);
  }
  const maxConnections = text('max-connections');
  if (maxConnections !== undefined) flags.maxConnections = await parseCount(maxConnections, 'max-connections');
  const perAddress = text('max-connections-per-address');
  if (perAddress !== undefined) flags.maxConnectionsPerAddress = await parseCount(perAddress, 'max-connections-per-address');
  const maxDownload = text('max-download');
  if (maxDownload !== undefined) flags.maxDownloadMBps = await parseMBps(maxDownload, 'max-download');
  const maxUpload = text('max-upload');
  if (maxUpload !== undefined) flags.maxUploadMBps = await parseMBps(maxUpload, 'max-upload');
  if (on('writable') && on('read-only')) throw new UsageError('--writable and --read-only contradict each other: give one');
  if (on('writable')) flags.writable = true;
  if (on('read-only')) flags.writable = false;

  const ftps = text('ftps');
  if (ftps !== undefined && ftps !== 'explicit' && ftps !== 'implicit') throw await badValue('ftps', ftps, `--ftps must be "explicit" or "implicit", got "${ftps}"`);
  if (ftps !== undefined) flags.ftps = ftps;
  const cert = text('cert');
  const key = text('key');
  if ((cert === undefined) !== (key === undefined)) throw new UsageError('--cert and --key go together');
  if ((cert !== undefined || flags.requireTls) && ftps === undefined) throw new UsageError('--cert, --key and --require-tls need --ftps explicit|implicit');
  if (cert !== undefined && key !== undefined) flags.cert = { cert: path.resolve(cert), key: path.resolve(key) };

  const certDir = text('cert-dir');
  if (certDir !== undefined) {
    flags.certDir = path.resolve(certDir);
    await checkDirectoryOption(flags.certDir, '--cert-dir');
  }

  const passive = text('passive-ports');
  if (passive !== undefined) {
    const match = /^(\d+)-(\d+)$/.exec(passive);
    const min = Number(match?.[1]);
    const max = Number(match?.[2]);
    if (!match || min < 1 || max > 65535 || min > max) throw await badValue('passive-ports', passive, `--passive-ports must look like 50000-50100, got "${passive}"`);
    flags.passivePorts = { min, max };
  }
  const host = text('host');
  if (host !== undefined) flags.host = host;
  const publicHost = text('public-host');
  if (publicHost !== undefined) flags.publicHost = publicHost;

  // Access. An empty FTP_SHARE_PASSWORD counts as unset (`FTP_SHARE_PASSWORD= ftp-share …` is how a
  // shell clears it); an explicit empty --password is refused.
  const user = text('user');
  const given = text('password');
  const accountsFile = text('accounts');
  if (accountsFile !== undefined) {
    if (user !== undefined || given !== undefined || on('generate-password')) {
      throw new UsageError('--accounts and --user/--password/--generate-password contradict each other: put every account in the file');
    }
    if (accountsFile === '') throw new UsageError('--accounts needs a file name');
    // FTP_SHARE_PASSWORD is --password's; the accounts have theirs in the file.
    flags.accountsFile = accountsFile;
    return flags;
  }
  if (given === '') throw new UsageError('the password is empty');
  if (user === '') throw new UsageError('the user name is empty');
  if (on('generate-password') && given !== undefined) throw new UsageError('--password and --generate-password contradict each other: give one');
  const password = on('generate-password') ? generate() : (given ?? (env['FTP_SHARE_PASSWORD'] || undefined));
  if (user !== undefined && password === undefined) {
    throw new UsageError(`--user ${user} needs a password: add --password PW, set FTP_SHARE_PASSWORD, or add --generate-password to get a strong one`);
  }
  if (user !== undefined) flags.user = user;
  if (password !== undefined) flags.password = password;
  flags.passwordGenerated = on('generate-password');
  return flags;
}

/** Refuses a directory option that names a file (an absent one is created later). */
export async function checkDirectoryOption(dir: string, flag: string): Promise<void> {
  let info;
  try {
    info = await stat(dir);
  } catch {
    return;
  }
  if (!info.isDirectory()) throw new UsageError(`${flag} ${dir} is a file, not a folder`);
}
