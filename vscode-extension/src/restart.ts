/** Restart coalescing: several triggers close together (settings saved in a burst) restart the server once. */

export type RestartAction = (reasons: string[]) => Promise<void>;

/**
 * Runs `restart` at most once per burst of requests.
 *
 * The first request arms a timer; requests until it fires join that restart. A request that arrives while a
 * restart is running arms one more after it (it will read the newest settings), never a parallel one.
 */
export class RestartCoalescer {
  private timer: ReturnType<typeof setTimeout> | undefined;
  private running = false;
  private reasons: string[] = [];
  private waiters: Array<() => void> = [];

  constructor(
    private readonly restart: RestartAction,
    private readonly delayMs: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Asks for a restart; resolves once a restart that started after this request has finished. */
  request(reason: string, immediate = false): Promise<void> {
    this.reasons.push(reason);
    const done = new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.running) {
      return done; // armed again when the running restart ends
    }
    if (this.timer !== undefined && immediate) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.timer === undefined) {
      this.arm(immediate ? 0 : this.delayMs);
    }
    return done;
  }

  dispose(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private arm(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.fire();
    }, ms);
  }

  private async fire(): Promise<void> {
    const reasons = this.reasons;
    const waiters = this.waiters;
    this.reasons = [];
    this.waiters = [];
    this.running = true;
    try {
      await this.restart(reasons);
    } catch (error) {
      this.onError(error);
    } finally {
      this.running = false;
      waiters.forEach((resolve) => resolve());
    }
    if (this.reasons.length > 0) {
      this.arm(this.delayMs);
    }
  }
}
