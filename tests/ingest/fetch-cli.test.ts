import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { sendXml, startReplayServer } from '../helpers/replay-server.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const fixture = (name: string) => fs.readFileSync(new URL(`../fixtures/arxiv/${name}`, import.meta.url), 'utf8');

function cli(args: string[], env: Record<string, string>): Promise<{ code: number | null; out: string; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'silent', ...env } });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

forEachStore('paperboy fetch', (ctx) => {
  let server: Awaited<ReturnType<typeof startReplayServer>>;
  before(async () => {
    server = await startReplayServer((req, res) => {
      const ids = req.url.searchParams.get('id_list') ?? '';
      if (ids.includes('2501.99999')) return sendXml(res, fixture('atom-error-bad-id.xml'), 400);
      sendXml(res, fixture('atom-two-papers.xml'));
    });
  });
  after(() => server.close());

  test('looks ids up in the Atom API and stores the papers; an error feed names the id and stores nothing', async (t) => {
    if (!ctx.opened.location) return t.skip('PGlite store cannot be shared with a child process');
    const env = { PAPERBOY_DB: ctx.opened.location, ARXIV_API_URL: `${server.url}/api/query`, ARXIV_DELAY_MS: '0' };
    const ok = await cli(['fetch', '2501.00001v3', 'hep-th/9901001'], env);
    assert.equal(ok.code, 0, ok.err);
    assert.match(ok.out, /inserted\s+2501\.00001v3 /);
    assert.equal((await ctx.store.papers.get('hep-th/9901001'))?.title, 'Strings on Old-Style Identifiers');

    const bad = await cli(['fetch', '2501.99999'], env);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /arXiv API error for id 2501\.99999: incorrect id format for 2501\.99999/);
    assert.equal(await ctx.store.papers.count(), 2);
    assert.equal((await ctx.store.runs.last('fetch'))?.status, 'failed');

    const usage = await cli(['fetch', 'abc'], env);
    assert.equal(usage.code, 2);
    assert.match(usage.err, /not an arXiv id: "abc"/);
  });
});
