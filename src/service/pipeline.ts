import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Naming } from '../rules/naming';
import type { Answer } from './answer';
import { FEATURES } from './constants';
import { answerClosing, answerOpening, answerState, encodeEvent, fullRefusal } from './encode';
import type { CallSummary } from './types';
import { outcomeOf } from './outcome';
import { parseCall, readerOf, readEvent } from './parse';
import type { ParsedCall } from './parse';
import { readBody } from './read';
import type { Endpoint } from './types';
import { endStream, startStream, writePieces } from './write';

/** What the stages of a call need from the service's options. */
export interface CallLimits {
  maxBodyBytes: number;
  maxEventsPerCall: number;
  maxAnswerBytes: number;
  answerPieceBytes: number;
  /** The event time (ms) of messages with neither `timestamp` nor `originalTimestamp`. */
  clock: () => number;
  /** The service's naming, for destinations whose config has none. */
  naming: Naming | undefined;
}

/** A call answered as it was translated: its answer is already written. */
export interface Streamed {
  status: 200;
  streamed: true;
  summary: CallSummary;
}

/**
 * Translates and writes the events of a call one at a time: build the event (parse) → translate it
 * within its bounds → encode its entries → write them as the client reads. One event is in memory at a
 * time, and the answer never is whole.
 */
const streamAnswer = async (
  res: ServerResponse,
  endpoint: Endpoint,
  call: ParsedCall,
  limits: CallLimits,
  closing: boolean,
): Promise<Streamed> => {
  const nowMs = limits.clock();
  const state = answerState(endpoint, limits.maxAnswerBytes);
  const reader = readerOf(call);
  const stream = startStream(res, closing, limits.answerPieceBytes);
  await writePieces(stream, [answerOpening(endpoint)]);
  for (let i = 0; i < call.events.length; i++) {
    const event = readEvent(reader, i);
    const outcome = state.full ? (event.refusal ?? fullRefusal(state)) : outcomeOf(event, nowMs, limits.naming);
    await writePieces(stream, encodeEvent(state, event, outcome));
  }
  endStream(stream, answerClosing(endpoint));
  return { status: 200, streamed: true, summary: state.summary };
};

/** A translation call, stage by stage; each stage answers what it cannot pass on. */
const translateCall = async (
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: Endpoint,
  limits: CallLimits,
  closing: () => boolean,
): Promise<Answer | Streamed> => {
  const body = await readBody(req, limits.maxBodyBytes);
  if (!body.ok) return body.answer;
  const parsed = parseCall(body.bytes, endpoint, limits.maxEventsPerCall);
  if (!parsed.ok) return parsed.answer;
  return streamAnswer(res, endpoint, parsed.call, limits, closing());
};

/** What an endpoint answers: an answer to write, or one already written. */
export const answerCall = (
  req: IncomingMessage,
  res: ServerResponse,
  endpoint: Endpoint,
  limits: CallLimits,
  closing: () => boolean,
): Promise<Answer | Streamed> | Answer => {
  switch (endpoint) {
    case 'health':
      return { status: 200, body: { status: 'ok' } };
    case 'features':
      return { status: 200, body: FEATURES };
    case 'processor':
    case 'router':
      return translateCall(req, res, endpoint, limits, closing);
  }
};
