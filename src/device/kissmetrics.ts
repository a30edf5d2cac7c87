import { API_KEY_PATTERN } from '../rules/constants';
import { RULES, applyRule } from '../rules/mapping';
import { invalidApiKey, leftOut, reasonOf, warning } from '../rules/messages';
import { bag, newBudget } from '../rules/properties';
import type { Bag, Budget } from '../rules/properties';
import type { KissmetricsConfig, KmqCommand, MessageType } from '../rules/types';
import { MOBILE_SESSION, MOBILE_USER_AGENT, QUIET_LOG_LEVELS, SDK_GLOBAL } from './constants';
import { loadKissmetricsScripts } from './loader';
import { noQueue, notInitialised } from './messages';
import type { AnalyticsInstance, KissmetricsGlobals, RudderElement } from './types';

const globals = (): KissmetricsGlobals => window as unknown as KissmetricsGlobals;

const isMobile = ({ userAgent, maxTouchPoints }: Navigator): boolean =>
  MOBILE_USER_AGENT.test(userAgent) || (userAgent.includes('Macintosh') && maxTouchPoints > 1);

/**
 * The Kissmetrics destination as the RudderStack JS SDK v3 runs it: built with the destination
 * config, then `init()`, ready as soon as the `_kmq` queue exists, then one method per call.
 */
export class Kissmetrics {
  private readonly config: Bag;
  private readonly quiet: boolean;
  private started = false;

  constructor(config: KissmetricsConfig, analytics?: AnalyticsInstance, _destinationInfo?: unknown) {
    this.config = bag(config);
    const level = bag(analytics).logLevel;
    // Warnings show at the SDK's LOG..WARN levels (and when no level is given), not at ERROR or NONE.
    this.quiet = typeof level === 'string' && QUIET_LOG_LEVELS.test(level);
  }

  /** Creates the queue and loads the Kissmetrics scripts; throws when `config.apiKey` is not a key. */
  init(): void {
    const { apiKey } = this.config;
    if (typeof apiKey !== 'string' || !API_KEY_PATTERN.test(apiKey)) throw new Error(invalidApiKey(apiKey));
    if (this.started) return;
    const g = globals();
    // Commands the page queued before us must survive: never replace an existing queue.
    g._kmq ??= [];
    g._kmk ??= apiKey;
    loadKissmetricsScripts(document, apiKey);
    this.started = true;
    if (isMobile(navigator)) this.push('init', () => [['set', { [MOBILE_SESSION]: 'Yes' }]]);
  }

  /** Kissmetrics replays `_kmq` when its library arrives, so nothing has to wait for it. */
  isReady(): boolean {
    return globals()._kmq != null;
  }

  isLoaded(): boolean {
    return globals().KM != null;
  }

  identify(event?: RudderElement<'identify'>): void {
    this.send('identify', event);
  }

  track(event?: RudderElement<'track'>): void {
    this.send('track', event);
  }

  page(event?: RudderElement<'page'>): void {
    this.send('page', event);
  }

  screen(event?: RudderElement<'screen'>): void {
    this.send('screen', event);
  }

  alias(event?: RudderElement<'alias'>): void {
    this.send('alias', event);
  }

  group(event?: RudderElement<'group'>): void {
    this.send('group', event);
  }

  /** Starts a new anonymous identity (logout). */
  reset(): void {
    this.push('reset', () => [['clearIdentity']]);
  }

  /**
   * Pushes all commands or, when anything is wrong, none and a warning; never throws into the page,
   * whatever a message, a getter, the queue or the console throws.
   */
  private push(method: string, build: (budget: Budget) => KmqCommand[]): void {
    const budget = newBudget();
    let commands: KmqCommand[] = [];
    let sent = 0;
    try {
      if (!this.started) throw new Error(notInitialised());
      const queue = globals()._kmq as { push?: unknown } | null | undefined;
      if (typeof queue?.push !== 'function') throw new Error(noQueue(queue));
      // All commands are built before the first push, so a bad message pushes nothing.
      commands = build(budget);
      for (const command of commands) {
        (queue.push as (command: KmqCommand) => unknown).call(queue, command);
        sent++;
      }
      if (budget.omissions) this.warn(() => warning(method, leftOut(budget), sent, sent));
    } catch (error) {
      this.warn(() => warning(method, reasonOf(error), sent, commands.length));
    }
  }

  private warn(text: () => string): void {
    if (this.quiet) return;
    try {
      console.warn(text());
    } catch {
      // A console that throws must not break the page either.
    }
  }

  private send(type: MessageType, event: unknown): void {
    this.push(type, (budget) => applyRule(RULES[type], bag(event).message, this.config, Date.now(), budget));
  }
}

/**
 * Mounts `window.Kissmetrics_RS = { Kissmetrics }`, where the SDK looks before loading the script.
 * Without a `window` (Node, server-side rendering) there is no SDK to find it: do nothing, so that
 * code shared between server and browser may call it unconditionally.
 */
export const register = (): void => {
  if (typeof window === 'undefined') return;
  (globals() as Bag)[SDK_GLOBAL] = { Kissmetrics };
};
