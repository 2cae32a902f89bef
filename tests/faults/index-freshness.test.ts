import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createTestStore, postgresIsReal, type TestStore } from '../helpers/stores.ts';
import { startServe, type ServeProcess } from '../helpers/serve-process.ts';
import { runCli } from '../helpers/cli.ts';

// Two serve processes on one PostgreSQL; a paper imported by a third process (the CLI) becomes
// searchable on both (each keeps its in-memory keyword index in step with the store).
describe('search index in step across processes', { skip: !(await postgresIsReal()) && 'needs the local PostgreSQL server' }, () => {
  let store: TestStore;
  const serves: ServeProcess[] = [];
  before(async () => {
    store = await createTestStore('postgres');
    const env = { PAPERBOY_DB: store.location!, SEARCH_KEYWORD_ENGINE: 'memory' };
    serves.push(await startServe(env)); // loads the demo set
    serves.push(await startServe({ ...env, PAPERBOY_DEMO: 'false' }));
  });
  after(async () => {
    for (const s of serves) s.child.kill('SIGTERM');
    await Promise.all(serves.map((s) => s.exited));
    await store.close();
  });

  test('a paper imported elsewhere is found by a search on every process', async () => {
    const search = async (s: ServeProcess, q: string) => {
      const res = await fetch(`${s.url}/api/papers/search?q=${encodeURIComponent(q)}`);
      assert.equal(res.status, 200);
      const body = (await res.json()) as Array<{ id: string }> | { results: Array<{ id: string }> };
      return (Array.isArray(body) ? body : body.results).map((r) => r.id);
    };
    // Both have built their index (the demo set) before the import.
    for (const s of serves) assert.ok((await search(s, 'quantization')).length > 0);
    for (const s of serves) assert.ok(!(await search(s, 'sparse mixtures experts long context')).includes('2507.00101'));
    const imported = await runCli(['import', 'tests/fixtures/import/listing.jsonl', '--db', store.location!]);
    assert.ok(imported.code === 0 || imported.code === 1, imported.stderr);
    for (const s of serves) {
      let found: string[] = [];
      const t0 = Date.now();
      while (Date.now() - t0 < 60_000 && !found.includes('2507.00101')) {
        found = await search(s, 'sparse mixtures experts long context');
        if (!found.includes('2507.00101')) await new Promise((r) => setTimeout(r, 500));
      }
      assert.ok(found.includes('2507.00101'), `${s.url} finds the imported paper`);
    }
  });
});
