/**
 * How the app closes: the window hides into the tray while sharing, and Quit stops sharing
 * cleanly before the process exits. Pure decisions and a small controller, tested in Node;
 * main.ts wires them to Electron's events.
 */
import type { ShareStatus } from '../core/share/contract.js';

/** What closing the window does. */
export type CloseAction = 'hide' | 'minimize' | 'quit';

/**
 * Closing the window while sharing (or starting) keeps sharing from the tray: people close the
 * window once the phone is connected and expect the transfer to go on. Where no tray icon can be
 * shown (`trayShown` false: a Linux desktop without a StatusNotifier host, such as GNOME without
 * the AppIndicator extension), hiding would leave nothing on screen to come back to, so the
 * window is minimised instead. Not sharing, it quits on Windows and Linux (an idle app in the
 * tray helps nobody), and stays on macOS, where apps outlive their windows.
 */
export function closeAction(status: ShareStatus | undefined, platform: NodeJS.Platform, trayShown = true): CloseAction {
  if (status === 'running' || status === 'starting') return trayShown ? 'hide' : 'minimize';
  return platform === 'darwin' ? 'hide' : 'quit';
}

/**
 * The one-time hint shown the first time the window goes away while sharing. On Linux, where the
 * tray may be invisible, it names the way back that always works: opening FTP Share again (a
 * second launch shows the running app's window).
 */
export function trayHint(platform: NodeJS.Platform, trayShown = true): { title: string; body: string } {
  const title = 'FTP Share is still sharing';
  if (!trayShown) {
    return { title, body: 'Sharing goes on while the window is minimised. Open FTP Share again to show the window.' };
  }
  if (platform === 'linux') {
    return {
      title,
      body: 'Sharing goes on while the window is closed. Open FTP Share again to show the window, or use its icon in the system tray.',
    };
  }
  const where = platform === 'darwin' ? 'the menu bar' : 'the notification area of the taskbar';
  return { title, body: `Sharing goes on while the window is closed. Use the FTP Share icon in ${where} to open it again or to quit.` };
}

/** The steps of a quit, in the order {@link shutdownInOrder} runs them. */
export interface ShutdownSteps {
  /** Hides the window at once, so nothing more is clicked while sharing stops. */
  hideWindow(): void;
  /** Removes the tray icon. */
  destroyTray(): void;
  /** Stops sharing (the ShareService's shutdown). */
  shutdownShare(): Promise<void>;
  /** Removes the IPC handlers and the push forwarding. */
  removeHandlers(): void;
}

/**
 * Quits in an order where nothing the user can still reach calls something already gone: the
 * window hides first, the tray goes, sharing stops, and the IPC handlers are removed last (a
 * click that got in before the hide still finds its handler), even when stopping failed.
 */
export async function shutdownInOrder(steps: ShutdownSteps): Promise<void> {
  try {
    steps.hideWindow();
    steps.destroyTray();
    await steps.shutdownShare();
  } finally {
    steps.removeHandlers();
  }
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
 * Quits once: the first `quit(code)` awaits `shutdown()` (bounded by a timeout, so a stuck
 * transfer can't keep a zombie app alive) and then calls `exit(code)`; later calls return the
 * same promise.
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

  quit(code = 0): Promise<void> {
    this.#quitting ??= this.#run(code);
    return this.#quitting;
  }

  async #run(code: number): Promise<void> {
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
    this.#deps.exit(code);
  }
}

/**
 * Whether this launch should start in the tray without a window: started at login (every login
 * item passes `--hidden`, see login-item.ts; `openedAtLogin` covers macOS 12's login item, which
 * passes no arguments) or by the smoke test.
 */
export function launchedHidden(argv: readonly string[], wasOpenedAtLogin: boolean): boolean {
  return wasOpenedAtLogin || argv.includes(HIDDEN_ARG);
}

/** The argument the login item passes. */
export const HIDDEN_ARG = '--hidden';
