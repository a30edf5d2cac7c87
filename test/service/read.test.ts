import type { IncomingMessage } from 'node:http';
import { PassThrough } from 'node:stream';
import { bodyTooLarge } from '../../src/service/messages';
import { ClientGone, readBody } from '../../src/service/read';

/** A request as the read stage sees it: a stream of body bytes with headers, `complete` once it ended. */
const fakeRequest = (
  headers: Record<string, string> = {},
): PassThrough & { headers: Record<string, string>; complete: boolean } => {
  const req = Object.assign(new PassThrough(), { headers, complete: false });
  req.on('end', () => (req.complete = true));
  return req;
};

const asMessage = (req: PassThrough): IncomingMessage => req as unknown as IncomingMessage;

const tooLarge = (max: number): unknown => ({
  ok: false,
  answer: { status: 413, body: { error: bodyTooLarge(max) }, close: true },
});

describe('readBody: the body of a call, within its limit', () => {
  it('reads a body sent in pieces, whole', async () => {
    const req = fakeRequest();
    const read = readBody(asMessage(req), 10);
    req.write('[1,');
    req.end('2]');
    expect(await read).toEqual({ ok: true, bytes: Buffer.from('[1,2]') });
  });

  it('answers 413 (and closes) for a declared Content-Length over the limit, before reading anything', async () => {
    const req = fakeRequest({ 'content-length': '11' });
    expect(await readBody(asMessage(req), 10)).toEqual(tooLarge(10));
    expect(req.listenerCount('data')).toBe(0);
  });

  it('answers 413 (and closes) once a body without a length grows past the limit, and stops reading it', async () => {
    const req = fakeRequest();
    const read = readBody(asMessage(req), 10);
    req.write('123456');
    req.write('7890ab');
    expect(await read).toEqual(tooLarge(10));
    expect(req.listenerCount('data')).toBe(0);
  });

  it('rejects with ClientGone when the client leaves before its body has arrived', async () => {
    const req = fakeRequest();
    const read = readBody(asMessage(req), 10);
    req.write('[1,');
    req.destroy();
    await expect(read).rejects.toBeInstanceOf(ClientGone);
  });
});
