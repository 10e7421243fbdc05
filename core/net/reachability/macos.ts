/**
 * macOS: the application firewall (`socketfilterfw`). Its messages are not localised (the tool
 * prints fixed English), and the state is also given as a number, which is what is read first.
 */
import type { FirewallVerdict } from './types.js';

/** Absolute, because apps started from the Finder get a minimal PATH. */
export const SOCKETFILTERFW = '/usr/libexec/ApplicationFirewall/socketfilterfw';

/**
 * Parses `socketfilterfw --getglobalstate`: "Firewall is enabled. (State = 1)" (2 means "block
 * all"), "Firewall is disabled. (State = 0)". Undefined when unreadable.
 */
export function parseMacGlobalState(text: string): { on: boolean; blockAll: boolean } | undefined {
  const state = /\(State\s*=\s*(\d+)\)/i.exec(text);
  if (state) {
    const n = Number(state[1]);
    return { on: n > 0, blockAll: n === 2 };
  }
  if (/\bdisabled\b/i.test(text)) return { on: false, blockAll: false };
  if (/\benabled\b/i.test(text)) return { on: true, blockAll: false };
  return undefined;
}

/**
 * Parses `socketfilterfw --getblockall`, whose wording differs by macOS version ("Firewall is set
 * to block all non-essential incoming connections", "Block all DISABLED!"): true when it says
 * block-all is on, false when off, undefined when unreadable.
 */
export function parseMacBlockAll(text: string): boolean | undefined {
  if (/block all non-essential/i.test(text)) return true;
  const m = /block all[^\n]*?\b(enabled|disabled)\b/i.exec(text);
  if (m) return m[1]!.toLowerCase() === 'enabled';
  return undefined;
}

/**
 * Parses `socketfilterfw --getappblocked APP`: 'blocked', 'permitted', or 'unlisted' (the app is
 * not in the firewall's list yet: macOS asks the user the first time it listens).
 */
export function parseMacAppBlocked(text: string): 'blocked' | 'permitted' | 'unlisted' | undefined {
  if (/not part of the firewall/i.test(text)) return 'unlisted';
  if (/\bblocked\b/i.test(text) && !/\bnot blocked\b/i.test(text)) return 'blocked';
  if (/\b(permitted|allowed|not blocked)\b/i.test(text)) return 'permitted';
  return undefined;
}

/** The verdict for the app from the two answers. */
export function macFirewallVerdict(
  global: ReturnType<typeof parseMacGlobalState>,
  app: ReturnType<typeof parseMacAppBlocked>,
  blockAll: boolean | undefined,
  ports: readonly number[],
): FirewallVerdict {
  if (!global) return { detail: 'The firewall’s state could not be read.' };
  if (!global.on) return { active: false, blockedPorts: [], detail: 'The macOS firewall is off.' };
  if (global.blockAll || blockAll) return { active: true, blockedPorts: [...ports], detail: 'The macOS firewall blocks all incoming connections.' };
  if (app === 'blocked') return { active: true, blockedPorts: [...ports], detail: 'The macOS firewall is on and blocks incoming connections to FTP Share.' };
  if (app === 'permitted') return { active: true, blockedPorts: [], detail: 'The macOS firewall is on and allows FTP Share.' };
  if (app === 'unlisted') {
    return { active: true, detail: 'The macOS firewall is on and has not been told about FTP Share yet: macOS asks the first time it listens.' };
  }
  return { active: true, detail: 'The macOS firewall is on; whether it allows FTP Share could not be read.' };
}

/** The command that allows the app (asks for an administrator's password). */
export function macAllowCommand(app: string): string {
  return `sudo ${SOCKETFILTERFW} --unblockapp "${app}"`;
}

/** The .app bundle that holds an executable, or the executable itself (Node from a terminal). */
export function macAppOf(executable: string): string {
  const m = /^(.*?\.app)\/Contents\/MacOS\//.exec(executable);
  return m ? m[1]! : executable;
}
