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
import type { User } from '../../src/domain/community.ts';
import type { Store } from '../../src/store/store.ts';

/**
 * What a paper page costs the store (issue 19, the mixed load on PostgreSQL: every statement is a
 * round trip and the server's bind and execute). A page of a paper with a stored similar-papers
 * list, for a visitor: the paper and its feed entry (through the visible-paper rule), comments,
 * the enrichment with its hub artifacts and its repository's row, the authorship (verified
 * authors, author-set links, affiliations), the stored list and the listed papers — six
 * statements. Before round 20 the paper was read three times; before round 21 its feed entry was a
 * statement of its own; before round 22 the artifacts, the repository, the links and the
 * affiliations were one each (nine, ten with a repository). A signed-in reader's page adds the
 * reader's state: upvote, collections with the ones holding the paper (one read, two before round
 * 22), follows, watch and the read mark.
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

const PAGE = id(3);
let ada: User;

/** Paper 3's enrichment, authorship and collections: every fold has something to show. */
async function enrich(store: Store): Promise<void> {
  await store.enrichment.saveCode(PAGE, ['https://github.com/lab/three'], 'https://github.com/lab/three', 'lab/three');
  await store.enrichment.saveRepo({ repo: 'lab/three', fullName: 'lab/three', stars: 42, description: 'the official code of paper three', etag: null, status: 'ok', checkedAt: new Date().toISOString() });
  await store.enrichment.replaceArtifacts(PAGE, [
    { kind: 'model', id: 'lab/three-model', likes: 7, downloads: 70, detail: 'text-generation' },
    { kind: 'dataset', id: 'lab/three-data', likes: 9, downloads: null, detail: null },
  ]);
  const user = (username: string) => store.users.create({ username, email: `${username}@example.org`, passwordHash: 'x', emailVerified: true });
  const [alan, mallory, bob] = [await user('alan'), await user('mallory'), await user('bob')];
  ada = await user('ada');
  for (const [u, name] of [[alan, 'Alan Turing'], [mallory, 'Ada Lovelace']] as const) {
    const claim = await store.authorClaims.create({ userId: u.id, paperId: PAGE, authorName: name, authorKey: name.toLowerCase(), evidence: null });
    await store.authorClaims.decide(claim!, 'approved', 'mod', null);
  }
  // A banned account's approved claim names nobody.
  await store.users.setBanned(mallory.id, true);
  await store.authorClaims.setLink(PAGE, 'project', 'https://three.example.org/', alan.id);
  // A declared organisation stays pending after the harvest links it: not shown.
  await store.organisations.declare({ slug: 'hidden-lab', name: 'Hidden Lab', website: null, userId: bob.id });
  await store.organisations.setHarvested([{ paperId: PAGE, affiliations: [{ author: 'Alan Turing', name: 'Bletchley Park', slug: 'bletchley-park' }, { author: 'Ada Lovelace', name: 'Hidden Lab', slug: 'hidden-lab' }] }]);
  const alpha = await store.collections.create({ userId: ada.id, name: 'Alpha', description: null, isPublic: false });
  await store.collections.create({ userId: ada.id, name: 'Beta', description: null, isPublic: true });
  // Another reader's collection holding the paper: neither listed nor counted as ada's.
  const shelf = await store.collections.create({ userId: bob.id, name: 'Bob shelf', description: null, isPublic: true });
  await store.collections.addPaper(alpha.id, PAGE);
  await store.collections.addPaper(shelf.id, PAGE);
}

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
    await enrich(ctx.store);
    app = createApp(services);
    // The first page of a process loads what every later page shares (the embedder, the indexes).
    assert.equal((await app.request(`/papers/${id(59)}`)).status, 200);
  });

  test("a visitor's paper page with a stored similar-papers list: six statements; the paper with its feed entry, the enrichment with its artifacts and repository, the authorship with the affiliations each one read", async () => {
    const { value: res, statements } = await statementsOf(testDb(ctx.store), async () => app.request(`/papers/${PAGE}`));
    const all = statements.join('\n');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.match(html, new RegExp(id(6).replace('.', '\\.')), 'a similar paper (same topic) is listed');
    // What the folded reads show.
    for (const shown of ['the official code of paper three', 'lab/three-model', 'lab/three-data', 'https://three.example.org/', 'Bletchley Park']) assert.ok(html.includes(shown), `the page shows ${shown}`);
    assert.match(html, /verified: <a href="[^"]*">alan<\/a>/, 'the verified author is named');
    assert.ok(!html.includes('mallory'), "a banned account's claim names nobody");
    assert.ok(!html.includes('Hidden Lab'), 'a pending organisation is not shown');
    const paperReads = statements.filter((s) => /from "papers" as "p" left join "feed_entries" as "f" on "f"\."paper_id" = "p"\."id" where "p"\."id" = /.test(s));
    assert.equal(paperReads.length, 1, `the paper and its feed entry read once, together:\n${all}`);
    assert.ok(!statements.some((s) => /^select \* from "feed_entries"/.test(s)), `no read of the feed entry alone:\n${all}`);
    assert.ok(!statements.some((s) => /^select \* from "papers" where "id" = /.test(s)), `no read of the paper alone:\n${all}`);
    // The enrichment, its artifacts and its repository's row: one statement.
    assert.equal(statements.filter((s) => s.includes('"paper_artifacts"') || s.includes('"github_repos"') || s.includes('"paper_enrichments"')).length, 1, `the enrichment, artifacts and repository read together:\n${all}`);
    // Verified authors, author-set links and affiliations: one statement.
    assert.equal(statements.filter((s) => s.includes('"author_claims"') || s.includes('from "author_links" as "l"') || s.includes('"paper_organisations"')).length, 1, `the authorship read together:\n${all}`);
    assert.ok(statements.length <= 6, `${statements.length} statements:\n${all}`);
  });

  test("a signed-in reader's paper page: the reader's collections and the ones holding the paper in one read; another reader's collections neither listed nor counted", async () => {
    const { sessionToken } = await services.accounts.openSession(ada.id);
    const { value: res, statements } = await statementsOf(testDb(ctx.store), async () => app.request(`/papers/${PAGE}`, { headers: { cookie: `pb_session=${sessionToken}` } }));
    const all = statements.join('\n');
    assert.equal(res.status, 200);
    const html = await res.text();
    assert.ok(html.includes('Remove from “Alpha”'), 'the collection holding the paper offers to remove it');
    assert.ok(html.includes('Add to “Beta”'), "a collection of the reader's not holding it offers to add it");
    assert.ok(!html.includes('Bob shelf'), "another reader's collection is not listed");
    assert.equal(statements.filter((s) => s.includes('"collections"')).length, 1, `the collections and the ones holding the paper read together:\n${all}`);
    assert.equal(statements.filter((s) => s.includes('"author_claims"') || s.includes('"paper_organisations"')).length, 1, `the authorship, with the reader's own claims, read together:\n${all}`);
    assert.ok(statements.length <= 13, `${statements.length} statements:\n${all}`);
  });
});
