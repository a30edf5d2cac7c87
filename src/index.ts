export { Kissmetrics, register } from './kissmetrics';
export { toKmqCommands, translate, viewEventName } from './mapping';
export type { MappingSettings } from './mapping';
export { clean, money, prefix } from './properties';
export { toKissmetricsRequests } from './cloud/requests';
export type { CloudConfig, KissmetricsRequest } from './cloud/types';
export type {
  AnalyticsInstance,
  KissmetricsConfig,
  KmProperties,
  KmqCommand,
  KmValue,
  MessageType,
  RudderElement,
} from './types';
