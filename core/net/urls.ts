/** The URLs a client opens for this machine's addresses (`ftp://`, `ftps://`, and the web page's `http(s)://`). */
import type { AddressKind, CandidateAddress } from './address-types.js';

/** Options of {@link ftpUrl}. */
export interface FtpUrlOptions {
  /** Implicit FTPS gets `ftps://`; explicit FTPS (AUTH TLS) is negotiated on an `ftp://` URL. */
  implicitTls?: boolean;
  /** Put in the URL as `user@` (percent-encoded) so clients pre-fill it; never a password. */
  username?: string;
}

/**
 * Builds the URL a client opens: `ftp://host:port/`, or `ftps://host:port/` for implicit TLS.
 *
 * IPv6 hosts are bracketed. A zone id (`fe80::1%en0`) is kept and its `%` encoded as `%25`, per
 * RFC 6874. Note that a zone id names an interface *of the machine that uses the URL*: the
 * server's own zone (its `scopeId`) means nothing to a phone, so callers building a URL for a
 * client should pass a link-local address without one (and prefer a non-link-local address).
 * WHATWG URL parsers (browsers, Node's `URL`) reject zone ids altogether.
 * Explicit FTPS has no standard scheme (FileZilla's `ftpes://` is unknown to most clients), so it
 * uses `ftp://`. The port is always written, since ours is rarely 21.
 *
 * @throws RangeError when `port` is not an integer in 1–65535.
 */
export function ftpUrl(host: string, port: number, options: FtpUrlOptions = {}): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Port must be between 1 and 65535, got ${port}`);
  }
  let h = host.trim();
  const bracketed = h.startsWith('[') && h.endsWith(']');
  if (bracketed) h = h.slice(1, -1);
  if (h.includes(':')) {
    const percent = h.indexOf('%');
    if (percent >= 0) {
      // A bracketed host is URL syntax, its zone already encoded ("%25en0"); a bare one is an OS
      // address whose zone is raw ("%en0", or Windows' numeric "%25", which is zone 25).
      const zone = h.slice(percent + 1);
      const rawZone = bracketed ? decodeURIComponentSafe(zone.replace(/^25/, '')) : zone;
      h = `${h.slice(0, percent)}%25${encodeURIComponent(rawZone)}`;
    }
    h = `[${h}]`;
  }
  const scheme = options.implicitTls ? 'ftps' : 'ftp';
  const user = options.username ? `${encodeURIComponent(options.username)}@` : '';
  return `${scheme}://${user}${h}:${port}/`;
}

/** Options of {@link webUrl}. */
export interface WebUrlOptions {
  /** The page is served over HTTPS (with the FTPS certificate). */
  secure?: boolean;
}

/**
 * The web page's address for a host: `http://host:port/` (`https://` when secure). IPv6 hosts are
 * bracketed and lose their zone id: browsers (WHATWG URL) refuse zone ids, and the server's zone
 * means nothing on the phone anyway. No user name either: browsers sign in on the page (or with
 * the QR code's token), and `user@` in an http URL draws phishing warnings. The port is always
 * written, since it is rarely 80 or 443.
 *
 * @throws RangeError when `port` is not an integer in 1–65535.
 */
export function webUrl(host: string, port: number, options: WebUrlOptions = {}): string {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(`Port must be between 1 and 65535, got ${port}`);
  }
  let h = host.trim();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.includes(':')) {
    const percent = h.indexOf('%');
    h = `[${percent >= 0 ? h.slice(0, percent) : h}]`;
  }
  return `${options.secure ? 'https' : 'http'}://${h}:${port}/`;
}

/** A candidate address with the URL a client opens for it. */
export interface CandidateUrl {
  url: string;
  address: string;
  label: string;
  kind: AddressKind;
}

/**
 * The URL of each candidate, in the candidates' order (best first). A link-local address gets no
 * zone: the server's zone id means nothing to the client, so its kind says "link-local" instead.
 * Addresses the builder refuses are left out. `build` makes each URL: {@link ftpUrl} with
 * `options` by default, or {@link webUrl} for the web page.
 */
export function candidateUrls(
  candidates: readonly CandidateAddress[],
  port: number,
  options: FtpUrlOptions = {},
  build: (host: string, port: number) => string = (host, p) => ftpUrl(host, p, options),
): CandidateUrl[] {
  const urls: CandidateUrl[] = [];
  for (const c of candidates) {
    try {
      urls.push({ url: build(c.address, port), address: c.address, label: c.label, kind: c.kind });
    } catch {
      // Not an address to show.
    }
  }
  return urls;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
