/**
 * Adds `<script async src="https:<address>">` to the page unless it already has a script from `address`
 * (protocol-relative, `//host/path`) with any scheme: pages often carry Kissmetrics' own protocol-relative
 * snippet. Into `<head>`, or the root element of a document without one.
 */
export const injectScript = (address: string): void => {
  if (document.querySelector(`script[src$="${address}"]`)) return;
  const script = document.createElement('script');
  script.async = true;
  script.src = `https:${address}`;
  // `head` is null in a document without one (removed by a script, or not HTML).
  ((document.head as HTMLHeadElement | null) ?? document.documentElement).appendChild(script);
};
