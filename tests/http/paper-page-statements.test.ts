import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';
import { statementsOf } from '../helpers/statement-count.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import { createApp, type App } from '../../src/http/app.ts';
import { embedderProvider } from '../../src/search/embedder-providers.ts';
import type { Paper } from '../../src/domain/paper.ts';

/**
 * What a paper page costs the store (issue 19, the mixed load on PostgreSQL: every statement is a
 * round trip and the server's parse, plan and execute). A page of a paper with a stored
 * similar-papers list, for a visitor: the paper once (through the visible-paper rule), its feed
 * entry, comments, enrichment and hub artifacts, authorship (verified authors, links),
 * organisations, the stored list and the listed papers — nine statements. Before round 20 the paper
 * was read three times (the page, the comments, the similar papers); before round 21 its feed entry
 * was a statement of its own.
 */
const TOPICS = [
  ['quantum', 'qubit', 'entanglement', 'decoherence', 'circuit', 'error', 'correction', 'gate'],
  ['graph', 'node', 'edge', 'message', 'passing', 'aggregation', 'molecule', 'spectral'],
  ['galaxy', 'cluster', 'redshift', 'dark', 'matter', 'halo', 'survey', 'stellar'],
];
const id = (i: number) => `2408.${String(i).padStart(5, '0')}`;
const papers: Paper[] = Array.from({ length: 60 }, (_, i) => {
  const t = TOPICS[i % TOPICS.length];
  const w = (n: number, k: number) => Array.from({ length: n }, (_, j) => t[(i * 7 + j * k) % t.length]).join(' ');
  return makePaper({ id: id(i), title: w(6, 3), abstract: `${w(30, 5)} method result study.`, publishedAt: '2024-08-01' });
});

forEachStore('paper page statements', (ctx) => {
  let services: Services;
  let app: App;
  before(async () => {
    const config = loadConfig({ PAPERBOY_DB: ':memory:', LOG_LEVEL: 'silent', PAPERBOY_DEMO: 'false' });
    await ctx.store.papers.upsertMany(papers);
    await embedderProvider('local')!.train!({ config, store: ctx.store, logger: silentLogger });
    services = createServices({ config, logger: silentLogger, store: ctx.store });
    await services.searchIndex.reindex();
    assert.equal(await services.similarLists.fillAll(), papers.length);
    app = createApp(services);
    // The first page of a process loads what every later page shares (the embedder, the indexes).
    assert.equal((await app.request(`/papers/${id(59)}`)).status, 200);
  });

  test('a visitor\'s paper page with a stored similar-papers list: nine statements, the paper and its feed entry read once, together', async () => {
    const { value: res, statements } = await statementsOf(testDb(ctx.store), async () => app.request(`/papers/${id(3)}`));
    assert.equal(res.status, 200);
    assert.match(await res.text(), new RegExp(id(6).replace('.', '\\.')), 'a similar paper (same topic) is listed');
    const paperReads = statements.filter((s) => /from "papers" as "p" left join "feed_entries" as "f" on "f"\."paper_id" = "p"\."id" where "p"\."id" = /.test(s));
    assert.equal(paperReads.length, 1, `the paper and its feed entry read once, together:\n${statements.join('\n')}`);
    assert.ok(!statements.some((s) => /^select \* from "feed_entries"/.test(s)), `no read of the feed entry alone:\n${statements.join('\n')}`);
    assert.ok(!statements.some((s) => /^select \* from "papers" where "id" = /.test(s)), `no read of the paper alone:\n${statements.join('\n')}`);
    assert.ok(statements.length <= 9, `${statements.length} statements:\n${statements.join('\n')}`);
  });
});
