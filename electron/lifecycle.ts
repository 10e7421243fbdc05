/**
 * How the app closes: the window hides into the tray while sharing, and Quit stops sharing
 * cleanly before the process exits. Pure decisions and a small controller, tested in Node;
 * main.ts wires them to Electron's events.
 */
import type { ShareStatus } from '../core/share/contract.js';

/** What closing the window does. */
export type CloseAction = 'hide' | 'quit';

/**
 * Closing the window while sharing (or starting) keeps sharing from the tray: people close the
 * window once the phone is connected and expect the transfer to go on. Not sharing, it quits on
 * Windows and Linux (an idle app in the tray helps nobody, and some Linux desktops show no tray
 * at all), and stays on macOS, where apps outlive their windows.
 */
export function closeAction(status: ShareStatus | undefined, platform: NodeJS.Platform): CloseAction {
  if (status === 'running' || status === 'starting') return 'hide';
  return platform === 'darwin' ? 'hide' : 'quit';
}

/** The one-time hint shown the first time the window hides while sharing. */
export function trayHint(platform: NodeJS.Platform): { title: string; body: string } {
  const where =
    platform === 'darwin' ? 'the menu bar' : platform === 'win32' ? 'the notification area of the taskbar' : 'the system tray';
  return {
    title: 'FTP Share is still sharing',
    body: `Sharing goes on while the window is closed. Use the FTP Share icon in ${where} to open it again or to quit.`,
  };
}

/** What {@link QuitController} calls. */
export interface QuitDependencies {
  /** Stops sharing and releases everything (the ShareService's shutdown). */
  shutdown(): Promise<void>;
  /** Ends the process now (`app.exit`). */
  exit(code: number): void;
  /** Told when shutdown failed or timed out; the app exits anyway. */
  onShutdownProblem?(problem: unknown): void;
  /** Longest wait for shutdown before exiting anyway. */
  timeoutMs?: number;
}

/** Default of {@link QuitDependencies.timeoutMs}: the FTP server's stop grace (2 s) and margin. */
export const QUIT_TIMEOUT_MS = 5000;

/**
 * Quits once: the first `quit()` awaits `shutdown()` (bounded by a timeout, so a stuck transfer
 * can't keep a zombie app alive) and then calls `exit(0)`; later calls return the same promise.
 */
export class QuitController {
  readonly #deps: QuitDependencies;
  #quitting: Promise<void> | undefined;

  constructor(deps: QuitDependencies) {
    this.#deps = deps;
  }

  /** True once `quit()` was called: windows may close for real. */
  get quitting(): boolean {
    return this.#quitting !== undefined;
  }

  quit(): Promise<void> {
    this.#quitting ??= this.#run();
    return this.#quitting;
  }

  async #run(): Promise<void> {
    const timeoutMs = this.#deps.timeoutMs ?? QUIT_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const outcome = await Promise.race([this.#deps.shutdown().then(() => 'done' as const), timeout]);
      if (outcome === 'timeout') this.#deps.onShutdownProblem?.(new Error(`Shutdown took longer than ${timeoutMs} ms`));
    } catch (error) {
      this.#deps.onShutdownProblem?.(error);
    } finally {
      clearTimeout(timer);
    }
    this.#deps.exit(0);
  }
}

/**
 * Whether this launch should start in the tray without a window: started at login (Windows and
 * Linux pass `--hidden`, see login-item.ts; macOS reports `wasOpenedAtLogin`).
 */
export function launchedHidden(argv: readonly string[], wasOpenedAtLogin: boolean): boolean {
  return wasOpenedAtLogin || argv.includes(HIDDEN_ARG);
}

/** The argument the login item passes. */
export const HIDDEN_ARG = '--hidden';
