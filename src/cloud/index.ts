export { toKissmetricsRequests, encodeParams, requestUrl } from './requests';
export { sendRequest, sendRequests } from './sender';
export {
  BASE_BACKOFF_MS,
  DEFAULT_TRACKING_HOST,
  DELIVERY_DEADLINE_MS,
  MAX_ATTEMPTS,
  MAX_BACKOFF_MS,
  MAX_GET_URL_LENGTH_CHARS,
  MAX_RETRY_AFTER_MS,
  REQUEST_TIMEOUT_MS,
} from './constants';
export type { CloudConfig, KissmetricsParam, KissmetricsRequest, RetryInfo, SendOptions, SendOutcome } from './types';
export type { Naming } from '../rules/naming';
export type {
  AliasMessage,
  GroupMessage,
  IdentifyMessage,
  KissmetricsConfig,
  PageMessage,
  RudderMessage,
  RudderProperties,
  ScreenMessage,
  TrackMessage,
} from '../rules/types';
