import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { replayOf } from '../../../src/cli/send/origin';
import type { Input } from '../../../src/cli/files';

let dir = '';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'km-origin-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function* nothing(): AsyncGenerator<Buffer> {
  // The origins are read from the reasons file; the input is only counted from its path.
}

const fileInput = (path: string): Input => ({
  name: path,
  path,
  seekable: true,
  read: nothing,
  close: () => undefined,
});

const delivered = { request: 1, path: '/e', id: '0123456789abcdef' };

describe('replay of --failed-out: the lines keep their original numbers', () => {
  it('reads the k-th reason as the origin of the k-th line, asked for in order', async () => {
    const failed = join(dir, 'failed.ndjson');
    await writeFile(failed, 'a\nb\nc');
    await writeFile(
      `${failed}.reasons.ndjson`,
      [
        { line: 12, kind: 'malformed', reason: 'x' },
        { line: 40, kind: 'failed', reason: 'y', requests: 2, delivered: [delivered] },
        { line: 97, kind: 'failed', reason: 'z', requests: 1, delivered: [] },
      ]
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    const replay = await replayOf(fileInput(failed));
    if (!replay || !('origins' in replay)) throw new Error('expected origins');
    expect(await replay.origins.at(2)).toEqual({ line: 40, delivered: [delivered] });
    expect(await replay.origins.at(3)).toEqual({ line: 97, delivered: [] });
    expect(await replay.origins.at(4)).toBeUndefined();
    replay.origins.close();
  });

  it('says so, and uses nothing, when the reasons do not match the lines', async () => {
    const failed = join(dir, 'edited.ndjson');
    await writeFile(failed, 'a\nb\n');
    await writeFile(`${failed}.reasons.ndjson`, `${JSON.stringify({ line: 12, kind: 'malformed', reason: 'x' })}\n`);
    expect(await replayOf(fileInput(failed))).toEqual({
      warning: `${failed}.reasons.ndjson has 1 reason for 2 lines: not used (line numbers are those of ${failed}, and every request of each line is sent)`,
    });
  });

  it('finds nothing for a file without reasons, or for stdin', async () => {
    const plain = join(dir, 'events.ndjson');
    await writeFile(plain, 'a\n');
    expect(await replayOf(fileInput(plain))).toBeUndefined();
    expect(await replayOf({ name: '-', seekable: false, read: nothing, close: () => undefined })).toBeUndefined();
  });
});
