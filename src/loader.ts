import { KM_KEY_SCRIPT_URL, KM_LIBRARY_URL } from './constants';

// `//host/path`, so that a page's own protocol-relative or http tag counts as the same script.
const withoutScheme = (url: string): string => url.replace(/^[a-z]+:/i, '');

/** Adds `<script async src=url>` unless the document already has a script with that address. */
export const injectScript = (doc: Document, url: string): void => {
  const wanted = withoutScheme(url);
  for (const script of Array.from(doc.scripts)) if (withoutScheme(script.src) === wanted) return;
  const script = doc.createElement('script');
  script.async = true;
  script.src = url;
  (doc.head ?? doc.documentElement).appendChild(script);
};

/** Injects the Kissmetrics library and the account's script, once each. */
export const loadKissmetricsScripts = (doc: Document, apiKey: string): void => {
  injectScript(doc, KM_LIBRARY_URL);
  injectScript(doc, KM_KEY_SCRIPT_URL(apiKey));
};
