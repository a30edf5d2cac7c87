export { Kissmetrics, register } from './kissmetrics';
export { toKmqCommands, translate, viewEventName } from './mapping';
export type { MappingSettings } from './mapping';
export { clean, money, prefix } from './properties';
export type {
  AnalyticsInstance,
  KissmetricsConfig,
  KmProperties,
  KmqCommand,
  KmValue,
  MessageType,
  RudderElement,
} from './types';
