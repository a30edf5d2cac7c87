import { MAX_GET_URL_LENGTH_CHARS } from '../cloud/constants';
import type { KissmetricsRequest } from '../cloud/types';

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

// Go's url.QueryEscape keeps these bytes as they are (and writes a space as `+`); every other byte
// becomes `%XX`. encodeURIComponent keeps `!'()*` too, so its length can be shorter than Go's. A table,
// because this runs on every character of every request.
const ASCII_ESCAPED_LENGTH = Uint8Array.from({ length: 0x80 }, (_, code) =>
  /[A-Za-z0-9\-_.~ ]/.test(String.fromCharCode(code)) ? 1 : 3,
);

/** Length of `text` once Go's url.Values.Encode has escaped it (UTF-8, lone surrogates as U+FFFD). */
const goEscapedLength = (text: string): number => {
  let length = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) length += ASCII_ESCAPED_LENGTH[code] ?? 3;
    else if (code < 0x800) length += 6;
    else if (code >= 0xd800 && code <= 0xdbff && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      length += 12;
      i++;
    } else length += 9;
  }
  return length;
};

/** Length of the URL rudder-server builds for a GET with these params: `endpoint?k=v&k=v`. */
export const goUrlLength = (endpoint: string, params: Record<string, string>): number => {
  let length = endpoint.length + 1;
  for (const [key, value] of Object.entries(params)) length += goEscapedLength(key) + goEscapedLength(value) + 2;
  return length - 1;
};

/**
 * One Kissmetrics request as rudder-server's REST request. A request the cloud rules send as GET goes
 * as POST with a form body when the URL rudder-server would build is too long (its escaping is not
 * encodeURIComponent's), so no URL over `MAX_GET_URL_LENGTH_CHARS` leaves.
 */
export const toRestRequest = (request: KissmetricsRequest, userId: string): RestRequest => {
  const fields: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.params)) fields[key] = String(value);
  const post = request.method === 'POST' || goUrlLength(request.endpoint, fields) > MAX_GET_URL_LENGTH_CHARS;
  return {
    version: '1',
    type: 'REST',
    method: post ? 'POST' : 'GET',
    endpoint: request.endpoint,
    // rudder-server sends a form body with no content type of its own.
    headers: post ? { 'Content-Type': FORM_CONTENT_TYPE } : {},
    params: post ? {} : fields,
    body: { JSON: {}, JSON_ARRAY: {}, XML: {}, FORM: post ? fields : {} },
    files: {},
    userId,
  };
};
