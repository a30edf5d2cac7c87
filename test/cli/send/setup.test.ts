import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DoneLines, apiKeyHash, emptyProgress, snapshotText } from '../../../src/cli/send/journal';
import { openSendFiles, ownJournalName } from '../../../src/cli/send/setup';
import type { SendFiles } from '../../../src/cli/send/setup';
import { memoryInput } from './input';

const KEY = 'k'.repeat(40);

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'km-setup-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('set-up of a send run', () => {
  it('names the journal it keeps after the time (UTC) and the process', () => {
    expect(ownJournalName(new Date('2024-03-01T12:34:56.789Z'), 4242)).toBe('send-20240301-123456-4242.state');
  });

  it('refuses a journal whose checksums file is gone, before opening anything', async () => {
    const state = join(dir, 'lost.state');
    const progress = { ...emptyProgress(), done: new DoneLines([[1, 3, 30]]) };
    const identity = {
      input: { path: '/data/events.ndjson' },
      own: false,
      command: {
        endpoint: 'https://trk.kissmetrics.io',
        apiKeyHash: apiKeyHash(KEY),
        prefixProperties: false,
        naming: 'default',
        failedOut: null,
      },
    };
    await writeFile(state, snapshotText(identity, progress));
    const files: SendFiles = {
      appendFailedOut: false,
      state,
      dryRun: false,
      apiKey: KEY,
      prefixProperties: false,
      naming: 'default',
      ownJournal: () => 'unused.state',
    };
    await expect(openSendFiles(memoryInput('a\nb\nc\n'), files)).rejects.toThrow(
      `the journal ${state} has lost its checksums (${state}.checksums is missing or cut short): it cannot tell ` +
        'whether the input changed; nothing was sent.',
    );
  });
});
