import { commandPrefix } from '../../src/cli/invocation';
import type { Launch } from '../../src/cli/invocation';

describe('commandPrefix: what runs the command again, pasted in the folder it was started in', () => {
  it.each<[string, Launch, string[]]>([
    [
      'a local install, run with npx',
      {
        modulePath: '/home/me/shop/node_modules/rudderstack-kissmetrics/dist/cli.mjs',
        argv1: '/home/me/shop/node_modules/.bin/rudderstack-kissmetrics',
        cwd: '/home/me/shop',
      },
      ['npx', 'rudderstack-kissmetrics'],
    ],
    [
      'npx fetching it into its cache',
      {
        modulePath: '/home/me/.npm/_npx/0123abcd/node_modules/rudderstack-kissmetrics/dist/cli.mjs',
        argv1: '/home/me/.npm/_npx/0123abcd/node_modules/.bin/rudderstack-kissmetrics',
        cwd: '/home/me/backfill',
      },
      ['npx', 'rudderstack-kissmetrics'],
    ],
    [
      'a global install',
      {
        modulePath: '/usr/lib/node_modules/rudderstack-kissmetrics/dist/cli.mjs',
        argv1: '/usr/bin/rudderstack-kissmetrics',
        cwd: '/tmp',
      },
      ['npx', 'rudderstack-kissmetrics'],
    ],
    [
      'a checkout linked onto PATH (npm link)',
      {
        modulePath: '/home/me/src/rudderstack-kissmetrics/dist/cli.mjs',
        argv1: '/usr/local/bin/rudderstack-kissmetrics',
        cwd: '/tmp',
      },
      ['rudderstack-kissmetrics'],
    ],
    [
      'a checkout run by path from its folder',
      {
        modulePath: '/home/me/src/km/dist/cli.mjs',
        argv1: '/home/me/src/km/dist/cli.mjs',
        cwd: '/home/me/src/km',
      },
      ['node', 'dist/cli.mjs'],
    ],
    [
      'a checkout run by path from elsewhere',
      { modulePath: '/home/me/src/km/dist/cli.mjs', argv1: '/home/me/src/km/dist/cli.mjs', cwd: '/data' },
      ['node', '/home/me/src/km/dist/cli.mjs'],
    ],
  ])('%s', (_name, launch, command) => {
    expect(commandPrefix(launch)).toEqual(command);
  });
});
