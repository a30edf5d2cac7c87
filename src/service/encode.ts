import { STATUS_FILTERED } from './constants';
import type { Endpoint } from './routes';
import type { RestRequest } from './rest';
import type { CallEvent, EventOutcome } from './transform';

/** One entry of the processor answer. */
export type ProcessorEntry =
  | { output: RestRequest; metadata: unknown; statusCode: 200 }
  | { metadata: unknown; statusCode: number; error: string };

/** Per request of each event `{output, metadata, statusCode: 200}`; per refused event `{metadata, statusCode, error}`. */
export const processorEntries = (event: CallEvent, outcome: EventOutcome): ProcessorEntry[] =>
  outcome.statusCode === 200
    ? outcome.requests.map((output) => ({ output, metadata: event.metadata, statusCode: 200 }))
    : [{ metadata: event.metadata, statusCode: outcome.statusCode, error: outcome.error }];

/** One entry of the router answer: one per event, its requests as an array in sending order. */
export interface RouterEntry {
  batchedRequest?: RestRequest[];
  metadata: unknown[];
  batched: false;
  statusCode: number;
  destination: unknown;
  error?: string;
}

export const routerEntry = (event: CallEvent, outcome: EventOutcome): RouterEntry => {
  const common = { metadata: [event.metadata], batched: false as const, destination: event.destination ?? {} };
  return outcome.statusCode === 200
    ? { batchedRequest: outcome.requests, ...common, statusCode: 200 }
    : { ...common, statusCode: outcome.statusCode, error: outcome.error };
};

/** Counts for the log line: never contents. */
export interface CallSummary {
  events: number;
  requests: number;
  refused: number;
  filtered: number;
  trimmed: number;
}

export const summarize = (outcomes: EventOutcome[]): CallSummary => {
  const summary: CallSummary = { events: outcomes.length, requests: 0, refused: 0, filtered: 0, trimmed: 0 };
  for (const outcome of outcomes) {
    if (outcome.statusCode === 200) {
      summary.requests += outcome.requests.length;
      if (outcome.trimmed) summary.trimmed++;
    } else if (outcome.statusCode === STATUS_FILTERED) summary.filtered++;
    else summary.refused++;
  }
  return summary;
};

/** The answer of a translated call, in the shape of its endpoint, and its counts. */
export const encodeAnswer = (
  endpoint: Endpoint,
  each: [CallEvent, EventOutcome][],
): { body: unknown; summary: CallSummary } => ({
  body:
    endpoint === 'router'
      ? { output: each.map(([event, outcome]) => routerEntry(event, outcome)) }
      : each.flatMap(([event, outcome]) => processorEntries(event, outcome)),
  summary: summarize(each.map(([, outcome]) => outcome)),
});
