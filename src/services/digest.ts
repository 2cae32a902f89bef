import type { Config } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Store } from '../store/store.ts';
import type { NewOutboxMessage } from '../store/outbox.ts';
import type { PaperWithStats } from '../domain/paper.ts';
import type { DigestPeriod } from '../domain/digest-period.ts';
import { MAX_FOLLOWING, MAX_FOR_YOU_PICKS, selectForYou, selectTrending } from '../domain/digest.ts';
import { followReason, type FollowedItem } from '../domain/discovery.ts';
import { firstSentence } from '../domain/text.ts';
import { DigestRenderer, type DigestEntry } from '../mail/templates/digest.ts';
import { sitePaths } from '../domain/site-paths.ts';
import type { MailService } from './mail.ts';
import type { ForYouService } from './for-you.ts';
import type { FollowingService } from './following.ts';
import { trendingItems } from './trending.ts';
import { itemExtras } from '../domain/feed-document.ts';
import type { PaperEnrichment } from '../domain/enrichment.ts';

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

const FEED_LIMIT = 1_000_000;
const DAY_MS = 86_400_000;
/**
 * The For-you model's picks asked for per reader: a few more than the digest shows, since its
 * sections and earlier digests may already hold some (those are excluded before ranking too).
 */
const FOR_YOU_ASKED = MAX_FOR_YOU_PICKS * 2;

/**
 * Builds each period's digests into the outbox, once per subscriber. Every digest has the period's
 * trending papers (the site's `trendingItems`, filtered by the subscriber's categories). A
 * subscription linked to an account adds, first, the period's papers matching the account's follows
 * and, with personal picks on, the For-you model's picks (each with its reason). A paper appears in
 * one section only (following, then trending, then For you), and For you never repeats a paper an
 * earlier digest sent.
 */
export class DigestService {
  constructor(
    private readonly config: Config,
    private readonly store: Store,
    private readonly mail: MailService,
    private readonly logger: Logger,
    private readonly discovery: { forYou: ForYouService; following: FollowingService },
  ) {}

  private entry(p: PaperWithStats, enrichments: ReadonlyMap<string, PaperEnrichment>, reason?: string): DigestEntry {
    const extras = itemExtras(enrichments.get(p.id), this.mail.siteUrl);
    return { id: p.id, title: p.title, authors: p.authors, sentence: firstSentence(p.abstract), upvotes: p.upvotes, url: `${this.mail.siteUrl}${sitePaths.paper(p.id)}`, reason, ...(extras ? { extras } : {}) };
  }

  /**
   * The enrichments of a digest's papers, read once per paper for the whole run (the trending
   * papers are in most digests): only the papers not read yet are asked for.
   */
  private async enrichmentsFor(cache: Map<string, PaperEnrichment | null>, ids: string[]): Promise<ReadonlyMap<string, PaperEnrichment>> {
    const missing = ids.filter((id) => !cache.has(id));
    if (missing.length) {
      const found = await this.store.enrichment.forPapers(missing);
      for (const id of missing) cache.set(id, found.get(id) ?? null);
    }
    return new Map(ids.flatMap((id) => (cache.get(id) ? [[id, cache.get(id)!] as const] : [])));
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

    // Trending as the site and the API rank it, as of the end of the period's last day.
    const { items: ranked } = await trendingItems(this.store, {
      now: new Date(Date.parse(`${period.to}T00:00:00Z`) + DAY_MS),
      from: period.from,
      until: period.to,
      maxCandidates: items.length,
    });
    // Follows of every linked reader, matched in memory against the period's papers loaded above.
    const followed = await this.discovery.following.newAmong(
      todo.flatMap((s) => (s.userId === null ? [] : [s.userId])),
      items,
    );
    const orgNames = await this.discovery.following.orgNames([...followed.values()].flatMap((l) => l.flatMap((f) => f.matched)));
    const renderer = new DigestRenderer();
    const signer = await this.mail.signer();
    const host = new URL(this.mail.siteUrl).hostname || 'localhost';
    const preview: NewOutboxMessage[] = [];
    const enrichmentCache = new Map<string, PaperEnrichment | null>();

    for (let i = 0; i < todo.length; i += 500) {
      const chunk = todo.slice(i, i + 500);
      const wantsPicks = chunk.filter((s) => s.personalPicks && s.userId !== null);
      const sentBefore = wantsPicks.length ? await this.store.outbox.paperIdsSentTo(wantsPicks.map((s) => s.id)) : new Map<number, Set<string>>();
      const out: NewOutboxMessage[] = [];
      for (const sub of chunk) {
        const follows: FollowedItem[] = sub.userId === null ? [] : (followed.get(sub.userId) ?? []);
        const shown = follows.slice(0, MAX_FOLLOWING);
        const inDigest = new Set(shown.map((f) => f.item.paper.id));
        const trending = selectTrending(ranked, sub.categories, this.config.digestSize, inDigest);
        for (const t of trending) inDigest.add(t.paper.id);
        let forYou: { paper: PaperWithStats; reason: string }[] = [];
        if (sub.personalPicks && sub.userId !== null) {
          const exclude = new Set([...inDigest, ...(sentBefore.get(sub.id) ?? [])]);
          const r = await this.discovery.forYou.picksFor(sub.userId, FOR_YOU_ASKED, { exclude, until: period.to });
          forYou = selectForYou(r.picks, exclude);
        }
        if (!shown.length && !trending.length && !forYou.length) {
          result.empty++;
          continue;
        }
        const unsubscribeUrl = `${this.mail.siteUrl}${sitePaths.unsubscribe({ id: sub.id, sig: signer.sign('unsubscribe', sub.id, sub.email) })}`;
        const enriched = await this.enrichmentsFor(enrichmentCache, [...shown.map((f) => f.item.paper.id), ...trending.map((t) => t.paper.id), ...forYou.map((p) => p.paper.id)]);
        const mail = renderer.render({
          period,
          following: shown.map((f) => this.entry(f.item.paper, enriched, followReason(f.item.paper, f.matched, orgNames))),
          moreFollowing: follows.length - shown.length,
          trending: trending.map((t) => this.entry(t.paper, enriched)),
          forYou: forYou.map((p) => this.entry(p.paper, enriched, p.reason)),
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
          paperIds: [...shown.map((f) => f.item.paper.id), ...trending.map((t) => t.paper.id), ...forYou.map((p) => p.paper.id)],
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
}
