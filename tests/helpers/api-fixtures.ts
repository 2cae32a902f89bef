import type { Store } from '../../src/store/store.ts';
import { makePaper } from './papers.ts';
import { startApiServer, type RunningApp } from './api-server.ts';
import { testDb } from './stores.ts';

/**
 * A small feed for the API and feed tests: papers on several days across an ISO-week and a
 * month boundary, one submitted by a user, upvotes and comments, a public and a private collection.
 */
export async function seedApiFixtures(store: Store) {
  const tricky = makePaper({
    title: 'Escaping <b>tags</b> & "quotes" in \'titles\'\u0007',
    abstract: 'We show that a < b && c > d, with ]]> and emoji 🧪.',
    authors: ['Zoë Ødegård', 'O\'Brien <ob@example.org>'],
    categories: ['cs.LG', 'stat.ML'],
    primaryCategory: 'cs.LG',
    publishedAt: '2025-07-27',
  });
  const papers = [
    tricky,
    makePaper({ publishedAt: '2025-07-28', categories: ['cs.CL'], primaryCategory: 'cs.CL', title: 'Sparse attention for long documents' }),
    makePaper({ publishedAt: '2025-07-31', categories: ['cs.LG'] }),
    makePaper({ publishedAt: '2025-08-01', categories: ['cs.CV'], primaryCategory: 'cs.CV' }),
    makePaper({ publishedAt: '2025-08-01', categories: ['cs.LG'] }),
    makePaper({ publishedAt: '2025-08-04', categories: ['hep-th'], primaryCategory: 'hep-th' }),
  ];
  await store.papers.upsertMany(papers);
  const days = ['2025-07-27', '2025-07-28', '2025-07-31', '2025-08-01', '2025-08-01', '2025-08-04'];
  await store.feed.addMany(papers.map((p, i) => ({ paperId: p.id, day: days[i], submittedBy: i === 2 ? 'ada' : null })));
  await testDb(store).updateTable('papers').set({ upvotes: 7, num_comments: 2 }).where('id', '=', papers[3].id).execute();
  await testDb(store).updateTable('papers').set({ upvotes: 3 }).where('id', '=', papers[5].id).execute();

  const now = '2025-08-02T10:00:00.000Z';
  const user = await testDb(store).insertInto('users').values({ username: 'ada', email: 'ada@example.org', password_hash: 'x', created_at: now }).returning('id').executeTakeFirstOrThrow();
  const pub = await testDb(store)
    .insertInto('collections')
    .values({ user_id: user.id, name: 'Ada’s <favourite> & best', description: 'Papers worth a second read', public: 1, created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const priv = await testDb(store).insertInto('collections').values({ user_id: user.id, name: 'private', public: 0, created_at: now }).returning('id').executeTakeFirstOrThrow();
  await testDb(store)
    .insertInto('collection_papers')
    .values([
      { collection_id: pub.id, paper_id: papers[0].id, added_at: '2025-08-02T11:00:00.000Z' },
      { collection_id: pub.id, paper_id: papers[3].id, added_at: '2025-08-03T09:30:00.000Z' },
      { collection_id: priv.id, paper_id: papers[1].id, added_at: '2025-08-03T09:30:00.000Z' },
    ])
    .execute();
  // An organisation from an affiliation, under the slug the generated requests use (`/api/orgs/ada`).
  await store.organisations.setHarvested([{ paperId: papers[0].id, affiliations: [{ author: papers[0].authors[0], name: 'Ada', slug: 'ada' }] }]);
  return { papers, tricky, days, publicCollection: Number(pub.id), privateCollection: Number(priv.id) };
}

/** The API fixtures seeded into `store`, the app serving them, and a GET helper: a suite's setup. */
export async function startSeededApi(store: Store): Promise<{ fx: Awaited<ReturnType<typeof seedApiFixtures>>; server: RunningApp; get: (path: string, headers?: Record<string, string>) => Promise<Response> }> {
  const fx = await seedApiFixtures(store);
  const server = await startApiServer(store);
  return { fx, server, get: (path, headers = {}) => fetch(`${server.url}${path}`, { headers }) };
}
