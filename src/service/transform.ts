import { reasonOf } from '../rules/messages';
import type { Naming } from '../rules/naming';
import { bag, idOf, isRecord, newBudget } from '../rules/properties';
import { STATUS_FILTERED } from './constants';
import { notAnEvent, nothingToSend } from './messages';
import { restRequestsFor } from './rest';
import type { RestRequest } from './rest';

/** What one event became: its requests in sending order, or why it has none (400 refused, 298 filtered). */
export type EventOutcome =
  | { statusCode: 200; requests: RestRequest[]; trimmed: boolean }
  | { statusCode: 400 | typeof STATUS_FILTERED; error: string };

/** One event of a call, whatever its shape: `item` is what came, the rest is read from it. */
export interface CallEvent {
  item: unknown;
  message: unknown;
  metadata: unknown;
  destination: unknown;
}

/**
 * Translates one event with the cloud rules. Never throws: an event that cannot be translated is a
 * 400 (rudder-server aborts it, the rest of the call goes on), one that becomes no request a 298.
 * `naming` (the service's `--naming`) names events and properties when the destination config has no `naming`.
 */
export const translateEvent = (event: CallEvent, nowMs: number, naming?: Naming): EventOutcome => {
  try {
    if (!isRecord(event.item)) return { statusCode: 400, error: notAnEvent(event.item) };
    const budget = newBudget();
    const message = bag(event.message);
    const userId = idOf(message.userId) ?? idOf(message.anonymousId) ?? '';
    const requests = restRequestsFor(event.message, bag(event.destination).Config, nowMs, budget, userId, naming);
    if (!requests.length) return { statusCode: STATUS_FILTERED, error: nothingToSend(message.type) };
    return { statusCode: 200, requests, trimmed: budget.omissions > 0 };
  } catch (error) {
    return { statusCode: 400, error: reasonOf(error) };
  }
};
