export { Kissmetrics, register } from './device/kissmetrics';
export { toKmqCommands, translate, viewEventName } from './rules/mapping';
export { clean, money, prefix } from './rules/properties';
export { toKissmetricsRequests } from './cloud/requests';
export type { CloudConfig, KissmetricsRequest } from './cloud/types';
export type {
  AliasMessage,
  GroupMessage,
  IdentifyMessage,
  KissmetricsConfig,
  KmProperties,
  KmqCommand,
  KmValue,
  MappingSettings,
  MessageOfType,
  MessageType,
  PageMessage,
  RudderId,
  RudderMessage,
  RudderMessageFields,
  RudderProperties,
  ScreenMessage,
  TrackMessage,
} from './rules/types';
export type { AnalyticsInstance, RudderElement } from './device/types';
