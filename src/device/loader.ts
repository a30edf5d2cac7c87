import { KM_KEY_SCRIPT_URL, KM_LIBRARY_URL } from './constants';

/**
 * Adds `<script async src=url>` unless the document already has one for the same address with any
 * scheme (pages often carry Kissmetrics' own protocol-relative snippet); into `<head>`, or the root
 * element of a document without one.
 */
export const injectScript = (doc: Document, url: string): void => {
  if (doc.querySelector(`script[src$="${url.replace(/^https?:/, '')}"]`)) return;
  const script = doc.createElement('script');
  script.async = true;
  script.src = url;
  // `head` is null in a document without one (removed by a script, or not HTML).
  ((doc.head as HTMLHeadElement | null) ?? doc.documentElement).appendChild(script);
};

/** Injects the Kissmetrics library and the account's script, once each. */
export const loadKissmetricsScripts = (doc: Document, apiKey: string): void => {
  injectScript(doc, KM_LIBRARY_URL);
  injectScript(doc, KM_KEY_SCRIPT_URL(apiKey));
};
