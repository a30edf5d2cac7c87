import { KM_KEY_SCRIPT, KM_LIBRARY } from './constants';

/**
 * Adds `<script async src="https:<address>">` unless the document already has a script from `address`
 * (protocol-relative, `//host/path`) with any scheme: pages often carry Kissmetrics' own protocol-relative
 * snippet. Into `<head>`, or the root element of a document without one.
 */
export const injectScript = (doc: Document, address: string): void => {
  if (doc.querySelector(`script[src$="${address}"]`)) return;
  const script = doc.createElement('script');
  script.async = true;
  script.src = `https:${address}`;
  // `head` is null in a document without one (removed by a script, or not HTML).
  ((doc.head as HTMLHeadElement | null) ?? doc.documentElement).appendChild(script);
};

/** Injects the Kissmetrics library and the account's script, once each. */
export const loadKissmetricsScripts = (doc: Document, apiKey: string): void => {
  injectScript(doc, KM_LIBRARY);
  injectScript(doc, KM_KEY_SCRIPT(apiKey));
};
