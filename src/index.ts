export { Kissmetrics, register } from './device/kissmetrics';
export { toKmqCommands, translate, viewEventName } from './rules/mapping';
export type { MappingSettings } from './rules/mapping';
export { clean, money, prefix } from './rules/properties';
export { toKissmetricsRequests } from './cloud/requests';
export type { CloudConfig, KissmetricsRequest } from './cloud/types';
export type { KissmetricsConfig, KmProperties, KmqCommand, KmValue, MessageType } from './rules/types';
export type { AnalyticsInstance, RudderElement } from './device/types';
