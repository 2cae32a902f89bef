import type { Store } from '../../src/store/store.ts';
import { makePaper } from './papers.ts';
import { TOPICS, topicText, type Topic } from './topics.ts';

export const TOPIC_CATEGORY: Record<Topic, string> = { graphs: 'cs.LG', speech: 'eess.AS', galaxies: 'astro-ph.CO', robots: 'cs.RO' };
/** The newest feed day; "recent" (For you's 14 days) starts 2025-06-27. */
export const NEWEST = '2025-07-10';
export const OLD_DAYS = ['2025-06-02', '2025-06-05', '2025-06-10', '2025-06-16'];
export const RECENT_DAYS = ['2025-07-01', '2025-07-04', '2025-07-08', NEWEST];

export interface World {
  topicOf: Map<string, Topic>;
  old: Record<Topic, string[]>;
  recent: Record<Topic, string[]>;
  titles: Map<string, string>;
  /** Two recent speech papers by this author. */
  followedAuthor: string;
}

let worlds = 0;

/** Papers of four topics: 12 older ones each (before the recent window) and 6 recent ones, on the feed. */
export async function seedWorld(store: Store): Promise<World> {
  const w = worlds++;
  const world: World = { topicOf: new Map(), old: { graphs: [], speech: [], galaxies: [], robots: [] }, recent: { graphs: [], speech: [], galaxies: [], robots: [] }, titles: new Map(), followedAuthor: 'Marie Skłodowska' };
  const papers = [];
  const entries = [];
  for (const topic of Object.keys(TOPICS) as Topic[]) {
    for (let n = 0; n < 18; n++) {
      const isOld = n < 12;
      const day = isOld ? OLD_DAYS[n % OLD_DAYS.length] : RECENT_DAYS[n % RECENT_DAYS.length];
      const text = topicText(topic, n + w * 100);
      const authors = topic === 'speech' && n >= 16 ? [world.followedAuthor, 'Pierre C'] : [`${topic} author ${n % 4}`];
      const p = makePaper({ ...text, authors, categories: [TOPIC_CATEGORY[topic]], primaryCategory: TOPIC_CATEGORY[topic], publishedAt: day });
      papers.push(p);
      entries.push({ paperId: p.id, day });
      world.topicOf.set(p.id, topic);
      world.titles.set(p.id, p.title);
      (isOld ? world.old : world.recent)[topic].push(p.id);
    }
  }
  await store.papers.upsertMany(papers);
  await store.feed.addMany(entries);
  return world;
}

let users = 0;
export async function makeUser(store: Store, name = 'reader') {
  users++;
  return store.users.create({ username: `${name}${users}_${process.pid}`, email: `${name}${users}@example.org`, passwordHash: 'x' });
}
