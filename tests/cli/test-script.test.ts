import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

// `npm test` must not look green when nothing was checked: a run whose tests were all skipped
// (no PostgreSQL, a filter that matched nothing) fails like a run with no tests at all.
function runTestScript(file: string) {
  // Without NODE_TEST_CONTEXT, which would make the inner node:test skip its files as a recursive run.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return spawnSync('bash', ['scripts/test.sh', file], { encoding: 'utf8', env: { ...env, TEST_CONCURRENCY: '1' }, timeout: 60_000 });
}

test('scripts/test.sh fails when every test was skipped', () => {
  const r = runTestScript('tests/fixtures/test-runner/all-skipped.ts');
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /no test passed/);
});

test('scripts/test.sh passes when at least one test passed', () => {
  const r = runTestScript('tests/fixtures/test-runner/one-passes.ts');
  assert.equal(r.status, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /passed: 1/);
});
