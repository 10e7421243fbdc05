/**
 * IPC channel names shared by the main process (ipc.ts) and the preload (preload-api.ts).
 *
 * One invoke channel per request (`ftp-share:<name>`) rather than one multiplexed channel, so a
 * handler is registered per name and a missing one is visible (and tested) at start-up.
 */
import type { RequestName } from '../core/share/contract.js';

/** Prefix of every FTP Share channel. */
export const CHANNEL_PREFIX = 'ftp-share:';

/** The channel pushed events travel on: `(event, payload)`. */
export const EVENT_CHANNEL = `${CHANNEL_PREFIX}event`;

/** The invoke channel of one request. */
export function requestChannel(name: RequestName): `ftp-share:${RequestName}` {
  return `${CHANNEL_PREFIX}${name}` as `ftp-share:${RequestName}`;
}
