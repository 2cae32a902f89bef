import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { prettyLine } from '../../src/logger.ts';

test('a pino JSON line reads as one line: time, level, message, then the fields', () => {
  const line = prettyLine(JSON.stringify({ level: 30, time: Date.UTC(2026, 0, 2, 3, 4, 5), app: 'paperboy', pid: 1, msg: 'Paperboy is serving http://localhost:8080', store: 'sqlite:./data/x.db', n: 3, note: 'two words' }));
  assert.equal(line, '03:04:05 INFO  Paperboy is serving http://localhost:8080  store=sqlite:./data/x.db n=3 note="two words"\n');
  assert.equal(prettyLine(JSON.stringify({ level: 50, time: 0, msg: 'boom' })), '00:00:00 ERROR boom\n');
  assert.equal(prettyLine('not json'), 'not json\n');
});

test('LOG_FORMAT picks JSON or readable lines on stderr', () => {
  const run = (format: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', '-e', "import('./src/logger.ts').then(({ createLogger }) => createLogger('info', process.env.F).info({ k: 1 }, 'hello'))"], {
      env: { ...process.env, F: format },
      encoding: 'utf8',
    }).stderr.trim();
  assert.deepEqual(JSON.parse(run('json')).msg, 'hello');
  assert.match(run('pretty'), /^\d\d:\d\d:\d\d INFO  hello {2}k=1$/);
  // Not a terminal here: auto means JSON for collectors.
  assert.equal(JSON.parse(run('auto')).k, 1);
});
