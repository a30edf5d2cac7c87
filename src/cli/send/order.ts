import { idOf, isRecord } from '../../rules/properties';

/**
 * The people a line is about, as Kissmetrics names them (`_p`): its `userId`, else its
 * `anonymousId`; an alias is about both `userId` and `previousId`, and an identify with both ids
 * about both (it aliases one to the other). Lines that share a person are sent in input order.
 */
export const peopleOf = (event: unknown): string[] => {
  if (!isRecord(event)) return [];
  const userId = idOf(event.userId);
  const anonymousId = idOf(event.anonymousId);
  const ids =
    event.type === 'alias'
      ? [userId, idOf(event.previousId)]
      : event.type === 'identify'
        ? [userId, anonymousId]
        : [userId ?? anonymousId];
  return [...new Set(ids.filter((id) => id !== undefined))];
};

/** A unit of work: it runs when every earlier job sharing one of its people has finished sending. */
export interface Job {
  people: readonly string[];
  /** Bytes it holds in memory while it waits, for the reading limit. */
  sizeBytes: number;
}

interface Entry<J extends Job> {
  job: J;
  waitingFor: number;
  dependents: Entry<J>[];
  sent: boolean;
}

export interface SchedulerOptions<J extends Job> {
  concurrency: number;
  maxPendingJobs: number;
  maxPendingBytes: number;
  /**
   * Sends one job. `sent` is called as soon as its requests are answered: later jobs of the same
   * people may start then. The job keeps its slot until the returned promise settles (for
   * `--state`, until its progress record is durable).
   */
  run: (job: J, sent: () => void) => Promise<void>;
}

/**
 * Runs jobs with at most `concurrency` at once, in input order per person and in parallel across
 * people. `add` never blocks; `room` resolves when fewer than the pending limits are queued or
 * running, which is where the reader waits.
 */
export class Scheduler<J extends Job> {
  private readonly last = new Map<string, Entry<J>>();
  private ready: Entry<J>[] = [];
  private readyHead = 0;
  private running = 0;
  private pendingJobs = 0;
  private pendingBytes = 0;
  private stopped = false;
  private readonly notStarted = new Set<Entry<J>>();
  private waiters: (() => void)[] = [];

  constructor(private readonly options: SchedulerOptions<J>) {}

  add(job: J): void {
    const entry: Entry<J> = { job, waitingFor: 0, dependents: [], sent: false };
    for (const person of job.people) {
      const before = this.last.get(person);
      if (before && !before.sent && !before.dependents.includes(entry)) {
        before.dependents.push(entry);
        entry.waitingFor++;
      }
      this.last.set(person, entry);
    }
    this.pendingJobs++;
    this.pendingBytes += job.sizeBytes;
    this.notStarted.add(entry);
    if (entry.waitingFor === 0) this.ready.push(entry);
    this.pump();
  }

  /** Resolves once there is room for more jobs (or the scheduler is stopped). */
  async room(): Promise<void> {
    while (!this.stopped && this.full()) await this.change();
  }

  /** Resolves when every job started has finished; with `stop`, jobs not started never will be. */
  async idle(): Promise<void> {
    while (this.running > 0 || (!this.stopped && this.pendingJobs > 0)) await this.change();
  }

  /** No job starts any more; returns the jobs that had not started, in the order they were added. */
  stop(): J[] {
    this.stopped = true;
    const waiting = [...this.notStarted].map((entry) => entry.job);
    for (const entry of this.notStarted) {
      this.pendingJobs--;
      this.pendingBytes -= entry.job.sizeBytes;
    }
    this.notStarted.clear();
    this.ready = [];
    this.readyHead = 0;
    this.notify();
    return waiting;
  }

  private change(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private full(): boolean {
    return this.pendingJobs >= this.options.maxPendingJobs || this.pendingBytes >= this.options.maxPendingBytes;
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  private pump(): void {
    while (!this.stopped && this.running < this.options.concurrency && this.readyHead < this.ready.length) {
      const entry = this.ready[this.readyHead++];
      if (this.readyHead > 1024 && this.readyHead * 2 > this.ready.length) {
        this.ready = this.ready.slice(this.readyHead);
        this.readyHead = 0;
      }
      if (entry) this.start(entry);
    }
  }

  private start(entry: Entry<J>): void {
    this.running++;
    this.notStarted.delete(entry);
    const sent = (): void => {
      if (entry.sent) return;
      entry.sent = true;
      for (const person of entry.job.people) if (this.last.get(person) === entry) this.last.delete(person);
      for (const next of entry.dependents) if (--next.waitingFor === 0) this.ready.push(next);
      entry.dependents = [];
      this.pump();
    };
    void this.options
      .run(entry.job, sent)
      .catch(() => undefined)
      .finally(() => {
        sent();
        this.running--;
        this.pendingJobs--;
        this.pendingBytes -= entry.job.sizeBytes;
        this.pump();
        this.notify();
      });
  }
}
