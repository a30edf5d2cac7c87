import { isRecord } from '../rules/properties';
import { ERROR_CATEGORY, STAT_TAGS, STATUS_FILTERED } from './constants';
import { answerFull, destinationNotEchoed, metadataNotEchoed } from './messages';
import type { Outcome } from './outcome';
import type { RestRequest } from './rest';
import type { CallSummary, Endpoint, ReadEvent, Refusal } from './types';

/** The encode stage's state across the events of one answer. */
export interface AnswerState {
  endpoint: Endpoint;
  /** Translated entries stop at this many bytes of answer (`MAX_ANSWER_BYTES`). */
  maxBytes: number;
  /** Bytes of the entries encoded so far. */
  bytes: number;
  /** Set once an event's entries did not fit: every later event is answered 413 without being translated. */
  full: boolean;
  entries: number;
  summary: CallSummary;
}

export const answerState = (endpoint: Endpoint, maxBytes: number): AnswerState => ({
  endpoint,
  maxBytes,
  bytes: 0,
  full: false,
  entries: 0,
  summary: { events: 0, requests: 0, refused: 0, filtered: 0, trimmed: 0 },
});

/** What comes before and after the entries: a list for the processor, `{output: [...]}` for the router. */
export const answerOpening = (endpoint: Endpoint): string => (endpoint === 'router' ? '{"output":[' : '[');
export const answerClosing = (endpoint: Endpoint): string => (endpoint === 'router' ? ']}' : ']');

/** The refusal of an event that comes once the answer is full. */
export const fullRefusal = (state: AnswerState): Refusal => ({
  statusCode: 413,
  error: answerFull(state.maxBytes),
  errorType: 'instrumentation',
});

type Echo = { ok: true; text: string } | { ok: false; text: string };

/** A value's top-level strings, numbers, booleans and nulls: all that is left of one that cannot be encoded. */
const topLevelOf = (value: unknown): Record<string, unknown> => {
  const out: Record<string, unknown> = {};
  if (!isRecord(value)) return out;
  for (const key of Object.keys(value)) {
    const field = value[key];
    if (field === null || ['string', 'number', 'boolean'].includes(typeof field))
      Object.defineProperty(out, key, { value: field, enumerable: true, writable: true, configurable: true });
  }
  return out;
};

/**
 * A value echoed as it came. Events nest at most `MAX_DEPTH_LEVELS_PER_EVENT` levels (the parse stage
 * refuses deeper ones), which `JSON.stringify` encodes; should one still fail (out of stack), its
 * top-level fields are echoed (`jobId` with them), so that rudder-server can tell which job the entry
 * answers, and its event is refused.
 */
const echoOf = (value: unknown): Echo => {
  try {
    return { ok: true, text: JSON.stringify(value) };
  } catch {
    return { ok: false, text: JSON.stringify(topLevelOf(value)) };
  }
};

/** rudder-server's `statTags`: what failed and where, and which destination and workspace it was for. */
const statTagsOf = (refusal: Refusal, feature: 'processor' | 'router', metadata: unknown): Record<string, string> => {
  const tags: Record<string, string> =
    refusal.errorType === 'filtered'
      ? { ...STAT_TAGS, feature }
      : { errorCategory: ERROR_CATEGORY, errorType: refusal.errorType, ...STAT_TAGS, feature };
  if (isRecord(metadata)) {
    if (typeof metadata.destinationId === 'string') tags.destinationId = metadata.destinationId;
    if (typeof metadata.workspaceId === 'string') tags.workspaceId = metadata.workspaceId;
  }
  return tags;
};

/** The one entry of a refused event. */
const refusalEntry = (
  state: AnswerState,
  refusal: Refusal,
  event: ReadEvent,
  metadata: string,
  destination: string,
): string => {
  const feature = state.endpoint === 'router' ? 'router' : 'processor';
  const tail = `"statusCode":${refusal.statusCode},"error":${JSON.stringify(refusal.error)},"statTags":${JSON.stringify(statTagsOf(refusal, feature, event.metadata))}}`;
  return feature === 'router'
    ? `{"metadata":[${metadata}],"batched":false,"destination":${destination},${tail}`
    : `{"metadata":${metadata},${tail}`;
};

/** The entries of a translated event, or `undefined` when they would take the answer past its cap. */
const translatedEntries = (
  state: AnswerState,
  requests: RestRequest[],
  metadata: string,
  destination: string,
): string[] | undefined => {
  const room = state.maxBytes - state.bytes;
  let bytes = 0;
  const texts: string[] = [];
  for (const request of requests) {
    const text =
      state.endpoint === 'router'
        ? JSON.stringify(request)
        : `{"output":${JSON.stringify(request)},"metadata":${metadata},"statusCode":200}`;
    bytes += Buffer.byteLength(text) + 1;
    if (bytes > room) return undefined;
    texts.push(text);
  }
  if (state.endpoint !== 'router') return texts;
  const entry = `{"batchedRequest":[${texts.join(',')}],"metadata":[${metadata}],"batched":false,"statusCode":200,"destination":${destination}}`;
  return bytes + metadata.length + destination.length > room ? undefined : [entry];
};

const count = (summary: CallSummary, outcome: Outcome): void => {
  summary.events++;
  if (outcome.statusCode === 200) {
    summary.requests += outcome.requests.length;
    if (outcome.trimmed) summary.trimmed++;
  } else if (outcome.statusCode === STATUS_FILTERED) summary.filtered++;
  else summary.refused++;
};

/**
 * The encode stage: the entries of one event, each a piece of text to write, comma first but for the
 * answer's first entry. Per request of a translated event `{output, metadata, statusCode: 200}` (the
 * router: one entry, its requests as `batchedRequest`); per refused event one entry with its `error` and
 * `statTags`. Metadata is encoded once per event and echoed exactly; one that cannot be encoded refuses
 * its event. Entries that would take the answer past its cap refuse their event and fill the answer.
 */
export const encodeEvent = (state: AnswerState, event: ReadEvent, outcome: Outcome): string[] => {
  const metadata = echoOf(event.metadata);
  const destination = state.endpoint === 'router' ? echoOf(event.destination ?? {}) : { ok: true, text: '' };
  let result = outcome;
  if (!metadata.ok) result = { statusCode: 400, error: metadataNotEchoed(), errorType: 'instrumentation' };
  else if (!destination.ok) result = { statusCode: 400, error: destinationNotEchoed(), errorType: 'instrumentation' };
  let entries =
    result.statusCode === 200 ? translatedEntries(state, result.requests, metadata.text, destination.text) : undefined;
  if (result.statusCode === 200 && !entries) {
    state.full = true;
    result = fullRefusal(state);
  }
  entries ??= [refusalEntry(state, result as Refusal, event, metadata.text, destination.text)];
  count(state.summary, result);
  const pieces = entries.map((entry, i) => (state.entries + i > 0 ? `,${entry}` : entry));
  state.entries += pieces.length;
  for (const piece of pieces) state.bytes += Buffer.byteLength(piece);
  return pieces;
};
