/**
 * What `ftp-share` prints when sharing starts: the folders, the web page's address and its QR code
 * (what a phone needs), the FTP addresses (ranked and labelled as the window shows them), one line
 * saying who can do what, and the FTPS fingerprint. Pure functions, so each access configuration
 * is tested without a server.
 */
import { ADDRESS_KIND_TEXT, type AddressKind } from '../net/addresses.js';
import { escapeForLog } from '../ftp/replies.js';

/** An address to connect to; `label` and `kind` when it is one of this machine's ranked candidates. */
export interface BannerUrl {
  url: string;
  label?: string;
  kind?: AddressKind;
}

/** Who may log in and what they may do. */
export interface AccessSummary {
  /** A user name is required (`--user`); absent with a password alone: any user name works. */
  user?: string;
  /** A password is required. */
  password: boolean;
  writable: boolean;
  /** Several accounts (--accounts), each with its password: then `user` is not used. */
  accounts?: AccountSummary[];
}

/** One account of `--accounts`, for the banner and `--json` (never its password). */
export interface AccountSummary {
  user: string;
  readOnly: boolean;
  /** How many of the folders it sees; absent: all. */
  folders?: number;
}

/**
 * The one line that says who can do what, with the option that changes it; a warning when
 * anyone may change files.
 */
export function accessLine(access: AccessSummary): string {
  const changes = 'download, upload, rename and delete files';
  if (access.accounts) {
    const each = access.accounts.map((a) => {
      const can = access.writable && !a.readOnly ? changes : 'download (read-only)';
      const where = a.folders === undefined ? '' : ` in ${a.folders} folder${a.folders === 1 ? '' : 's'}`;
      return `"${escapeForLog(a.user)}" can ${can}${where}`;
    });
    return `Only these accounts, each with its password: ${each.join('; ')}.${access.writable ? '' : ' Use --writable to allow uploads.'}`;
  }
  if (!access.password) {
    return access.writable
      ? `Warning: anyone on your network can ${changes}, without a password. Use --user/--password to require a login.`
      : 'Anyone on your network can download (read-only). Use --user/--password to require a login, --writable to allow uploads.';
  }
  const who = access.user !== undefined ? `Only user "${escapeForLog(access.user)}", with the password,` : 'Anyone with the password (and any user name)';
  return access.writable ? `${who} can ${changes}.` : `${who} can download (read-only). Use --writable to allow uploads.`;
}

/**
 * The "connect with" lines: each URL, then (when known) what the address is, as the window's
 * address list says it: "Link-local: Ethernet (eth0)", "VPN: Tailscale (tailscale0)".
 */
export function addressLines(urls: readonly BannerUrl[]): string[] {
  const width = Math.max(0, ...urls.map((u) => u.url.length));
  return urls.map((u) => (u.kind && u.label ? `  ${u.url.padEnd(width)}  ${ADDRESS_KIND_TEXT[u.kind]}: ${u.label}` : `  ${u.url}`));
}

/** The web page: its addresses (best first) and the QR code drawn for the terminal. */
export interface BannerWeb {
  urls: readonly BannerUrl[];
  /** The QR code as text (core/cli/share-command.ts draws it). */
  qr?: string;
  /** The QR code carries the sign-in token: whoever scans it is signed in. */
  qrSignsIn?: boolean;
}

/** Everything the banner says. */
export interface BannerInput {
  folders: readonly string[];
  urls: readonly BannerUrl[];
  /** The web page, when it runs. */
  web?: BannerWeb;
  access: AccessSummary;
  /** The bandwidth caps in MB/s (0 = unlimited); a line only when there is one. */
  bandwidth?: { downloadMBps: number; uploadMBps: number };
  /** A password made by --generate-password, to show once. */
  generatedPassword?: string;
  tls?: { mode: 'explicit' | 'implicit'; fingerprint256: string };
  /** Where a certificate made for this run was saved. */
  certificateGeneratedAt?: string;
}

/** The banner's lines. */
export function bannerLines(input: BannerInput): string[] {
  const { folders, access } = input;
  return [
    `FTP Share is sharing ${folders.length === 1 ? folders[0] : `${folders.length} folders`}${access.writable ? '' : ' (read-only)'}`,
    ...(folders.length > 1 ? folders.map((f) => `  ${f}`) : []),
    ...(input.web ? webLines(input.web) : []),
    input.web ? 'FTP apps (FileZilla, WinSCP, file managers) connect with:' : 'Connect with:',
    ...addressLines(input.urls),
    accessLine(access),
    ...(input.bandwidth && (input.bandwidth.downloadMBps > 0 || input.bandwidth.uploadMBps > 0) ? [bandwidthLine(input.bandwidth)] : []),
    ...(input.generatedPassword !== undefined ? [`Password: ${input.generatedPassword} (generated for this run; give it to the people you share with)`] : []),
    ...(input.tls ? [`FTPS ${input.tls.mode}; certificate SHA-256 fingerprint:`, `  ${input.tls.fingerprint256}`] : []),
    ...(input.certificateGeneratedAt ? [`(certificate generated in ${input.certificateGeneratedAt})`] : []),
    'Press Ctrl+C to stop.',
  ];
}

/** The web page's lines: its best address first, the QR code, then its other addresses. */
function webLines(web: BannerWeb): string[] {
  const [first, ...others] = web.urls;
  if (!first) return [];
  return [
    `On a phone or in a browser: ${first.url}`,
    ...(web.qr !== undefined ? web.qr.split('\n') : []),
    ...(web.qr !== undefined
      ? [web.qrSignsIn ? 'Scan the code to open the page signed in: anyone who scans it can get in.' : 'Scan the code to open the page.']
      : []),
    ...(others.length > 0 ? ['The web page on other addresses:', ...addressLines(others)] : []),
  ];
}

/** The caps, for everyone together: "Bandwidth: downloads up to 4 MB/s, uploads unlimited (FTP and the web page together)". */
export function bandwidthLine(caps: { downloadMBps: number; uploadMBps: number }): string {
  const cap = (mbps: number): string => (mbps > 0 ? `up to ${mbps} MB/s` : 'unlimited');
  return `Bandwidth: downloads ${cap(caps.downloadMBps)}, uploads ${cap(caps.uploadMBps)} (everyone on FTP and the web page together)`;
}
