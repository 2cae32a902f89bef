import { MAILBOXES } from './community.ts';
import { loadConfig, type Config } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices, type Services } from '../../src/services/index.ts';
import type { Store } from '../../src/store/store.ts';
import { createApp } from '../../src/http/app.ts';
import { startServer, type RunningServer } from '../../src/http/server.ts';
import { makePaper } from './papers.ts';
import { SmtpSink } from './smtp.ts';
import type { Paper } from '../../src/domain/paper.ts';
import { testDb } from './stores.ts';

export function mailConfig(over: Partial<Record<keyof Config, unknown>> = {}): Config {
  return loadConfig({}, { db: ':memory:', demo: false, mailRate: 1000, publicUrl: 'http://paperboy.test', ...over });
}

export function mailServices(store: Store, over: Partial<Record<keyof Config, unknown>> = {}): Services {
  return createServices({ config: mailConfig(over), logger: silentLogger, store });
}

export async function startApp(services: Services): Promise<RunningServer> {
  return startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: silentLogger });
}

/** A real SMTP sink, services that send to it, and the app over HTTP; `close` stops all three. */
export async function startMailApp(store: Store, over: Partial<Record<keyof Config, unknown>> = {}) {
  const smtp = await new SmtpSink().start();
  const services = mailServices(store, { smtpUrl: smtp.url, ...over });
  const server = await startApp(services);
  MAILBOXES.set(server.url, (address) => smtp.to(address).map((m) => m.text));
  const close = async () => {
    await server.close(1000);
    await services.close();
    await smtp.close();
  };
  return { smtp, services, server, close };
}

/** Puts papers on the feed of `day`, with upvotes. */
export async function feedDay(store: Store, day: string, papers: { over?: Parameters<typeof makePaper>[0]; upvotes?: number }[]): Promise<Paper[]> {
  const made = papers.map((p) => makePaper(p.over?.categories && !p.over.primaryCategory ? { ...p.over, primaryCategory: p.over.categories[0] } : p.over));
  await store.papers.upsertMany(made);
  await store.feed.addMany(made.map((p) => ({ paperId: p.id, day })));
  for (let i = 0; i < made.length; i++) {
    if (papers[i].upvotes) await testDb(store).updateTable('papers').set({ upvotes: papers[i].upvotes! }).where('id', '=', made[i].id).execute();
  }
  return made;
}

let userN = 0;
/** A user (the community feature's table) who upvoted these papers. */
export async function userWhoLiked(store: Store, paperIds: string[]): Promise<number> {
  userN++;
  const now = new Date().toISOString();
  const u = await testDb(store)
    .insertInto('users')
    .values({ username: `reader${userN}_${process.pid}`, email: `reader${userN}@users.test`, password_hash: 'x', created_at: now })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(u.id);
  for (const p of paperIds) await testDb(store).insertInto('upvotes').values({ user_id: id, paper_id: p, created_at: now }).execute();
  return id;
}

/** An active subscription, as if the confirm link had been followed. */
export async function activeSubscriber(store: Store, email: string, opts: { frequency?: 'daily' | 'weekly'; categories?: string[]; userId?: number | null; personalPicks?: boolean } = {}): Promise<number> {
  const { subscription } = await store.subscriptions.createPending(
    email,
    { frequency: opts.frequency ?? 'daily', categories: opts.categories ?? [], personalPicks: opts.personalPicks ?? true },
    opts.userId ?? null,
  );
  await store.subscriptions.confirm(subscription.id);
  return subscription.id;
}

export function linkIn(text: string, path: string): string {
  const m = new RegExp(`https?://[^\\s"<>]*${path.replace(/\//g, '\\/')}[^\\s"<>]*`).exec(text);
  if (!m) throw new Error(`no ${path} link in:\n${text}`);
  return m[0].replace(/&amp;/g, '&');
}
