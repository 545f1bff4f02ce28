// Coalesced redraws for demos whose pictures change on input rather than on training steps: any number of
// requests while a redraw runs become one more redraw, never an overlapping one.

/** Runs `work` again whenever requested, one run at a time; requests during a run are merged. */
export class Refresher {
  private running: Promise<void> | null = null;
  private dirty = false;
  private stopped = false;

  /**
   * @param work the redraw (reads the device, draws).
   * @param onError what to do with a failure (the demos show it on the page).
   */
  constructor(
    private readonly work: () => Promise<void>,
    private readonly onError: (e: Error) => void,
  ) {}

  /** Asks for a redraw; resolves when one that started after this request has finished. */
  request(): Promise<void> {
    this.dirty = true;
    this.running ??= (async () => {
      try {
        while (this.dirty && !this.stopped) {
          this.dirty = false;
          await this.work();
        }
      } catch (e) {
        if (!this.stopped) this.onError(e as Error);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** No more redraws (the demo is being torn down); a failure of one in flight is ignored. */
  stop(): void {
    this.stopped = true;
  }
}
