import { API_KEY_PATTERN, MOBILE_SESSION, MOBILE_USER_AGENT, SDK_GLOBAL } from './constants';
import { loadKissmetricsScripts } from './loader';
import { createLogger } from './logger';
import type { Logger } from './logger';
import { translate } from './mapping';
import { dropped, invalidApiKey, noQueue, notInitialised } from './messages';
import { isRecord } from './properties';
import type { AnalyticsInstance, KissmetricsGlobals, KmqCommand, MessageType, RudderElement } from './types';

const globals = (): KissmetricsGlobals => window as unknown as KissmetricsGlobals;

const isMobile = (nav: Navigator): boolean =>
  MOBILE_USER_AGENT.test(nav.userAgent) || (/Macintosh/.test(nav.userAgent) && nav.maxTouchPoints > 1);

/**
 * The Kissmetrics destination as the RudderStack JS SDK v3 runs it: built with the destination
 * config, then `init()`, ready as soon as the `_kmq` queue exists, then one method per call.
 */
export class Kissmetrics {
  private readonly config: unknown;
  private readonly logger: Logger;
  private started = false;

  constructor(config: unknown, analytics?: AnalyticsInstance, _destinationInfo?: unknown) {
    this.config = config;
    this.logger = createLogger(isRecord(analytics) ? analytics.logLevel : undefined);
  }

  /** Creates the queue and loads the Kissmetrics scripts; throws when `config.apiKey` is not a key. */
  init(): void {
    const apiKey = isRecord(this.config) ? this.config.apiKey : undefined;
    if (typeof apiKey !== 'string' || !API_KEY_PATTERN.test(apiKey)) throw new Error(invalidApiKey(apiKey));
    if (this.started) return;
    const g = globals();
    // Commands the page queued before us must survive: never replace an existing queue.
    g._kmq ??= [];
    g._kmk ??= apiKey;
    loadKissmetricsScripts(document, apiKey);
    this.started = true;
    if (isMobile(navigator)) this.push('init', [['set', { [MOBILE_SESSION]: 'Yes' }]]);
  }

  /** Kissmetrics replays `_kmq` when its library arrives, so nothing has to wait for it. */
  isReady(): boolean {
    return globals()._kmq != null;
  }

  isLoaded(): boolean {
    return globals().KM != null;
  }

  identify(event?: RudderElement): void {
    this.send('identify', event);
  }

  track(event?: RudderElement): void {
    this.send('track', event);
  }

  page(event?: RudderElement): void {
    this.send('page', event);
  }

  screen(event?: RudderElement): void {
    this.send('screen', event);
  }

  alias(event?: RudderElement): void {
    this.send('alias', event);
  }

  group(event?: RudderElement): void {
    this.send('group', event);
  }

  /** Starts a new anonymous identity (logout). */
  reset(): void {
    this.push('reset', [['clearIdentity']]);
  }

  private send(type: MessageType, event: unknown): void {
    let commands: KmqCommand[];
    try {
      commands = translate(type, isRecord(event) ? event.message : event, isRecord(this.config) ? this.config : {});
    } catch (error) {
      this.logger.warn(dropped(type, error instanceof Error ? error.message : String(error)));
      return;
    }
    this.push(type, commands);
  }

  private push(method: string, commands: KmqCommand[]): void {
    const queue = globals()._kmq as { push?: unknown } | null | undefined;
    if (!this.started) return this.logger.warn(dropped(method, notInitialised()));
    if (typeof queue?.push !== 'function') return this.logger.warn(dropped(method, noQueue()));
    try {
      for (const command of commands) (queue.push as (command: KmqCommand) => unknown).call(queue, command);
    } catch (error) {
      // The queue belongs to the Kissmetrics library; a failure inside it must not reach the page.
      this.logger.warn(dropped(method, error instanceof Error ? error.message : String(error)));
    }
  }
}

/** Mounts `window.Kissmetrics_RS = { Kissmetrics }`, where the SDK looks before loading the script. */
export const register = (): void => {
  (globals() as Record<string, unknown>)[SDK_GLOBAL] = { Kissmetrics };
};
