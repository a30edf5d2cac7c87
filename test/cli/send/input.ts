import type { Input } from '../../../src/cli/files';
import type { Position } from '../../../src/cli/lines';

/**
 * An in-memory input for the stage tests: `bytes` handed out in chunks of `chunkBytes`, from the
 * offset a resumed run asks for when `seekable` (a file), from the start otherwise (stdin).
 */
export const memoryInput = (
  bytes: Buffer | string,
  options: { seekable?: boolean; chunkBytes?: number } = {},
): Input => {
  const data = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  const seekable = options.seekable ?? true;
  const chunkBytes = options.chunkBytes ?? 7;
  let closed = false;
  return {
    name: seekable ? 'events.ndjson' : '-',
    ...(seekable ? { path: '/data/events.ndjson', sizeBytes: data.length } : {}),
    seekable,
    read: (from?: Position) =>
      (async function* chunks(): AsyncGenerator<Buffer> {
        for (let at = seekable ? (from?.offset ?? 0) : 0; at < data.length && !closed; at += chunkBytes) {
          await Promise.resolve();
          yield data.subarray(at, at + chunkBytes);
        }
      })(),
    close: () => {
      closed = true;
    },
  };
};
