import { createHash } from 'node:crypto';
import { requestsFor } from '../../cloud/requests';
import type { CloudConfig, KissmetricsRequest } from '../../cloud/types';
import { leftOut } from '../../rules/messages';
import { newBudget } from '../../rules/properties';
import { readLine, reasonOf } from '../lines';
import type { RawLine } from '../lines';
import { peopleOf } from './order';

/*
 * Stage 2, translate: one line's bytes through the one rule set (the same as `translate --mode
 * cloud`), into what the later stages need. Pure: no I/O, no run state.
 */

/** What a line is worth sending, or why it is not. `trimmed` says what its requests had to leave out. */
export type LineWork =
  | { kind: 'blank' }
  | { kind: 'malformed'; reason: string }
  | { kind: 'untranslatable'; reason: string }
  | { kind: 'nothing'; trimmed?: string }
  | { kind: 'requests'; requests: KissmetricsRequest[]; people: string[]; trimmed?: string };

export const translateLine = (raw: RawLine, config: CloudConfig): LineWork => {
  const content = readLine(raw.bytes, raw.start === 0);
  if (content.kind !== 'json') return content;
  const budget = newBudget();
  let requests: KissmetricsRequest[];
  try {
    requests = requestsFor(content.value, config, undefined, budget);
  } catch (error) {
    return { kind: 'untranslatable', reason: reasonOf(error) };
  }
  const trimmed = budget.omissions ? { trimmed: leftOut(budget) } : {};
  if (!requests.length) return { kind: 'nothing', ...trimmed };
  return { kind: 'requests', requests, people: peopleOf(content.value), ...trimmed };
};

/** The path of a request's endpoint (`/e`), or `?` when it has none. */
export const pathOf = (endpoint: string): string => {
  try {
    return new URL(endpoint).pathname;
  } catch {
    return '?';
  }
};

/**
 * A request's identity within its line: its position, method, path and parameters, without the
 * API key (a secret) and `_t` (the time of translation for a line without its own timestamp). A
 * replay skips a request of a line whose identity the reasons file lists as delivered.
 */
export const requestId = (request: KissmetricsRequest, index: number): string => {
  const params = Object.entries(request.params)
    .filter(([key]) => key !== '_k' && key !== '_t')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const text = JSON.stringify([index, request.method, pathOf(request.endpoint), params]);
  return createHash('sha256').update(text).digest('hex').slice(0, 16);
};
