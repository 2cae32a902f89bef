import { sql } from 'kysely';
import type { Store } from '../../src/store/store.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

/** A small corpus where each search feature has a paper that should and one that should not match. */
export const CORPUS = [
  makePaper({
    id: '2402.00001',
    title: 'Attention Is All You Need',
    abstract: 'We propose the Transformer, a network architecture based solely on attention mechanisms, dispensing with recurrence and convolutions entirely.',
    authors: ['Ashish Vaswani', 'Noam Shazeer'],
    categories: ['cs.CL', 'cs.LG'],
    primaryCategory: 'cs.CL',
    publishedAt: '2017-06-12',
  }),
  makePaper({
    id: '2402.00002',
    title: 'Neural Radiance Fields for View Synthesis',
    abstract: 'We represent a scene as neural radiance fields and render novel views with volume rendering.',
    authors: ['Ben Mildenhall'],
    categories: ['cs.CV'],
    primaryCategory: 'cs.CV',
    publishedAt: '2020-03-19',
  }),
  makePaper({
    id: '2402.00003',
    title: 'Estimating scene radiance with neural fields',
    abstract: 'A neural method for radiance estimation over wide fields of view.',
    authors: ['Carla Gomez'],
    categories: ['cs.CV'],
    primaryCategory: 'cs.CV',
    publishedAt: '2021-01-10',
  }),
  makePaper({
    id: '2402.00004',
    title: 'Graph Attention Networks',
    abstract: 'We present graph attention networks, novel neural network architectures that operate on graph-structured data.',
    authors: ['Petar Velickovic', 'Yoshua Bengio'],
    categories: ['cs.LG', 'stat.ML'],
    primaryCategory: 'cs.LG',
    publishedAt: '2017-10-30',
  }),
  makePaper({
    id: '2402.00005',
    title: 'A Survey of Attention Mechanisms',
    abstract: 'This survey reviews how deep learning models weigh their inputs.',
    authors: ['Jane Doe'],
    categories: ['cs.LG'],
    primaryCategory: 'cs.LG',
    publishedAt: '2023-05-01',
  }),
  makePaper({
    id: '2402.00006',
    title: 'Dark matter halos in galaxy clusters',
    abstract: 'We measure dark matter halos of galaxy clusters with weak gravitational lensing.',
    authors: ['Vera Rubin'],
    categories: ['astro-ph.CO'],
    primaryCategory: 'astro-ph.CO',
    publishedAt: '2019-02-02',
  }),
  makePaper({
    id: '2402.00007',
    title: 'Scripting <script>alert(1)</script> attacks on language models',
    abstract: 'Prompt injection & cross-site scripting against LLM agents: "<img src=x onerror=alert(1)>".',
    authors: ['Mallory <b>Evil</b>'],
    categories: ['cs.CR'],
    primaryCategory: 'cs.CR',
    publishedAt: '2024-08-01',
  }),
  makePaper({
    id: '2402.00008',
    title: 'Attention in vision transformers, hidden by moderators',
    abstract: 'Attention maps explain predictions.',
    categories: ['cs.CV'],
    primaryCategory: 'cs.CV',
    publishedAt: '2022-01-01',
  }),
  makePaper({
    id: '2402.00009',
    title: 'Withdrawn attention paper',
    abstract: 'Attention everywhere.',
    categories: ['cs.LG'],
    primaryCategory: 'cs.LG',
    publishedAt: '2022-02-02',
    deleted: true,
  }),
  makePaper({
    id: '2402.00010',
    title: 'A naïve café study of espresso',
    abstract: 'Unicode text with diacritics about espresso.',
    authors: ['Jürgen Müller'],
    categories: ['physics.pop-ph'],
    primaryCategory: 'physics.pop-ph',
    publishedAt: '2018-07-07',
  }),
];

export async function loadCorpus(store: Store): Promise<void> {
  await store.papers.upsertMany(CORPUS);
  await store.papers.setHidden('2402.00008', true);
  await sql`update papers set upvotes = 50 where id = '2402.00005'`.execute(testDb(store));
  await sql`update papers set upvotes = 10 where id = '2402.00004'`.execute(testDb(store));
}
