interface Waiting<T, R> {
  item: T;
  done(result: R): void;
  failed(e: unknown): void;
}

/**
 * Group commit: while one commit runs, the items offered meanwhile wait together and go in the next one, so writes
 * that arrive together cost one statement and one transaction instead of one each, and alone an item costs what it
 * did. Each offer settles only once its own commit has, with its own result, and a failed commit fails exactly the
 * offers it held.
 */
export class GroupCommit<T, R> {
  private waiting: Waiting<T, R>[] = [];
  private running = false;

  /** `commit` answers one result per item, in order. */
  constructor(private readonly commit: (items: T[]) => Promise<R[]>) {}

  offer(item: T): Promise<R> {
    return new Promise((done, failed) => {
      this.waiting.push({ item, done, failed });
      if (!this.running) void this.run();
    });
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length) {
        const batch = this.waiting;
        this.waiting = [];
        try {
          const results = await this.commit(batch.map((w) => w.item));
          batch.forEach((w, i) => w.done(results[i]));
        } catch (e) {
          for (const w of batch) w.failed(e);
        }
      }
    } finally {
      this.running = false;
    }
  }
}
