import { Scheduler, peopleOf } from '../../../src/cli/send/order';
import type { Job } from '../../../src/cli/send/order';

describe('peopleOf', () => {
  it.each<[string, unknown, string[]]>([
    ['a track of a user', { type: 'track', userId: 'u', anonymousId: 'a' }, ['u']],
    ['a track of an anonymous visitor', { type: 'track', anonymousId: 'a' }, ['a']],
    ['a numeric user id', { type: 'page', userId: 42 }, ['42']],
    ['an empty user id', { type: 'page', userId: '', anonymousId: 'a' }, ['a']],
    ['an identify with both ids', { type: 'identify', userId: 'u', anonymousId: 'a' }, ['u', 'a']],
    ['an alias', { type: 'alias', userId: 'new', previousId: 'old', anonymousId: 'a' }, ['new', 'old']],
    ['an alias of an id to itself', { type: 'alias', userId: 'x', previousId: 'x' }, ['x']],
    ['anything else', [1, 2], []],
  ])('%s', (_name, event, people) => {
    expect(peopleOf(event)).toEqual(people);
  });
});

/** A job whose run the test ends by hand. */
interface TestJob extends Job {
  name: string;
}

const harness = (concurrency: number, maxPendingJobs = 100) => {
  const started: string[] = [];
  const finish = new Map<string, () => void>();
  const scheduler = new Scheduler<TestJob>({
    concurrency,
    maxPendingJobs,
    maxPendingBytes: 1_000_000,
    run: (job, sent) =>
      new Promise<void>((resolve) => {
        started.push(job.name);
        finish.set(job.name, () => {
          sent();
          resolve();
        });
      }),
  });
  const job = (name: string, ...people: string[]): TestJob => ({ name, people, sizeBytes: 10 });
  const end = async (name: string): Promise<void> => {
    finish.get(name)?.();
    // Let the scheduler's promise callbacks run.
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { scheduler, started, job, end };
};

describe('Scheduler', () => {
  it('runs different people in parallel and the same person one line at a time, in order', async () => {
    const { scheduler, started, job, end } = harness(4);
    scheduler.add(job('a1', 'a'));
    scheduler.add(job('b1', 'b'));
    scheduler.add(job('a2', 'a'));
    scheduler.add(job('ab', 'a', 'b'));
    scheduler.add(job('c1', 'c'));
    expect(started).toEqual(['a1', 'b1', 'c1']);
    await end('a1');
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2']);
    await end('b1');
    // ab waits for a2 too.
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2']);
    await end('a2');
    expect(started).toEqual(['a1', 'b1', 'c1', 'a2', 'ab']);
  });

  it('never runs more than the concurrency', async () => {
    const { scheduler, started, job, end } = harness(2);
    for (const name of ['x', 'y', 'z']) scheduler.add(job(name, name));
    expect(started).toEqual(['x', 'y']);
    await end('y');
    expect(started).toEqual(['x', 'y', 'z']);
  });

  it('makes the reader wait while the pending limit is reached', async () => {
    const { scheduler, job, end } = harness(1, 2);
    scheduler.add(job('p', 'p'));
    scheduler.add(job('q', 'p'));
    let room = false;
    void scheduler.room().then(() => (room = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(room).toBe(false);
    await end('p');
    expect(room).toBe(true);
  });

  it('on stop, starts nothing more and hands back what had not started, in order', async () => {
    const { scheduler, started, job, end } = harness(1);
    for (const name of ['s1', 's2', 's3']) scheduler.add(job(name, 's'));
    const idle = scheduler.idle();
    expect(scheduler.stop().map((j) => j.name)).toEqual(['s2', 's3']);
    await end('s1');
    await idle;
    expect(started).toEqual(['s1']);
  });
});
