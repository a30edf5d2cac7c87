import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Answer } from './answer';
import { API_VERSION, API_VERSION_HEADER } from './constants';
import { ClientGone } from './read';

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * Writes an answer: JSON, with `apiVersion: 2` (rudder-server stops on a 200 without it), and
 * `Connection: close` when asked or when the service is stopping (a kept-alive connection would hold
 * the process open).
 */
export const writeAnswer = (req: IncomingMessage, res: ServerResponse, answer: Answer, closing: boolean): void => {
  const text = JSON.stringify(answer.body);
  const headers: OutgoingHttpHeaders = {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    [API_VERSION_HEADER]: API_VERSION,
  };
  if (answer.allow) headers.allow = answer.allow.join(', ');
  if (closing || answer.close) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(req.method === 'HEAD' ? undefined : text);
};

/** An answer written as it is encoded: pieces gathered up to `pieceBytes`, then written when the client has room. */
export interface AnswerStream {
  res: ServerResponse;
  pieceBytes: number;
  pending: string[];
  pendingChars: number;
}

/** Starts a 200 answer whose length is not known yet (chunked). */
export const startStream = (res: ServerResponse, closing: boolean, pieceBytes: number): AnswerStream => {
  const headers: OutgoingHttpHeaders = { 'content-type': JSON_TYPE, [API_VERSION_HEADER]: API_VERSION };
  if (closing) headers.connection = 'close';
  res.writeHead(200, headers);
  return { res, pieceBytes, pending: [], pendingChars: 0 };
};

/** Resolves once the client has read what was written (or has gone: then rejects). */
const drained = (res: ServerResponse): Promise<void> =>
  new Promise((resolve, reject) => {
    const done = (): void => {
      res.off('drain', done);
      res.off('close', done);
      if (res.destroyed && !res.writableFinished)
        reject(new ClientGone('the client closed the connection during the answer'));
      else resolve();
    };
    res.on('drain', done);
    res.on('close', done);
  });

const flush = async (stream: AnswerStream): Promise<void> => {
  const text = stream.pending.join('');
  stream.pending = [];
  stream.pendingChars = 0;
  if (stream.res.destroyed) throw new ClientGone('the client closed the connection during the answer');
  if (!stream.res.write(text)) await drained(stream.res);
};

/**
 * Adds pieces to the answer; writes once about `pieceBytes` have gathered, and waits while the client
 * has not read the previous ones (backpressure: memory stays at one piece however slow it reads).
 */
export const writePieces = async (stream: AnswerStream, pieces: readonly string[]): Promise<void> => {
  for (const piece of pieces) {
    stream.pending.push(piece);
    // Characters, not bytes: a cheap measure of the same order, checked on every piece.
    stream.pendingChars += piece.length;
  }
  if (stream.pendingChars >= stream.pieceBytes) await flush(stream);
};

/** Writes what is left, and ends the answer. */
export const endStream = (stream: AnswerStream, last: string): void => {
  stream.pending.push(last);
  stream.res.end(stream.pending.join(''));
};
