/**
 * Failed logins per IP address, and the delay they earn: once an address has failed
 * `limit` times within `windowMs`, every reply to its sessions that are not logged in waits
 * `delayMs`, doubling with each further failure up to `maxDelayMs`. As failures age out of the
 * window the delay shrinks again, to nothing once the address is under the limit.
 *
 * The count is per address, not per user name, and the delay applies before any reply (the
 * greeting, USER, PASS), so it never tells a guesser whether a name exists. Memory is bounded:
 * at most `maxTracked` addresses (the stalest is forgotten first) and at most `limit + 32`
 * timestamps each (the delay is at its maximum long before that).
 */
export interface LoginThrottleSettings {
  limit: number;
  windowMs: number;
  delayMs: number;
  maxDelayMs: number;
  maxTracked: number;
}

/** What a recorded failure did to its address. */
export interface ThrottleState {
  failures: number;
  delayMs: number;
}

export class LoginThrottle {
  /** Address → failure times (oldest first). Map order is least recently failed first. */
  private readonly failures = new Map<string, number[]>();
  private readonly maxKept: number;

  constructor(
    private readonly settings: LoginThrottleSettings,
    private readonly now: () => number = Date.now,
  ) {
    this.maxKept = settings.limit + 32;
  }

  /** Records a failed login from `address` and returns its failures and delay from now on. */
  recordFailure(address: string): ThrottleState {
    const now = this.now();
    const times = this.fresh(address, now) ?? [];
    times.push(now);
    if (times.length > this.maxKept) times.splice(0, times.length - this.maxKept);
    // Re-insert so the Map's order stays "least recently failed first".
    this.failures.delete(address);
    this.failures.set(address, times);
    while (this.failures.size > this.settings.maxTracked) {
      this.failures.delete(this.failures.keys().next().value!);
    }
    // Forget a couple of the stalest addresses whose failures all aged out: no timer needed.
    let checked = 0;
    for (const other of this.failures.keys()) {
      if (other === address || checked++ >= 2) break;
      this.fresh(other, now);
    }
    return { failures: times.length, delayMs: this.delayFor(times.length) };
  }

  /** How long to wait before answering a session of `address` that is not logged in (ms). */
  delayMs(address: string): number {
    const times = this.fresh(address, this.now());
    return times ? this.delayFor(times.length) : 0;
  }

  /** How long a failure counts (ms), as events report it. */
  get windowMs(): number {
    return this.settings.windowMs;
  }

  /** Addresses currently remembered (for tests and diagnostics). */
  get trackedAddresses(): number {
    return this.failures.size;
  }

  private delayFor(failures: number): number {
    const { limit, delayMs, maxDelayMs } = this.settings;
    if (limit <= 0 || failures < limit) return 0;
    // 2 ** 31 and beyond would only ever be capped; stop the exponent early.
    return Math.min(maxDelayMs, delayMs * 2 ** Math.min(failures - limit, 30));
  }

  /** The address's failures still inside the window (older ones dropped), or undefined. */
  private fresh(address: string, now: number): number[] | undefined {
    const times = this.failures.get(address);
    if (!times) return undefined;
    const cutoff = now - this.settings.windowMs;
    let stale = 0;
    while (stale < times.length && times[stale]! <= cutoff) stale++;
    if (stale > 0) times.splice(0, stale);
    if (times.length === 0) {
      this.failures.delete(address);
      return undefined;
    }
    return times;
  }
}
