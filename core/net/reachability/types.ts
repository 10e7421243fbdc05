/**
 * The types of "Can others reach me?", apart from its Node code so the window's type check needs
 * no Node types (the contract imports them).
 */

/** What one check concluded: fine, a likely reason nobody gets through, or not knowable here. */
export type FindingStatus = 'ok' | 'problem' | 'unknown';

/** Something the window can offer to do for a finding: open an OS settings page (never silently). */
export interface FindingAction {
  kind: 'open-settings';
  /** The URI the OS opens, e.g. Windows' `ms-settings:network-status`. */
  target: string;
  /** The button's text. */
  label: string;
}

/** One line of the report. */
export interface ReachabilityFinding {
  /** Stable id, e.g. `listener`, `interface-up`, `windows-profile`, `linux-ufw`, `advice-isolation`. */
  id: string;
  status: FindingStatus;
  /** One short sentence for people. */
  title: string;
  /** What was seen, or why it could not be. */
  detail: string;
  /** What to do about it: words, or the exact command to run (never run by the app). */
  fix?: string;
  action?: FindingAction;
}

/** The whole answer to "Can others reach me?". */
export interface ReachabilityReport {
  /** When it was checked (ms since epoch). */
  checkedAt: number;
  /** The address the check was about (the one shown to people). */
  address?: string;
  /** The ports checked: FTP's, and the web page's when it runs. */
  ports: { ftp: number; web?: number };
  /** What the app checked and found, problems first, then the fixed advice it can't check. */
  findings: ReachabilityFinding[];
}

/** A firewall's answer for the share's ports, from one parser. */
export interface FirewallVerdict {
  /** Whether this firewall is on; undefined when that could not be read. */
  active?: boolean;
  /** Ports (of those asked) the firewall would drop; empty when all pass. Undefined when unknown. */
  blockedPorts?: number[];
  /** What was seen, for the finding's detail. */
  detail: string;
}
