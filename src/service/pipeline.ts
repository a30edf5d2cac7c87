import type { IncomingMessage } from 'node:http';
import { errorAnswer } from './answer';
import type { Answer } from './answer';
import { FEATURES } from './constants';
import { encodeAnswer } from './encode';
import { tooManyEvents } from './messages';
import { parseCall } from './parse';
import { readBody } from './read';
import type { Endpoint } from './routes';
import { translateEvent } from './transform';
import type { CallEvent, EventOutcome } from './transform';

/** What the stages of a call need from the service's options. */
export interface CallLimits {
  maxBodyBytes: number;
  maxEventsPerCall: number;
  /** The event time (ms) of messages with neither `timestamp` nor `originalTimestamp`. */
  clock: () => number;
}

/**
 * A translation call, stage by stage: read the body within its limit → parse the events → translate
 * each event on its own → encode the answer. Each stage answers what it cannot pass on.
 */
const translateCall = async (req: IncomingMessage, endpoint: Endpoint, limits: CallLimits): Promise<Answer> => {
  const body = await readBody(req, limits.maxBodyBytes);
  if (!body.ok) return body.answer;
  const call = parseCall(body.bytes, endpoint);
  if (!call.ok) return call.answer;
  const { events } = call;
  if (events.length > limits.maxEventsPerCall)
    return errorAnswer(413, tooManyEvents(events.length, limits.maxEventsPerCall));
  const nowMs = limits.clock();
  const each = events.map((event): [CallEvent, EventOutcome] => [event, translateEvent(event, nowMs)]);
  return { status: 200, ...encodeAnswer(endpoint, each) };
};

/** What an endpoint answers. */
export const answerCall = (req: IncomingMessage, endpoint: Endpoint, limits: CallLimits): Promise<Answer> | Answer => {
  switch (endpoint) {
    case 'health':
      return { status: 200, body: { status: 'ok' } };
    case 'features':
      return { status: 200, body: FEATURES };
    case 'processor':
    case 'router':
      return translateCall(req, endpoint, limits);
  }
};
