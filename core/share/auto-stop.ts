/**
 * The idle auto-stop: counts down while sharing runs with nobody connected; anyone connecting
 * cancels the count. Plain timer logic, so the ShareService only says when things change.
 */
export interface AutoStopOptions {
  /** Length of one "minute" in ms (tests shorten it). */
  unitMs: number;
  now: () => number;
  /** The deadline appeared, moved or went away (the state shows it). */
  onChange: () => void;
  /** The count ran out: sharing should stop. `minutes` is the setting it ran with. */
  onExpire: (minutes: number) => void;
}

export class AutoStopTimer {
  #timer: NodeJS.Timeout | undefined;
  #stopsAt: number | undefined;

  constructor(private readonly options: AutoStopOptions) {}

  /** When sharing will stop (ms since epoch), while counting. */
  get stopsAt(): number | undefined {
    return this.#stopsAt;
  }

  /**
   * Counts while `idle` and `minutes` > 0, else stops counting. `reset` restarts a running
   * count (the delay changed, or sharing just started).
   */
  update(minutes: number, idle: boolean, reset: boolean): void {
    if (minutes <= 0 || !idle) {
      this.clear();
      return;
    }
    if (this.#timer && !reset) return;
    // A restarted count is one change (the deadline moved), reported below.
    clearTimeout(this.#timer);
    const delay = minutes * this.options.unitMs;
    this.#stopsAt = this.options.now() + delay;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.options.onExpire(minutes);
    }, delay);
    // The app keeps running for its own reasons; this timer alone must not hold a process open.
    this.#timer.unref();
    this.options.onChange();
  }

  clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopsAt !== undefined) {
      this.#stopsAt = undefined;
      this.options.onChange();
    }
  }
}
