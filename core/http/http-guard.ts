/**
 * The checks every request passes before anything else: the Host it names must be this computer
 * (DNS rebinding: a web page the owner visits can point its own name at a LAN address, but it
 * can't make the browser send our address as Host), state-changing requests from browsers must
 * come from our own origin, and every response carries the security headers.
 */
import os from 'node:os';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readNetworkInterfaces } from '../net/interfaces.js';

/** The page's policy: our own script and style only, no framing, no plugins, no foreign forms. */
export const PAGE_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'";

/**
 * A shared file is served as a sandboxed document: even an HTML or SVG file opened in the browser
 * runs in an opaque origin without script, so it can't read the page or act with its cookie.
 */
export const FILE_CSP = "sandbox; frame-ancestors 'none'";

/** Sets the headers every response carries (file responses then tighten the CSP). */
export function setSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', PAGE_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}

/** The host part of a Host header value (`[::1]:8080` → `::1`, `Name.local.:80` → `name.local`), lower case. */
export function hostName(value: string): string | undefined {
  const v = value.trim().toLowerCase();
  if (v === '') return undefined;
  if (v.startsWith('[')) {
    const end = v.indexOf(']');
    if (end === -1) return undefined;
    const rest = v.slice(end + 1);
    if (rest !== '' && !/^:\d{1,5}$/.test(rest)) return undefined;
    // A zone (fe80::1%25eth0) names the interface, not another host.
    return v.slice(1, end).replace(/%25.*$|%.*$/, '');
  }
  const match = /^([^:]+)(?::\d{1,5})?$/.exec(v);
  if (!match) return undefined;
  return match[1]!.replace(/\.$/, '');
}

/**
 * Which names a request may call this server by: every address of this computer's interfaces
 * (read again every few seconds, as Wi-Fi comes and goes), localhost and loopback, the computer's
 * name and its `.local` mDNS name, and any the caller adds.
 */
export class HostGuard {
  private cached?: { at: number; names: Set<string> };

  constructor(private readonly extra: readonly string[] = []) {}

  allows(hostHeader: string | undefined): boolean {
    if (hostHeader === undefined) return false;
    const name = hostName(hostHeader);
    return name !== undefined && this.names().has(name);
  }

  private names(): Set<string> {
    const now = Date.now();
    if (this.cached && now - this.cached.at < 5000) return this.cached.names;
    const names = new Set<string>(['localhost', '127.0.0.1', '::1']);
    for (const list of Object.values(readNetworkInterfaces())) {
      for (const entry of list ?? []) names.add(entry.address.toLowerCase().replace(/%.*$/, ''));
    }
    const host = os.hostname().toLowerCase().replace(/\.$/, '');
    if (host !== '') {
      names.add(host);
      // macOS's hostname may already end in .local; the mDNS name is the first label plus .local.
      names.add(`${host.split('.')[0]}.local`);
      if (host.endsWith('.local')) names.add(host);
    }
    for (const extra of this.extra) names.add(hostName(extra) ?? extra.toLowerCase());
    this.cached = { at: now, names };
    return names;
  }
}

/**
 * Whether a request comes from our own origin as far as the browser says: `Origin` when sent,
 * else the `Referer`'s origin. 'absent' when neither is there (curl, wget): only a browser sends
 * them, and a browser always sends Origin on a cross-site POST.
 */
export function originCheck(req: IncomingMessage, secure: boolean): 'same' | 'foreign' | 'absent' {
  const host = req.headers.host;
  const expected = host === undefined ? undefined : `${secure ? 'https' : 'http'}://${host.toLowerCase()}`;
  const origin = req.headers.origin;
  if (origin !== undefined) return expected !== undefined && origin.toLowerCase() === expected ? 'same' : 'foreign';
  const referer = req.headers.referer;
  if (referer !== undefined) {
    try {
      return new URL(referer).origin.toLowerCase() === expected ? 'same' : 'foreign';
    } catch {
      return 'foreign';
    }
  }
  return 'absent';
}

/** True when the request looks like a browser's (it can carry ambient cookies, so it needs the CSRF token). */
export function fromBrowser(req: IncomingMessage): boolean {
  return req.headers.origin !== undefined || req.headers.referer !== undefined || req.headers['sec-fetch-site'] !== undefined || req.headers.cookie !== undefined;
}
