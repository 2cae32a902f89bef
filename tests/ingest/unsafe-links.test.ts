import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { forEachStore } from '../helpers/contract.ts';
import { startApiServer, type RunningApp } from '../helpers/api-server.ts';
import { Importer } from '../../src/ingest/importer.ts';
import { up as dropUnsafeLinks } from '../../src/store/migrations/1001_http_links.ts';
import { httpUrl } from '../../src/domain/links.ts';

// Finding 12 of issue 15: `abs_url: "javascript:…"` from an import reached /api/papers/{id} and the Atom feeds.
const HOSTILE = ['javascript:alert(document.domain)', ' JavaScript:alert(1)', 'data:text/html,<script>alert(1)</script>', 'vbscript:x', '//evil.example/x', 'https://user:pw@evil.example/', 'not a url', ''];

test('httpUrl accepts absolute http(s) URLs only', () => {
  for (const u of HOSTILE) assert.equal(httpUrl(u), null, u);
  assert.equal(httpUrl('https://arxiv.org/abs/2501.00001'), 'https://arxiv.org/abs/2501.00001');
  assert.equal(httpUrl('HTTP://Example.org/a b'), 'http://example.org/a%20b');
  assert.equal(httpUrl(42), null);
});

forEachStore('unsafe links from imports', (ctx) => {
  let app: RunningApp;
  let dir: string;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pb-links-'));
    app = await startApiServer(ctx.store);
  });
  after(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const outputs = async (id: string) => {
    const bodies: Record<string, string> = {};
    for (const p of [`/api/papers/${id}`, '/feeds/daily.atom', '/feeds/daily.rss', '/feeds/category/cs.CR.atom', `/papers/${id}`, '/api/daily_papers?date=2025-07-09']) {
      const r = await fetch(app.url + p);
      assert.equal(r.status, 200, p);
      bodies[p] = await r.text();
    }
    return bodies;
  };

  test('imports store only http(s) links; an arXiv paper gets its canonical URL instead', async () => {
    const lines = [
      { id: '2507.09001', title: 'Hostile links', authors: ['Eve'], abstract: 'x', categories: ['cs.CR'], primary_category: 'cs.CR', comment: null, listing_date: '2025-07-09', abs_url: HOSTILE[0], pdf_url: HOSTILE[2] },
      { id: '2507.09002', title: 'Hostile links 2', authors: ['Eve'], abstract: 'x', categories: ['cs.CR'], primary_category: 'cs.CR', comment: null, listing_date: '2025-07-09', abs_url: HOSTILE[1], pdf_url: 'https://arxiv.org/pdf/2507.09002v2' },
    ];
    const file = path.join(dir, 'listing.jsonl');
    fs.writeFileSync(file, lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    const s = await new Importer(ctx.store).importFile(file);
    assert.equal(s.failed, 0);
    const a = (await ctx.store.papers.get('2507.09001'))!;
    assert.deepEqual([a.links.abs, a.links.pdf], ['https://arxiv.org/abs/2507.09001', 'https://arxiv.org/pdf/2507.09001']);
    const b = (await ctx.store.papers.get('2507.09002'))!;
    assert.deepEqual([b.links.abs, b.links.pdf], ['https://arxiv.org/abs/2507.09002', 'https://arxiv.org/pdf/2507.09002v2']);

    const generic = path.join(dir, 'generic.jsonl');
    fs.writeFileSync(generic, JSON.stringify({ id: 'g1', title: 'Elsewhere', abstract: 'x', url: 'javascript:alert(1)' }) + '\n');
    // The generic format refuses the line (a clear error naming it) rather than storing the link.
    const g = await new Importer(ctx.store).importFile(generic, { source: 'lab' });
    assert.equal(g.failed, 1);
    assert.equal(await ctx.store.papers.get('lab:g1'), null);

    for (const [p, body] of Object.entries(await outputs('2507.09001'))) assert.doesNotMatch(body, /javascript:|data:text|vbscript:/i, p);
  });

  test('links stored before are checked again at output, and migration 1001 drops them', async () => {
    const db = ctx.opened.connection.db;
    await db.updateTable('papers').set({ abs_url: HOSTILE[0], pdf_url: HOSTILE[2], code_urls: JSON.stringify([HOSTILE[0]]), project_urls: JSON.stringify([HOSTILE[2]]) }).where('id', '=', '2507.09001').execute();
    const bodies = await outputs('2507.09001');
    for (const [p, body] of Object.entries(bodies)) assert.doesNotMatch(body, /javascript:|data:text/i, p);
    const api = JSON.parse(bodies['/api/papers/2507.09001']);
    assert.deepEqual(api.links, { abs: null, pdf: null, code: [], project: [] });
    assert.equal(api.githubRepo, null);
    assert.equal(api.projectPage, null);
    await dropUnsafeLinks(db);
    const fixed = (await ctx.store.papers.get('2507.09001'))!;
    assert.deepEqual([fixed.links.abs, fixed.links.pdf], ['https://arxiv.org/abs/2507.09001', 'https://arxiv.org/pdf/2507.09001']);
    assert.equal((await ctx.store.papers.get('2507.09002'))!.links.pdf, 'https://arxiv.org/pdf/2507.09002v2', 'good links stay');
  });
});
