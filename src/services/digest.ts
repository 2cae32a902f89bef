import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { NewOutboxMessage } from '../store/outbox.ts';
import type { FeedItem, PaperWithStats } from '../domain/paper.ts';
import { addDays, type DigestPeriod } from '../domain/digest-period.ts';
import { TermIndex, rankPeriod, selectPersonalPicks, selectTrending, type IndexedDoc } from '../domain/digest.ts';
import { TRENDING_WINDOW_DAYS } from '../domain/trending.ts';
import { firstSentence } from '../domain/text.ts';
import { DigestRenderer, type DigestEntry } from '../mail/templates/digest.ts';
import { paperPath } from '../http/params.ts';
import type { MailService } from './mail.ts';

export interface BuildResult {
  period: string;
  /** Papers on the feed in the period; 0 means nothing is sent. */
  papers: number;
  subscribers: number;
  created: number;
  /** Subscribers whose categories had nothing this period. */
  empty: number;
  /** Subscribers who already had this period's digest. */
  existing: number;
  /** Filled on a dry run: what would have been added. */
  preview?: NewOutboxMessage[];
}

/** The most liked papers considered per reader: enough for a profile, bounded for heavy users. */
const MAX_LIKED = 100;
const FEED_LIMIT = 1_000_000;

/**
 * Builds each period's digests into the outbox, once per subscriber: the period's trending papers
 * (filtered by the subscriber's categories) and personal picks from the last week's papers.
 */
export class DigestService {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly mail: MailService,
    private readonly logger: Logger,
  ) {}

  private entry(p: PaperWithStats): DigestEntry {
    return { id: p.id, title: p.title, authors: p.authors, sentence: firstSentence(p.abstract), upvotes: p.upvotes, url: `${this.mail.siteUrl}/papers/${paperPath(p.id)}` };
  }

  async build(period: DigestPeriod, opts: { dryRun?: boolean; now?: Date } = {}): Promise<BuildResult> {
    const result: BuildResult = { period: period.key, papers: 0, subscribers: 0, created: 0, empty: 0, existing: 0 };
    const items = await this.store.feed.items(period.from, period.to, { limit: FEED_LIMIT });
    result.papers = items.length;
    if (!items.length) return result;
    const subs = await this.store.subscriptions.active(period.frequency);
    result.subscribers = subs.length;
    const existing = await this.store.outbox.subscribersWithPeriod(period.key);
    const todo = subs.filter((s) => !existing.has(s.id));
    result.existing = subs.length - todo.length;
    if (!todo.length) return result;

    const ranked = rankPeriod(items, period.date);
    const picks = await this.picksContext(todo.filter((s) => s.personalPicks && s.userId !== null).map((s) => s.userId!), period, items);
    const renderer = new DigestRenderer();
    const signer = await this.mail.signer();
    const host = new URL(this.mail.siteUrl).hostname || 'localhost';
    const preview: NewOutboxMessage[] = [];

    for (let i = 0; i < todo.length; i += 500) {
      const chunk = todo.slice(i, i + 500);
      const sentBefore = picks ? await this.store.outbox.paperIdsSentTo(chunk.map((s) => s.id)) : new Map<number, Set<string>>();
      const out: NewOutboxMessage[] = [];
      for (const sub of chunk) {
        const trending = selectTrending(ranked, sub.categories, this.config.digestSize);
        let pickIds: string[] = [];
        const liked = sub.personalPicks && sub.userId !== null ? picks?.likedDocs(sub.userId) : undefined;
        if (picks && liked?.length) {
          pickIds = selectPersonalPicks(picks.index, liked, { alreadySent: sentBefore.get(sub.id) ?? new Set(), inDigest: trending.map((t) => t.paper.id) });
        }
        if (!trending.length && !pickIds.length) {
          result.empty++;
          continue;
        }
        const unsubscribeUrl = `${this.mail.siteUrl}/unsubscribe?id=${sub.id}&sig=${signer.sign('unsubscribe', sub.id, sub.email)}`;
        const mail = renderer.render({
          period,
          trending: trending.map((t) => this.entry(t.paper)),
          picks: pickIds.map((id) => this.entry(picks!.papers.get(id)!)),
          siteUrl: this.mail.siteUrl,
          unsubscribeUrl,
        });
        out.push({
          subscriptionId: sub.id,
          period: period.key,
          to: sub.email,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: {
            // A stable id per (subscriber, period): a receiver can recognise a resend after a crash.
            'Message-ID': `<digest.${period.key.replace(':', '.')}.${sub.id}@${host}>`,
            'List-Unsubscribe': `<${unsubscribeUrl}>`,
            'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
            'List-Id': `Paperboy ${period.frequency} digest <${period.frequency}.digest.${host}>`,
          },
          paperIds: [...trending.map((t) => t.paper.id), ...pickIds],
        });
      }
      if (opts.dryRun) preview.push(...out);
      else result.created += await this.store.outbox.addMany(out, (opts.now ?? new Date()).toISOString());
    }
    if (opts.dryRun) {
      result.preview = preview;
      result.created = preview.length;
    }
    this.logger.info({ ...result, preview: undefined }, 'digests built');
    return result;
  }

  /** Candidates for personal picks (the last week's papers, indexed once) and each reader's liked papers. */
  private async picksContext(userIds: number[], period: DigestPeriod, periodItems: FeedItem[]) {
    if (!userIds.length) return null;
    const likedIds = await this.store.subscriptions.likedPaperIds([...new Set(userIds)]);
    if (!likedIds.size) return null;
    const from = addDays(period.date, -(TRENDING_WINDOW_DAYS - 1));
    const window = from < period.from ? await this.store.feed.items(from, period.to, { limit: FEED_LIMIT }) : periodItems;
    const papers = new Map(window.map((i) => [i.paper.id, i.paper]));
    const index = new TermIndex(window.map((i) => ({ id: i.paper.id, title: i.paper.title, abstract: i.paper.abstract })));
    const allLiked = [...new Set([...likedIds.values()].flatMap((ids) => ids.slice(-MAX_LIKED)))];
    const likedPapers = new Map<string, IndexedDoc>();
    for (let i = 0; i < allLiked.length; i += 500) {
      for (const p of await this.store.papers.getMany(allLiked.slice(i, i + 500))) likedPapers.set(p.id, { id: p.id, title: p.title, abstract: p.abstract });
    }
    return {
      index,
      papers,
      likedDocs: (userId: number): IndexedDoc[] => (likedIds.get(userId) ?? []).slice(-MAX_LIKED).flatMap((id) => likedPapers.get(id) ?? []),
    };
  }
}
