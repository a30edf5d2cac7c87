import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import type { Answer } from './answer';
import { API_VERSION, API_VERSION_HEADER } from './constants';

/**
 * Writes an answer: JSON, with `apiVersion: 2` (rudder-server stops on a 200 without it), and
 * `Connection: close` when asked or when the service is stopping (a kept-alive connection would hold
 * the process open).
 */
export const writeAnswer = (req: IncomingMessage, res: ServerResponse, answer: Answer, closing: boolean): void => {
  const text = JSON.stringify(answer.body);
  const headers: OutgoingHttpHeaders = {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    [API_VERSION_HEADER]: API_VERSION,
  };
  if (answer.allow) headers.allow = answer.allow.join(', ');
  if (closing || answer.close) headers.connection = 'close';
  res.writeHead(answer.status, headers);
  res.end(req.method === 'HEAD' ? undefined : text);
};
