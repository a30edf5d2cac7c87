// A path-routing proxy for rudder-server's one DEST_TRANSFORM_URL: Kissmetrics calls go to the replicas
// of `rudderstack-kissmetrics serve`, everything else to rudder-transformer. Node 20, no dependencies.
//
//   PORT=9090 HOST=0.0.0.0 \
//   KISSMETRICS_URLS=http://kissmetrics-1:9091,http://kissmetrics-2:9091 \
//   TRANSFORMER_URL=http://rudder-transformer:9090 node proxy.mjs
//
// Routing:
//   * /v0/destinations/kissmetrics (rudder-server's processor)      -> a healthy Kissmetrics replica, in turn
//   * POST /routerTransform whose JSON destType is "kissmetrics"    -> a healthy Kissmetrics replica, in turn
//   * GET /proxy-ready                                               -> the proxy: 200 once a replica is healthy
//   * everything else (/features, /health, other destinations, user
//     transformations, sources …)                                   -> TRANSFORMER_URL
// Each replica's GET /health is probed every HEALTH_INTERVAL_MS; a replica that fails a probe, or refuses
// a connection, gets no call until a probe succeeds again. A call that cannot connect to a replica goes
// to the next healthy one (nothing was sent yet); with none healthy it is answered 503 at once, which
// rudder-server retries. Bodies and answers pass through byte for byte, with their status and headers
// (apiVersion included); only a /routerTransform body is read first, to see its destType.
import { Agent, createServer, request } from 'node:http';
import { clearInterval, setInterval } from 'node:timers';

const KISSMETRICS_PATH = '/v0/destinations/kissmetrics';
const ROUTER_TRANSFORM_PATH = '/routerTransform';
/** The proxy's own readiness (its compose health check): 200 once a Kissmetrics replica is healthy. */
const READY_PATH = '/proxy-ready';
const KISSMETRICS = 'kissmetrics';
/** A /routerTransform body is held in memory to read its destType: at most this much (as our service reads). */
const MAX_ROUTER_BODY_BYTES = 64 * 1024 * 1024;
/** How often each replica's /health is probed (HEALTH_INTERVAL_MS overrides it), and how long a probe may take. */
const HEALTH_INTERVAL_MS = Number(process.env.HEALTH_INTERVAL_MS ?? 2_000);
const HEALTH_TIMEOUT_MS = 2_000;
/**
 * Probes in a row that must fail before a replica is taken out: a busy replica may answer one probe late
 * (it answers calls in turn). A replica that refuses a connection is taken out at once.
 */
const FAILED_PROBES_TO_DOWN = 2;
/** A replica that has not accepted the connection after this long is skipped (the next healthy one is tried). */
const CONNECT_TIMEOUT_MS = 2_000;
/**
 * An upstream that has not begun its answer after this long is given up (504): our service answers any
 * call within seconds; rudder-transformer's own work is bounded by rudder-server's timeout.
 */
const ANSWER_TIMEOUT_MS = 120_000;
/**
 * A kept-alive connection to an upstream that has been idle this long is closed by the proxy, before the
 * upstream closes it (Node's servers, ours included, close idle connections after 5 s): a call is never
 * sent on a connection the upstream is closing at that moment.
 */
const IDLE_CONNECTION_TIMEOUT_MS = 4_000;
/** After SIGTERM or SIGINT, calls in flight get this long before the proxy exits anyway. */
const SHUTDOWN_GRACE_MS = 8_000;
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
/** The Kissmetrics replicas, each with what its last health probe said (none healthy until probed). */
const replicas = (env.KISSMETRICS_URLS ?? 'http://kissmetrics:9091')
  .split(',')
  .map((text) => text.trim())
  .filter(Boolean)
  .map((text) => ({ url: upstream(text, 'KISSMETRICS_URLS'), healthy: false }));
if (!replicas.length) throw new Error('KISSMETRICS_URLS: expected at least one http://host:port');
const transformer = { url: upstream(env.TRANSFORMER_URL ?? 'http://rudder-transformer:9090', 'TRANSFORMER_URL') };
const agent = new Agent({ keepAlive: true, timeout: IDLE_CONNECTION_TIMEOUT_MS });

const say = (line) => process.stdout.write(`proxy: ${line}\n`);

/** Marks a replica healthy or not, and says so when that changes. */
const setHealth = (replica, healthy, why) => {
  if (replica.healthy !== healthy) say(`${replica.url.origin} is ${healthy ? 'healthy' : `down (${why})`}`);
  replica.healthy = healthy;
};

/** What one probe said: healthy at once on a 200, down after FAILED_PROBES_TO_DOWN failures in a row. */
const probed = (replica, healthy, why) => {
  replica.failedProbes = healthy ? 0 : (replica.failedProbes ?? 0) + 1;
  if (healthy || replica.failedProbes >= FAILED_PROBES_TO_DOWN) setHealth(replica, healthy, why);
};

/** One probe of a replica's /health: a 200 within HEALTH_TIMEOUT_MS. */
const probe = (replica) => {
  const req = request(`${replica.url.origin}/health`, { agent: false, timeout: HEALTH_TIMEOUT_MS }, (res) => {
    res.resume();
    probed(replica, res.statusCode === 200, `GET /health answered ${res.statusCode}`);
  });
  req.on('timeout', () => req.destroy(new Error(`no answer to GET /health in ${HEALTH_TIMEOUT_MS} ms`)));
  req.on('error', (error) => probed(replica, false, error.code ?? error.message));
  req.end();
};

let turn = 0;
/** The healthy replicas, starting with the next one in turn: calls are spread across them. */
const healthyInTurn = () => {
  const healthy = replicas.filter((replica) => replica.healthy);
  const first = healthy.length ? turn++ % healthy.length : 0;
  return [...healthy.slice(first), ...healthy.slice(0, first)];
};

/** Raw header pairs ([name, value, name, value …], names as sent) without the hop-by-hop ones and `also`. */
const endToEnd = (rawHeaders, also = '') => {
  const kept = [];
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    if (!HOP_BY_HOP.has(name) && name !== also) kept.push(rawHeaders[i], rawHeaders[i + 1]);
  }
  return kept;
};

const answerJson = (res, status, value) => {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(body),
  });
  res.end(body);
};

const answerError = (res, status, message) => answerJson(res, status, { error: message });

/** Streams the upstream's answer back as it came. */
const passBack = (res, answer) => {
  res.writeHead(answer.statusCode ?? 502, endToEnd(answer.rawHeaders));
  answer.pipe(res);
  answer.on('error', () => res.destroy());
};

/**
 * Sends the call to the first of `targets` that accepts a connection, then its body (the request
 * stream itself, or bytes already read): the body is only sent once connected, so a target that refuses
 * can be skipped with nothing lost. `none(target, why)` answers when the last target failed.
 */
const forward = (req, res, targets, body, none) => {
  const [target, ...rest] = targets;
  const headers = [...endToEnd(req.rawHeaders, 'host'), 'Host', target.url.host];
  // Only the path and query of the call are appended: an absolute or `//host` URL cannot pick another host.
  const out = request(`${target.url.origin}${req.url}`, { method: req.method, headers, agent });
  let sent = false;
  const send = () => {
    clearTimeout(connecting);
    sent = true;
    out.setTimeout(ANSWER_TIMEOUT_MS);
    if (Buffer.isBuffer(body)) out.end(body);
    else body.pipe(out);
  };
  const connecting = setTimeout(
    () =>
      out.destroy(Object.assign(new Error(`no connection in ${CONNECT_TIMEOUT_MS} ms`), { code: 'CONNECT_TIMEOUT' })),
    CONNECT_TIMEOUT_MS,
  );
  out.on('socket', (socket) => (socket.connecting ? socket.once('connect', send) : send()));
  out.on('timeout', () =>
    out.destroy(Object.assign(new Error(`no answer in ${ANSWER_TIMEOUT_MS} ms`), { code: 'TIMEOUT' })),
  );
  out.on('response', (answer) => passBack(res, answer));
  out.on('error', (error) => {
    clearTimeout(connecting);
    // The caller left first (see below): nobody to tell.
    if (res.destroyed) return;
    const why = error.code ?? error.message;
    process.stderr.write(`proxy: ${target.url.origin} did not answer ${req.method} ${req.url}: ${why}\n`);
    if ('healthy' in target) setHealth(target, false, why);
    if (sent) answerError(res, why === 'TIMEOUT' ? 504 : 502, `upstream ${target.url.origin} did not answer: ${why}`);
    else if (rest.length) forward(req, res, rest, body, none);
    else none(target, why);
  });
  // A caller that goes away stops the upstream call too.
  res.on('close', () => {
    if (!res.writableFinished) out.destroy();
  });
};

const upstreamDown = (res) => (target, why) =>
  answerError(res, 502, `upstream ${target.url.origin} did not answer: ${why}`);

/** A Kissmetrics call: to a healthy replica, or 503 at once when there is none (rudder-server retries it). */
const toKissmetrics = (req, res, body) => {
  const targets = healthyInTurn();
  const none = () =>
    answerError(res, 503, `no healthy Kissmetrics replica (${replicas.map((r) => r.url.origin).join(', ')})`);
  if (targets.length) forward(req, res, targets, body, none);
  else none();
};

/** Anything else: to rudder-transformer. */
const toTransformer = (req, res, body) => forward(req, res, [transformer], body, upstreamDown(res));

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
    if (typeof destType === 'string' && destType.toLowerCase() === KISSMETRICS) toKissmetrics(req, res, body);
    else toTransformer(req, res, body);
  });
};

/** GET /proxy-ready: 200 once a Kissmetrics replica is healthy (the proxy takes traffic), else 503. */
const ready = (res) => {
  const healthy = replicas.filter((replica) => replica.healthy).map((replica) => replica.url.origin);
  if (healthy.length) answerJson(res, 200, { ready: true, healthy });
  else answerError(res, 503, 'no healthy Kissmetrics replica yet');
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
  // As our service reads paths: doubled slashes (a DEST_TRANSFORM_URL ending in /) and a trailing one.
  const path = req.url
    .split('?', 1)[0]
    .replace(/\/{2,}/g, '/')
    .replace(/(.)\/$/, '$1');
  if (path === READY_PATH) ready(res);
  else if (path.toLowerCase() === KISSMETRICS_PATH) toKissmetrics(req, res, req);
  else if (path === ROUTER_TRANSFORM_PATH && req.method === 'POST') routerTransform(req, res);
  else toTransformer(req, res, req);
});

const probes = setInterval(() => replicas.forEach(probe), HEALTH_INTERVAL_MS);
replicas.forEach(probe);

server.listen(Number(env.PORT ?? 9090), env.HOST ?? '127.0.0.1', () => {
  const { address, port } = server.address();
  const host = address.includes(':') ? `[${address}]` : address;
  say(
    `listening on http://${host}:${port}; ${KISSMETRICS_PATH} and kissmetrics ${ROUTER_TRANSFORM_PATH} -> ` +
      `${replicas.map((replica) => replica.url.origin).join(', ')}; everything else -> ${transformer.url.origin}`,
  );
});

const stop = (signal) => {
  if (closing) process.exit(1);
  closing = true;
  clearInterval(probes);
  // Closed first, announced after: whoever reads the line can rely on it.
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  process.stdout.write(`${signal}: stopping; ${inFlight} call(s) in flight get up to ${SHUTDOWN_GRACE_MS / 1000} s\n`);
  setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS).unref();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
