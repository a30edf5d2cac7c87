import { MAX_GET_URL_LENGTH_CHARS } from '../cloud/constants';
import { buildRequests, escapedLengths, urlLengths } from '../cloud/requests';
import type { RequestShape } from '../cloud/requests';
import type { KissmetricsRequest } from '../cloud/types';
import type { Naming } from '../rules/naming';
import type { Budget } from '../rules/properties';

/**
 * The request rudder-server's router sends for us (`integrations.PostParametersT`). Every value in
 * `params` and `body.FORM` is a string: rudder-server writes them with Go's `fmt`, which would turn
 * the number 1579847342 into `1.579847342e+09`.
 */
export interface RestRequest {
  version: '1';
  type: 'REST';
  method: 'GET' | 'POST';
  endpoint: string;
  headers: Record<string, string>;
  params: Record<string, string>;
  body: {
    JSON: Record<string, never>;
    JSON_ARRAY: Record<string, never>;
    XML: Record<string, never>;
    FORM: Record<string, string>;
  };
  files: Record<string, never>;
  userId: string;
}

const FORM_CONTENT_TYPE = 'application/x-www-form-urlencoded';

/**
 * Go's url.QueryEscape keeps these bytes as they are (and writes a space as `+`); every other byte
 * becomes `%XX`. encodeURIComponent keeps `!'()*` too, so its length can be shorter than Go's.
 */
const GO_ESCAPES = escapedLengths(/[A-Za-z0-9\-_.~ ]/);

/** Length of the URL rudder-server builds for a GET with these params: `endpoint?k=v&k=v` (Go url.Values.Encode). */
export const goUrlLength = (endpoint: string, params: Record<string, string>): number =>
  urlLengths(endpoint, params, GO_ESCAPES).other;

// Requests share their empty parts (never written to: they are only encoded into the answer).
const EMPTY: Record<string, never> = Object.freeze({});
const NO_BODY: RestRequest['body'] = Object.freeze({ JSON: EMPTY, JSON_ARRAY: EMPTY, XML: EMPTY, FORM: EMPTY });
const FORM_HEADERS: Record<string, string> = Object.freeze({ 'Content-Type': FORM_CONTENT_TYPE });

/** A REST request with `fields` (strings) as its params, or as its form body when `post`. */
const restRequest = (endpoint: string, fields: Record<string, string>, post: boolean, userId: string): RestRequest => ({
  version: '1',
  type: 'REST',
  method: post ? 'POST' : 'GET',
  endpoint,
  // rudder-server sends a form body with no content type of its own.
  headers: post ? FORM_HEADERS : EMPTY,
  params: post ? EMPTY : fields,
  body: post ? { JSON: EMPTY, JSON_ARRAY: EMPTY, XML: EMPTY, FORM: fields } : NO_BODY,
  files: EMPTY,
  userId,
});

/**
 * One Kissmetrics request as rudder-server's REST request: every value as a string; a request the cloud
 * rules send as GET goes as POST with a form body when the URL rudder-server would build is too long.
 */
export const toRestRequest = (request: KissmetricsRequest, userId: string): RestRequest => {
  // fromEntries defines each key: a `__proto__` param stays a param.
  const fields = Object.fromEntries(Object.entries(request.params).map(([key, value]) => [key, String(value)]));
  const post = request.method === 'POST' || goUrlLength(request.endpoint, fields) > MAX_GET_URL_LENGTH_CHARS;
  return restRequest(request.endpoint, fields, post, userId);
};

/**
 * The REST requests of one message, in sending order: `toRestRequest` of each of its cloud requests,
 * built in one pass (params set once as strings, both URL lengths counted as they are set). Throws like
 * `toKissmetricsRequests`. `naming` names events and properties when the config has no `naming`.
 */
export const restRequestsFor = (
  message: unknown,
  config: unknown,
  nowMs: number,
  budget: Budget,
  userId: string,
  naming?: Naming,
): RestRequest[] =>
  buildRequests(
    message,
    config,
    nowMs,
    budget,
    {
      strings: true,
      otherEscapes: GO_ESCAPES,
      // A request goes as POST when its URL would be too long either way: as the sender encodes it
      // (encodeURIComponent) or as rudder-server builds it (Go), so no URL over the limit leaves.
      make: (endpoint, params, { uri, other }) =>
        restRequest(
          endpoint,
          // `strings: true`: every value was set as text.
          params as Record<string, string>,
          uri > MAX_GET_URL_LENGTH_CHARS || other > MAX_GET_URL_LENGTH_CHARS,
          userId,
        ),
    } satisfies RequestShape<RestRequest>,
    naming,
  );
