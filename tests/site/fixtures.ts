import type { MailMessage } from '../../src/mail/sender.ts';
import { MAILBOXES } from '../helpers/community.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import type { Store } from '../../src/store/store.ts';
import { makePaper } from '../helpers/papers.ts';
import { testDb } from '../helpers/stores.ts';

/**
 * The site's test data: papers on three days with an empty week between them, an old-style id, LaTeX,
 * code and project links, a submitter, and one paper whose every field is hostile.
 */
export const DAYS = { first: '2025-07-14', second: '2025-08-01', third: '2025-08-04' };

export const HOSTILE = {
  id: '2508.00666',
  title: `<script>window.__pwned='title'</script> Attention with $<img src=x onerror="window.__pwned='tex'">$ and <b>bold</b>`,
  abstract:
    `We click <a href="javascript:window.__pwned='a'">here</a>; math $\\href{javascript:window.__pwned='href'}{x}$ and ` +
    `$\\alpha^2 + \\beta_{i}$ stays math. <img src=x onerror="window.__pwned='img'"> </p></main><script>window.__pwned='close'</script>`,
  authors: [`<img src=x onerror="window.__pwned='author'">`, 'Robert "); DROP TABLE papers; --'],
  code: `javascript:window.__pwned='code'`,
};

export interface SiteData {
  topId: string;
  oldStyleId: string;
  mathId: string;
  hostileId: string;
}

export async function seedSite(store: Store): Promise<SiteData> {
  const top = makePaper({ id: '2507.01001', title: 'Sparse attention for long documents', abstract: 'We make attention sparse. Code at https://github.com/example/sparse-attn.', authors: ['Ada Lovelace', 'Alan Turing', 'Grace Hopper', 'Edsger Dijkstra'], categories: ['cs.CL', 'cs.LG'], primaryCategory: 'cs.CL', publishedAt: '2025-07-14' });
  const low = makePaper({ id: '2507.01002', title: 'Dense retrieval revisited', abstract: 'Retrieval with dense vectors.', authors: ['Barbara Liskov'], categories: ['cs.IR'], primaryCategory: 'cs.IR', publishedAt: '2025-07-14' });
  const old = makePaper({ id: 'hep-th/9901001', title: 'Strings on a lattice', abstract: 'An old-style identifier with a slash.', authors: ['Ada Lovelace'], categories: ['hep-th'], primaryCategory: 'hep-th', publishedAt: '1999-01-04' });
  const math = makePaper({ id: '2508.00001', title: 'Bounds on $\\mathcal{O}(n \\log n)$ sorting', abstract: 'We prove $T(n) = \\Theta(n \\log n)$ and $$\\sum_{i=1}^n i = \\frac{n(n+1)}{2}$$ for every $n$.', authors: ['Alan Turing'], categories: ['cs.DS'], primaryCategory: 'cs.DS', publishedAt: '2025-08-01', links: { project: ['https://example.org/sorting'] } });
  const hostile = makePaper({ id: HOSTILE.id, title: HOSTILE.title, abstract: HOSTILE.abstract, authors: HOSTILE.authors, categories: ['cs.CR'], primaryCategory: 'cs.CR', publishedAt: '2025-08-04', links: { code: [HOSTILE.code], project: [] } });
  const later = makePaper({ id: '2508.00002', title: 'Attention is still all you need', abstract: 'Transformers, again, with attention.', authors: ['Grace Hopper'], categories: ['cs.LG'], primaryCategory: 'cs.LG', publishedAt: '2025-08-04' });
  await store.papers.upsertMany([top, low, old, math, hostile, later]);
  await store.feed.addMany([
    { paperId: low.id, day: DAYS.first },
    { paperId: top.id, day: DAYS.first, submittedBy: 'ada' },
    { paperId: old.id, day: DAYS.first },
    { paperId: math.id, day: DAYS.second },
    { paperId: hostile.id, day: DAYS.third },
    { paperId: later.id, day: DAYS.third },
  ]);
  // Upvotes come from the community feature; set the counter directly so ordering can be checked.
  await testDb(store).updateTable('papers').set({ upvotes: 7, num_comments: 2 }).where('id', '=', top.id).execute();
  return { topId: top.id, oldStyleId: old.id, mathId: math.id, hostileId: hostile.id };
}

export async function startSite(store: Store): Promise<RunningServer> {
  const config = loadConfig({}, { port: 0, host: '127.0.0.1', logLevel: 'silent', demo: false });
  // Mail stays in memory (readable through MAILBOXES, for sign-up links), not in ./data/mail.
  const sent: MailMessage[] = [];
  const services = createServices({ config, logger: createLogger('silent'), store, mail: { send: async (m) => void sent.push(m) } });
  const server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: services.logger });
  MAILBOXES.set(server.url, (address) => sent.filter((m) => m.to === address).map((m) => m.text));
  return server;
}
