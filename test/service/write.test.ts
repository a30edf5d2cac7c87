import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { ClientGone } from '../../src/service/read';
import { endStream, startStream, writePieces } from '../../src/service/write';

/** A response as the write stage sees it; `room` false makes the next write report a full buffer. */
class FakeResponse extends EventEmitter {
  status = 0;
  headers: Record<string, unknown> = {};
  written: string[] = [];
  ended = '';
  room = true;
  destroyed = false;
  writableFinished = false;
  writeHead(status: number, headers: Record<string, unknown>): this {
    this.status = status;
    this.headers = headers;
    return this;
  }
  write(text: string): boolean {
    this.written.push(text);
    return this.room;
  }
  end(text: string): void {
    this.ended = text;
    this.writableFinished = true;
  }
}

const asResponse = (res: FakeResponse): ServerResponse => res as unknown as ServerResponse;

describe('the answer stream', () => {
  it('starts a 200 with apiVersion 2 and no length (chunked), Connection: close while stopping', () => {
    const res = new FakeResponse();
    startStream(asResponse(res), true, 8);
    expect([res.status, res.headers]).toEqual([
      200,
      { 'content-type': 'application/json; charset=utf-8', apiVersion: '2', connection: 'close' },
    ]);
    startStream(asResponse(res), false, 8);
    expect(res.headers.connection).toBeUndefined();
  });

  it('gathers pieces and writes them once they reach the piece size, the rest at the end', async () => {
    const res = new FakeResponse();
    const stream = startStream(asResponse(res), false, 10);
    await writePieces(stream, ['[', '{"a":1}']);
    expect(res.written).toEqual([]);
    await writePieces(stream, [',{"b":2}']);
    expect(res.written).toEqual(['[{"a":1},{"b":2}']);
    await writePieces(stream, [',{"c":3}']);
    endStream(stream, ']');
    expect([res.written.length, res.ended]).toEqual([1, ',{"c":3}]']);
  });

  it('waits for the client to read (drain) before taking more pieces', async () => {
    const res = new FakeResponse();
    res.room = false;
    const stream = startStream(asResponse(res), false, 1);
    let done = false;
    const writing = writePieces(stream, ['[1]']).then(() => (done = true));
    await Promise.resolve();
    expect([res.written, done]).toEqual([['[1]'], false]);
    res.emit('drain');
    await writing;
    expect(done).toBe(true);
  });

  it('stops with ClientGone when the client leaves while the stream waits', async () => {
    const res = new FakeResponse();
    res.room = false;
    const stream = startStream(asResponse(res), false, 1);
    const writing = writePieces(stream, ['[1]']);
    res.destroyed = true;
    res.emit('close');
    await expect(writing).rejects.toBeInstanceOf(ClientGone);
    await expect(writePieces(stream, ['x'])).rejects.toBeInstanceOf(ClientGone);
  });
});
