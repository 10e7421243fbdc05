/**
 * Finding a share by name: DNS-SD over multicast DNS (RFC 6763 over RFC 6762), so other devices
 * list "FTP Share on MacBook-Pro" and reach it at a `.local` name that survives the IP changing.
 *
 * The protocol work (probing, name-conflict renaming, announcements, answering queries, goodbye
 * packets, following interface changes) is @homebridge/ciao's, which Homebridge runs on millions
 * of machines. It is loaded only when a share is advertised.
 *
 * Advertising sends packets onto the network the machine is on, so it is off wherever
 * FTP_SHARE_NO_MDNS=1 is set (tests, benchmarks and CI set it outside their own namespaces), and a
 * failure to advertise (no multicast, port 5353 refused) is a warning, never a failed share.
 */
import os from 'node:os';
import type { CiaoService, Responder } from '@homebridge/ciao';
import { readNetworkInterfaces } from './interfaces.js';

/** One service of a share: FTP (`_ftp._tcp`) or the web page (`_http._tcp`). */
export interface AdvertisedService {
  type: 'ftp' | 'http';
  port: number;
  /** TXT record: `path=/` always; `u=` the user name where there is one account. Never a password. */
  txt: Record<string, string>;
}

/** A share's advertisement while it runs. */
export interface Advertisement {
  /**
   * The `.local` host name each service resolves to (`ftp-share-macbook-pro.local` for the web
   * page, `ftp-share-macbook-pro-ftp.local` for FTP): DNS-SD lets every service own its host
   * records, and ciao refuses two services one host name.
   */
  readonly hostnames: Partial<Record<AdvertisedService['type'], string>>;
  /** Replaces a service's TXT record (the account changed); announced at once. */
  updateTxt(type: AdvertisedService['type'], txt: Record<string, string>): void;
  /** Withdraws every service (goodbye packets) and releases the responder. Idempotent. */
  stop(): Promise<void>;
}

/** True when the environment asks that nothing be advertised (FTP_SHARE_NO_MDNS=1). */
export function advertisingDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env['FTP_SHARE_NO_MDNS'];
  return value !== undefined && value !== '' && value !== '0';
}

/** The computer's name as people know it: the host name up to its first dot ("MacBook-Pro"). */
export function shortHostName(hostName: string = os.hostname()): string {
  return hostName.split('.')[0] || 'this computer';
}

/** The instance name people see: "FTP Share on MacBook-Pro". */
export function instanceName(hostName: string = os.hostname()): string {
  return `FTP Share on ${shortHostName(hostName)}`;
}

/**
 * A DNS label of our own for the host records: the OS's responder already owns `<hostname>.local`
 * on macOS and most Linux desktops, and a clash would only rename ours. The web page gets the
 * plain label (it is what people type); FTP gets `-ftp` after it.
 */
export function hostLabel(hostName: string = os.hostname(), type: AdvertisedService['type'] = 'http'): string {
  const label = (hostName.split('.')[0] ?? '')
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40);
  return `ftp-share-${label || 'host'}${type === 'ftp' ? '-ftp' : ''}`;
}

/**
 * Advertises `services`; resolves once they are announced, or undefined with `onWarning` told why
 * when advertising is impossible here (undefined and no warning while no interface but loopback
 * is up: there is nobody to tell yet). Name clashes are resolved as RFC 6762 §9 says (ciao appends
 * " (2)"), never by failing.
 */
export async function advertise(
  services: readonly AdvertisedService[],
  onWarning: (message: string) => void,
  name: string = instanceName(),
): Promise<Advertisement | undefined> {
  const interfaces = lanInterfaceNames();
  if (interfaces.length === 0) return undefined;
  let responder: Responder;
  try {
    const ciao = await import('@homebridge/ciao');
    // The interfaces are named for ciao: on Linux it reads `ip -o link`, which names a veth
    // (containers, namespaces) `eth0@if7` and so matched none of Node's names.
    responder = ciao.getResponder({ interface: interfaces });
  } catch (err) {
    onWarning(`The share can't be found by name on the network: ${(err as Error).message}`);
    return undefined;
  }
  const created = new Map<AdvertisedService['type'], CiaoService>();
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      // Goodbye packets first, then the responder's sockets; a failure here must not stop a stop.
      await Promise.allSettled([...created.values()].map((service) => service.destroy()));
      await responder.shutdown().catch(() => undefined);
    })());
  try {
    for (const service of services) {
      const advertised = responder.createService({ name, type: service.type, port: service.port, hostname: hostLabel(os.hostname(), service.type), txt: service.txt });
      // A clash renames the instance as the RFC says; the new name needs no keeping beyond this run.
      advertised.on('name-change', () => undefined);
      advertised.on('hostname-change', () => undefined);
      created.set(service.type, advertised);
    }
    await Promise.all([...created.values()].map((service) => service.advertise()));
  } catch (err) {
    await stop();
    onWarning(`The share can't be found by name on the network (mDNS): ${(err as Error).message}`);
    return undefined;
  }
  const hostnames: Advertisement['hostnames'] = {};
  for (const [type, service] of created) hostnames[type] = service.getHostname().replace(/\.$/, '');
  return {
    hostnames,
    updateTxt(type, txt) {
      created.get(type)?.updateTxt(txt);
    },
    stop,
  };
}

/** Every interface with an address that isn't loopback: where a LAN client may be. */
function lanInterfaceNames(): string[] {
  return Object.entries(readNetworkInterfaces())
    .filter(([, addresses]) => (addresses ?? []).some((a) => !a.internal))
    .map(([name]) => name);
}
