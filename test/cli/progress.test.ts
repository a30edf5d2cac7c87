import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { shellCommand } from '../../src/cli/text';
import { CLI, KEY, tempDir, trackLine, until, useTracker } from './runCli';

/*
 * On a terminal, the progress bar of an interrupted run stays where the run stopped. The CLI runs
 * in a pseudo-terminal made by util-linux's `script`, which prints what the terminal showed.
 */

const dir = tempDir();
const startTracker = useTracker();

const ESC = String.fromCharCode(0x1b);
/** The bar renders, as the terminal showed them: the parts of the output between cursor moves. */
const barsOf = (screen: string): string[] =>
  screen.split(new RegExp(`\\r|\\n|${ESC}\\[[0-9;?]*[A-Za-z]|${ESC}[78]`)).filter((part) => /\d+% \|/.test(part));

it('Ctrl-C leaves the bar at the true count, not at 100%', async () => {
  const slow = await startTracker(() => ({ status: 200, delayMs: 200 }));
  const input = join(dir(), 'bar.ndjson');
  await writeFile(input, `${Array.from({ length: 30 }, (_, i) => trackLine(i + 1)).join('\n')}\n`);
  const send = shellCommand([
    process.execPath,
    CLI,
    'send',
    '--api-key',
    KEY,
    '--endpoint',
    slow.url,
    '--concurrency',
    '2',
    input,
  ]);
  // `exec` makes the shell the CLI: the pid it prints first is the CLI's.
  const child = spawn('script', ['-qfec', `echo PID:$$; exec ${send}`, '/dev/null'], { cwd: dir() });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await until(() => /PID:\d+/.test(screen) && slow.accepted.length >= 6);
  process.kill(Number(/PID:(\d+)/.exec(screen)?.[1]), 'SIGINT');
  expect(await exited).toBe(130);

  const last = barsOf(screen).pop() ?? '';
  const [, percent, lines, sent] = /(\d+)% \| (\d+) lines \| (\d+) sent \|/.exec(last) ?? [];
  const summary = [/summary: (\d+) lines read/.exec(screen)?.[1], /\n {2}sent: +(\d+) /.exec(screen)?.[1]];
  expect(Number(percent)).toBeLessThan(100);
  expect([lines, sent]).toEqual(summary);
  expect(screen).not.toContain('100%');
});
