import { consented } from '../rules/consent';
import { API_KEY_PATTERN } from '../rules/constants';
import { RULES, applyRule, fail } from '../rules/mapping';
import { invalidApiKey, leftOut, reasonOf, warning } from '../rules/messages';
import { newBudget, own } from '../rules/properties';
import type { Bag, Budget } from '../rules/properties';
import type { KissmetricsConfig, KmqCommand, MessageType } from '../rules/types';
import {
  DESTINATION_NAME,
  KM_KEY_SCRIPT,
  KM_LIBRARY,
  MOBILE_USER_AGENT,
  PROBE_MESSAGE,
  QUIET_LOG_LEVELS,
  SDK_GLOBAL,
} from './constants';
import { injectScript } from './loader';
import { initFailed, noQueue, notConsented, notInitialised } from './messages';
import type { AnalyticsInstance, KissmetricsGlobals, RudderElement } from './types';

const globals = (): KissmetricsGlobals => window as unknown as KissmetricsGlobals;

interface Queue {
  push: (command: KmqCommand) => unknown;
}

/** `kmq` (`window._kmq`), when it is a queue: an array before the Kissmetrics library arrives, its object after. */
const queueOf = (kmq: unknown): Queue =>
  typeof (kmq as Partial<Queue> | null | undefined)?.push === 'function' ? (kmq as Queue) : fail(noQueue(kmq));

const isMobile = (): boolean =>
  MOBILE_USER_AGENT.test(navigator.userAgent) ||
  (navigator.userAgent.includes('Macintosh') && navigator.maxTouchPoints > 1);

/** One method per call the SDKs make: `identify`, `track`, `page`, `screen`, `alias`, `group`. */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- defined from one table, below the class
export interface Kissmetrics {
  identify(event?: RudderElement<'identify'>): void;
  track(event?: RudderElement<'track'>): void;
  page(event?: RudderElement<'page'>): void;
  /** Screen calls come from the mobile SDKs; in device mode only from custom callers. */
  screen(event?: RudderElement<'screen'>): void;
  alias(event?: RudderElement<'alias'>): void;
  group(event?: RudderElement<'group'>): void;
  /** What the legacy SDK (rudder-sdk-js 2.x) polls, at once and for 10 s: the same answer as `isReady()`. */
  isLoaded(): boolean;
}

/**
 * The Kissmetrics destination as the RudderStack JS SDKs run it (v3, and the legacy v1.1): built with
 * the destination config, then `init()`, ready as soon as the `_kmq` queue exists, then one method per call.
 */
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging -- see the interface
export class Kissmetrics {
  /** The legacy SDK calls a destination's methods only when its `name` is this. */
  readonly name = DESTINATION_NAME;
  private started = false;

  // The config is read in init(), where anything a hostile page makes it throw becomes init()'s error.
  constructor(
    private readonly config: KissmetricsConfig,
    private readonly analytics?: AnalyticsInstance,
    _destinationInfo?: unknown,
  ) {}

  /**
   * Creates the queue and loads the Kissmetrics scripts. Throws an `Error` saying what is wrong when
   * `config.apiKey` is not a key, or when the page makes it impossible (a `_kmq` that is not a queue or
   * whose getter throws, broken built-ins): the SDK reports it and sends nothing to this destination.
   */
  init(): void {
    let apiKey: unknown;
    try {
      apiKey = own(this.config, 'apiKey');
      if (typeof apiKey === 'string' && API_KEY_PATTERN.test(apiKey)) {
        // A second init() changes nothing.
        if (!this.started) {
          // Broken built-ins fail here, in init(), rather than in every event.
          applyRule(RULES.track, PROBE_MESSAGE, this.config, 0, newBudget());
          const g = globals();
          // Commands the page queued before us must survive: never replace an existing queue.
          queueOf((g._kmq ??= []));
          g._kmk ??= apiKey;
          // The Kissmetrics library and the account's script, once each.
          injectScript(KM_LIBRARY);
          injectScript(KM_KEY_SCRIPT(apiKey));
          this.started = true;
          if (isMobile()) this.deliver('init', () => [['set', { 'Mobile Session': 'Yes' }]]);
        }
        return;
      }
    } catch (error) {
      // The message carries the reason; a `cause` would cost 7 of the bytes every page downloads (the script's
      // budget, CONTRIBUTING "Bundle size"), and the SDKs that catch it report its message and stack, not a cause.
      fail(initFailed(error));
    }
    fail(invalidApiKey(apiKey));
  }

  /** Kissmetrics replays `_kmq` when its library arrives, so nothing has to wait for it. */
  isReady(): boolean {
    return this.started;
  }

  /** Starts a new anonymous identity (logout). */
  reset(): void {
    this.deliver('reset', () => [['clearIdentity']]);
  }

  /** The one body of the event methods: the message, if the visitor's consent allows it, as `_kmq` commands. */
  send(type: MessageType, event: unknown): void {
    this.deliver(type, (budget) => {
      const message = own(event, 'message');
      if (consented(message, this.config)) return applyRule(RULES[type], message, this.config, Date.now(), budget);
      // Withdrawn consent is the visitor's choice, not a fault: a debug note, never a warning.
      this.say(notConsented(type), 'debug');
      return [];
    });
  }

  /**
   * Pushes all commands or, when anything is wrong, none and a warning; never throws into the page,
   * whatever a message, a getter, the queue or the console throws.
   */
  private deliver(method: string, build: (budget: Budget) => KmqCommand[]): void {
    const budget = newBudget();
    let commands: KmqCommand[] = [];
    let sent = 0;
    try {
      if (!this.started) fail(notInitialised());
      const kmq = queueOf(globals()._kmq);
      // All commands are built before the first push, so a bad message pushes nothing.
      commands = build(budget);
      for (const command of commands) {
        kmq.push(command);
        sent++;
      }
      if (budget.omissions) this.say(warning(method, leftOut(budget), sent, sent));
    } catch (error) {
      this.say(warning(method, reasonOf(error), sent, commands.length));
    }
  }

  /** Logs `text` as a warning, or a debug note, unless the SDK's log level hides both. */
  private say(text: string, level: 'warn' | 'debug' = 'warn'): void {
    try {
      // Read when needed, so that a level the SDK changes later is honoured too. Warnings and debug
      // notes show at the SDK's LOG..WARN levels (and when no level is given), not at ERROR or NONE.
      // The SDK's levels are strings; anything else is read as its text (undefined: no level given).
      if (!QUIET_LOG_LEVELS.test(own(this.analytics, 'logLevel') as string)) console[level](text);
    } catch {
      // A console (or an analytics object) that throws must not break the page either.
    }
  }
}

const methods = Kissmetrics.prototype as unknown as Record<string, unknown>;
for (const type of Object.keys(RULES) as MessageType[])
  methods[type] = function (this: Kissmetrics, event?: RudderElement) {
    this.send(type, event);
  };
methods.isLoaded = methods.isReady;

/**
 * Mounts `window.Kissmetrics_RS = { Kissmetrics }`, where the SDK looks before loading the script.
 * Without a `window` (Node, server-side rendering) there is no SDK to find it: do nothing, so that
 * code shared between server and browser may call it unconditionally.
 */
export const register = (): void => {
  if (typeof window === 'undefined') return;
  (globals() as Bag)[SDK_GLOBAL] = { Kissmetrics };
};
