/**
 * examples/rudder-server/docker-compose.yml cannot be started here (no Docker engine, no images
 * offline). What can be checked is checked: the file parses as YAML (with js-yaml, already in
 * node_modules through Jest; not added for this), and the names, ports, URLs and files that Docker
 * would only resolve at run time agree with each other, with proxy.mjs and with the Dockerfile.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const FOLDER = resolve(__dirname, '../../examples/rudder-server');
const SERVICES = ['postgres', 'rudder-transformer', 'kissmetrics-1', 'kissmetrics-2', 'proxy', 'rudder-server'];
const MESSAGE_TYPES = ['alias', 'group', 'identify', 'page', 'screen', 'track'];

type Bag = Record<string, unknown>;
const isBag = (value: unknown): value is Bag => typeof value === 'object' && value !== null && !Array.isArray(value);
const bag = (value: unknown): Bag => (isBag(value) ? value : {});
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** js-yaml 3 (a dependency of Jest's coverage loader): `safeLoad`, merge keys (`<<`) included. */
const parseYaml = (text: string): unknown => {
  const yaml: unknown = createRequire(__filename)('js-yaml');
  const safeLoad = bag(yaml).safeLoad;
  if (typeof safeLoad !== 'function') throw new Error('expected js-yaml 3 (safeLoad) in node_modules');
  return (safeLoad as (text: string) => unknown)(text);
};

const compose = bag(parseYaml(readFileSync(join(FOLDER, 'docker-compose.yml'), 'utf8')));
const services = bag(compose.services);
const service = (name: string): Bag => bag(services[name]);
const env = (name: string): Bag => bag(service(name).environment);

/** `--port N` of a `serve` command. */
const portOf = (command: string[]): string => command[command.indexOf('--port') + 1] ?? '';

describe('examples/rudder-server/docker-compose.yml', () => {
  it('defines the data plane, its Postgres, rudder-transformer, two replicas of our service and the proxy', () => {
    expect(Object.keys(services).sort()).toEqual([...SERVICES].sort());
  });

  it('runs every replica of our service as `serve` on all interfaces, its health check on the same port', () => {
    for (const name of ['kissmetrics-1', 'kissmetrics-2']) {
      const command = strings(service(name).command);
      expect(command.slice(0, 2)).toEqual(['rudderstack-kissmetrics', 'serve']);
      expect(command[command.indexOf('--host') + 1]).toBe('0.0.0.0');
      expect(strings(bag(service(name).healthcheck).test)).toEqual([
        'CMD',
        'wget',
        '-qO-',
        `http://127.0.0.1:${portOf(command)}/health`,
      ]);
      expect(bag(service(name).build).context).toBe('.');
      expect(bag(bag(service(name).build).args).PACKAGE).toBe('${KISSMETRICS_PACKAGE:-}');
    }
  });

  it('restarts every service that stops, and gives each the time its own shutdown takes before SIGKILL', () => {
    for (const name of SERVICES) expect([name, service(name).restart]).toEqual([name, 'unless-stopped']);
    // The service exits within SHUTDOWN_DEADLINE_MS (8 s) and the proxy within 8 s; compose sends SIGKILL after this.
    for (const name of ['kissmetrics-1', 'kissmetrics-2', 'proxy']) expect(service(name).stop_grace_period).toBe('15s');
  });

  it('starts rudder-server once the proxy is healthy, which it is once a Kissmetrics replica is', () => {
    expect(strings(bag(service('proxy').healthcheck).test)).toEqual([
      'CMD',
      'wget',
      '-qO-',
      `http://127.0.0.1:${String(env('proxy').PORT)}/proxy-ready`,
    ]);
    expect(bag(bag(service('rudder-server').depends_on).proxy).condition).toBe('service_healthy');
    // The proxy itself waits for a healthy replica: it does not need both to start.
    for (const name of ['kissmetrics-1', 'kissmetrics-2'])
      expect(bag(bag(service('proxy').depends_on)[name]).condition).toBe('service_started');
    expect(readFileSync(join(FOLDER, 'proxy.mjs'), 'utf8')).toContain("const READY_PATH = '/proxy-ready';");
  });

  it("gives the Dockerfile's default command the same port", () => {
    const dockerfile = readFileSync(join(FOLDER, 'Dockerfile'), 'utf8');
    const cmd = /^CMD (\[.*\])$/m.exec(dockerfile)?.[1] ?? '[]';
    expect(JSON.parse(cmd)).toEqual(strings(service('kissmetrics-1').command));
  });

  it('has the Dockerfile install through install.sh, a tarball next to it by default', () => {
    const dockerfile = readFileSync(join(FOLDER, 'Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^ARG PACKAGE=$/m);
    expect(dockerfile).toMatch(/^COPY Dockerfile install\.sh \*\.tgz \.\/$/m);
    expect(dockerfile).toMatch(/^RUN sh \.\/install\.sh "\$PACKAGE" && rm -rf \/install$/m);
  });

  it('points rudder-server at the proxy, and the proxy at our replicas and at rudder-transformer', () => {
    expect(env('rudder-server').DEST_TRANSFORM_URL).toBe(`http://proxy:${String(env('proxy').PORT)}`);
    const ours = String(env('proxy').KISSMETRICS_URLS).split(',');
    expect(ours).toEqual(
      ['kissmetrics-1', 'kissmetrics-2'].map((name) => `http://${name}:${portOf(strings(service(name).command))}`),
    );
    expect(env('proxy').TRANSFORMER_URL).toBe('http://rudder-transformer:9090');
    expect(env('proxy').HOST).toBe('0.0.0.0');
  });

  it('runs the proxy script of this folder, mounted where its command reads it', () => {
    const [mount = ''] = strings(service('proxy').volumes);
    const [source = '', target = ''] = mount.split(':');
    expect(existsSync(join(FOLDER, source))).toBe(true);
    expect(source).toBe('./proxy.mjs');
    expect(strings(service('proxy').command)).toEqual(['node', target]);
  });

  it('names only defined services in depends_on and in rudder-server’s wait-for', () => {
    for (const name of SERVICES)
      for (const dependency of Object.keys(bag(service(name).depends_on))) expect(SERVICES).toContain(dependency);
    expect(service('rudder-server').entrypoint).toBe(`sh -c '/wait-for postgres:5432 -- /rudder-server'`);
    expect(env('rudder-server').JOBS_DB_HOST).toBe('postgres');
    expect(env('rudder-server').JOBS_DB_USER).toBe(env('postgres').POSTGRES_USER);
    expect(env('rudder-server').JOBS_DB_PASSWORD).toBe(env('postgres').POSTGRES_PASSWORD);
    expect(env('rudder-server').JOBS_DB_DB_NAME).toBe(env('postgres').POSTGRES_DB);
  });

  it('mounts a workspace config with a cloud-mode Kissmetrics destination that lets every call type through', () => {
    const [mount = ''] = strings(service('rudder-server').volumes);
    const [source = '', target = ''] = mount.split(':');
    expect(target).toBe(env('rudder-server').RSERVER_BACKEND_CONFIG_CONFIG_JSONPATH);
    const workspace = bag(JSON.parse(readFileSync(join(FOLDER, source), 'utf8')));
    const destinations = (Array.isArray(workspace.sources) ? workspace.sources : []).flatMap((source: unknown) =>
      Array.isArray(bag(source).destinations) ? (bag(source).destinations as unknown[]) : [],
    );
    const kissmetrics = destinations.map(bag).filter((d) => bag(d.destinationDefinition).name === 'KISSMETRICS');
    expect(kissmetrics).toHaveLength(1);
    const [destination = {}] = kissmetrics;
    const definition = bag(bag(destination.destinationDefinition).config);
    expect([definition.transformAtV1, destination.isProcessorEnabled, destination.enabled]).toEqual([
      'processor',
      true,
      true,
    ]);
    expect(strings(definition.supportedMessageTypes).sort()).toEqual(MESSAGE_TYPES);
    expect(bag(destination.config).apiKey).toBe('YOUR_KISSMETRICS_API_KEY');
  });
});
