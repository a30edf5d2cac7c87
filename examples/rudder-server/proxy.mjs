// A path-routing proxy for rudder-server's one DEST_TRANSFORM_URL: Kissmetrics calls go to
// `rudderstack-kissmetrics serve`, everything else to rudder-transformer. Node 20, no dependencies.
//
//   PORT=9090 HOST=0.0.0.0 \
//   KISSMETRICS_URLS=http://kissmetrics-1:9091,http://kissmetrics-2:9091 \
//   TRANSFORMER_URL=http://rudder-transformer:9090 node proxy.mjs
//
// Routing:
//   * /v0/destinations/kissmetrics (rudder-server's processor)      -> KISSMETRICS_URLS, in turn
//   * POST /routerTransform whose JSON destType is "kissmetrics"    -> KISSMETRICS_URLS, in turn
//   * everything else (/features, /health, other destinations, user
//     transformations, sources …)                                   -> TRANSFORMER_URL
// Bodies and answers pass through byte for byte, with their status and headers (apiVersion included);
// only a /routerTransform body is read first, to see its destType.
import { Agent, createServer, request } from 'node:http';

const KISSMETRICS_PATH = '/v0/destinations/kissmetrics';
const ROUTER_TRANSFORM_PATH = '/routerTransform';
const KISSMETRICS = 'kissmetrics';
/** A /routerTransform body is held in memory to read its destType: at most this much (as our service reads). */
const MAX_ROUTER_BODY_BYTES = 64 * 1024 * 1024;
/** After SIGTERM or SIGINT, calls in flight get this long before the proxy exits anyway. */
const SHUTDOWN_GRACE_MS = 20_000;
/** Connection-level headers: they describe one hop and are never passed on. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const env = process.env;
const upstream = (text, name) => {
  const url = new URL(text);
  if (url.protocol !== 'http:') throw new Error(`${name}: expected http://host:port, got ${text}`);
  return url;
};
const kissmetricsUrls = (env.KISSMETRICS_URLS ?? 'http://kissmetrics:9091')
  .split(',')
  .map((text) => text.trim())
  .filter(Boolean)
  .map((text) => upstream(text, 'KISSMETRICS_URLS'));
if (!kissmetricsUrls.length) throw new Error('KISSMETRICS_URLS: expected at least one http://host:port');
const transformerUrl = upstream(env.TRANSFORMER_URL ?? 'http://rudder-transformer:9090', 'TRANSFORMER_URL');
const agent = new Agent({ keepAlive: true });

let turn = 0;
/** The Kissmetrics replicas take calls in turn. */
const nextKissmetrics = () => kissmetricsUrls[turn++ % kissmetricsUrls.length];

/** Raw header pairs ([name, value, name, value …], names as sent) without the hop-by-hop ones and `also`. */
const endToEnd = (rawHeaders, also = '') => {
  const kept = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!HOP_BY_HOP.has(name) && name !== also) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
};

const answerError = (res, status, message) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify({ error: message });
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
};

/** Sends the call to `target` (its body: the request stream itself, or bytes already read) and streams the answer back. */
const forward = (req, res, target, body) => {
  const headers = [...endToEnd(req.rawHeaders, 'host'), 'Host', target.host];
  // Only the path and query of the call are appended: an absolute or `//host` URL cannot pick another host.
  const out = request(`${target.origin}${req.url}`, { method: req.method, headers, agent }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, endToEnd(answer.rawHeaders));
    answer.pipe(res);
    answer.on('error', () => res.destroy());
  });
  out.on('error', (error) => {
    // The caller left first (see below): nobody to tell.
    if (res.destroyed) return;
    process.stderr.write(
      `proxy: ${target.origin} did not answer ${req.method} ${req.url}: ${error.code ?? error.message}\n`,
    );
    answerError(res, 502, `upstream ${target.origin} did not answer: ${error.code ?? error.message}`);
  });
  // A caller that goes away stops the upstream call too.
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
  if (Buffer.isBuffer(body)) out.end(body);
  else body.pipe(out);
};

/** Reads a /routerTransform body (bounded), then sends it, unchanged, where its destType belongs. */
const routerTransform = (req, res) => {
  const chunks = [];
  let size = 0;
  let tooLarge = false;
  req.on('data', (chunk) => {
    if (tooLarge) return;
    size += chunk.length;
    if (size <= MAX_ROUTER_BODY_BYTES) chunks.push(chunk);
    else {
      tooLarge = true;
      chunks.length = 0;
      res.setHeader('connection', 'close');
      answerError(res, 413, `/routerTransform body over ${MAX_ROUTER_BODY_BYTES} bytes`);
    }
  });
  req.on('end', () => {
    if (tooLarge) return;
    const body = Buffer.concat(chunks, size);
    let destType;
    try {
      destType = JSON.parse(body.toString('utf8')).destType;
    } catch {
      // Not JSON: rudder-transformer answers it as it answers any bad call.
    }
    const ours = typeof destType === 'string' && destType.toLowerCase() === KISSMETRICS;
    forward(req, res, ours ? nextKissmetrics() : transformerUrl, body);
  });
};

let inFlight = 0;
let closing = false;
const server = createServer((req, res) => {
  inFlight++;
  res.on('close', () => {
    inFlight--;
    if (closing) server.closeIdleConnections();
  });
  if (closing) res.setHeader('connection', 'close');
  if (!req.url.startsWith('/')) {
    answerError(res, 400, `expected a path such as ${KISSMETRICS_PATH}, got ${JSON.stringify(req.url.slice(0, 100))}`);
    return;
  }
  const path = req.url.split('?', 1)[0];
  if (path.toLowerCase() === KISSMETRICS_PATH) forward(req, res, nextKissmetrics(), req);
  else if (path === ROUTER_TRANSFORM_PATH && req.method === 'POST') routerTransform(req, res);
  else forward(req, res, transformerUrl, req);
});

server.listen(Number(env.PORT ?? 9090), env.HOST ?? '0.0.0.0', () => {
  const { address, port } = server.address();
  const host = address.includes(':') ? `[${address}]` : address;
  process.stdout.write(
    `proxy: listening on http://${host}:${port}; ${KISSMETRICS_PATH} and kissmetrics ${ROUTER_TRANSFORM_PATH} -> ` +
      `${kissmetricsUrls.map((url) => url.origin).join(', ')}; everything else -> ${transformerUrl.origin}\n`,
  );
});

const stop = (signal) => {
  if (closing) process.exit(1);
  closing = true;
  // Closed first, announced after: whoever reads the line can rely on it.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  process.stdout.write(`${signal}: stopping; ${inFlight} call(s) in flight get up to ${SHUTDOWN_GRACE_MS / 1000} s\n`);
  setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
