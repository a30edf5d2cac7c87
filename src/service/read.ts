import type { IncomingMessage } from 'node:http';
import { errorAnswer } from './answer';
import type { Answer } from './answer';
import { bodyTooLarge } from './messages';

/** The body of a call, whole, or the answer when it cannot be read within the limit. */
export type Body = { ok: true; bytes: Buffer } | { ok: false; answer: Answer };

/** The client went away before its whole body arrived: there is nobody left to answer. */
export class ClientGone extends Error {
  override name = 'ClientGone';
}

/**
 * Reads the body up to `maxBytes`; past that, stops keeping it and answers 413 (the connection is then
 * closed). Rejects with `ClientGone` when the client leaves mid-body.
 */
export const readBody = (req: IncomingMessage, maxBytes: number): Promise<Body> =>
  new Promise((resolve, reject) => {
    const tooLarge: Body = { ok: false, answer: errorAnswer(413, bodyTooLarge(maxBytes), { close: true }) };
    if (Number(req.headers['content-length']) > maxBytes) {
      resolve(tooLarge);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size <= maxBytes) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      chunks.length = 0;
      resolve(tooLarge);
    };
    req.on('data', onData);
    req.on('end', () => {
      resolve({ ok: true, bytes: Buffer.concat(chunks, size) });
    });
    const gone = (): void => {
      reject(new ClientGone('the client closed the connection before sending the whole body'));
    };
    req.on('error', gone);
    // Settles the call when the client leaves mid-body, so it does not count as in flight for ever.
    req.on('close', () => {
      if (!req.complete) gone();
    });
  });
