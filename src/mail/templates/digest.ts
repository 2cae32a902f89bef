import { html, type SafeHtml } from '../html.ts';
import { linkStyle, mailShell } from './shared.ts';
import { formatDay, type DigestPeriod } from '../../domain/digest-period.ts';
import { sitePaths } from '../../domain/site-paths.ts';
import type { ItemExtras } from '../../domain/feed-document.ts';

/** One paper as a digest shows it. */
export interface DigestEntry {
  id: string;
  title: string;
  authors: string[];
  sentence: string;
  upvotes: number;
  url: string;
  /** Why this reader gets it ("by Jane Doe, whom you follow"); none for trending papers. */
  reason?: string;
  /** The paper's thumbnail and TL;DR or keywords, when the enrichment steps found them. */
  extras?: ItemExtras;
}

/** The thumbnail's width in a digest: small beside the text, so fifty entries stay a light mail. */
const THUMB_WIDTH = 64;

export interface DigestMailInput {
  period: DigestPeriod;
  /** New papers matching the reader's follows, each with its reason. */
  following: DigestEntry[];
  /** Followed papers left out of the mail (the section is capped); the Following page has them. */
  moreFollowing?: number;
  trending: DigestEntry[];
  /** The For-you model's picks, each with its reason. */
  forYou: DigestEntry[];
  siteUrl: string;
  unsubscribeUrl: string;
}

export function authorLine(authors: string[]): string {
  if (authors.length <= 4) return authors.join(', ');
  return `${authors.slice(0, 3).join(', ')} et al. (${authors.length} authors)`;
}

export function digestSubject(period: DigestPeriod): string {
  return period.frequency === 'daily'
    ? `Trending papers · ${formatDay(period.date)}`
    : `This week's trending papers · week to ${formatDay(period.date)}`;
}

/**
 * Renders one entry. Entries are the same for every subscriber of a period, so callers cache the
 * result by paper id and position (`DigestRenderer`); only a reader's reason line is added per mail.
 */
export function renderEntry(e: DigestEntry, n: number): { html: SafeHtml; text: string } {
  const votes = `▲ ${e.upvotes} upvote${e.upvotes === 1 ? '' : 's'}`;
  const x = e.extras;
  const t = x?.thumbnail;
  // The TL;DR stands in for the abstract's first sentence, as on a card; keywords go under it.
  const line = x?.aiSummary ? `AI summary: ${x.aiSummary}` : e.sentence;
  const keywords = x?.keywords.length ? `Keywords: ${x.keywords.join(' · ')}` : null;
  const h = html`${t ? html`<a href="${e.url}"><img src="${t.mailUrl}" width="${THUMB_WIDTH}" height="${Math.round((t.height * THUMB_WIDTH) / Math.max(1, t.width))}" alt="" style="float:right;margin:0 0 6px 10px;border:1px solid #d0d7de;"></a>` : ''}<div style="font-size:16px;font-weight:bold;line-height:1.35;"><a class="pb-link" href="${e.url}" style="${linkStyle}">${n}. ${e.title}</a></div>
<div class="pb-muted" style="font-size:13px;color:#57606a;margin:2px 0 4px;">${authorLine(e.authors)} · ${votes}</div>
<div style="font-size:14px;">${line}</div>${keywords ? html`
<div class="pb-muted" style="font-size:13px;color:#57606a;margin:2px 0 0;">${keywords}</div>` : ''}`;
  const text = `${n}. ${e.title}\n   ${authorLine(e.authors)} · ${votes}\n   ${line}\n${keywords ? `   ${keywords}\n` : ''}   ${e.url}`;
  return { html: h, text };
}

export class DigestRenderer {
  private readonly cache = new Map<string, { html: SafeHtml; text: string }>();

  private entry(e: DigestEntry, n: number): { html: SafeHtml; text: string } {
    const key = `${n}:${e.id}`;
    let r = this.cache.get(key);
    if (!r) this.cache.set(key, (r = renderEntry(e, n)));
    if (!e.reason) return { html: html`<tr><td style="padding:0 0 18px;">${r.html}</td></tr>`, text: r.text };
    return {
      html: html`<tr><td style="padding:0 0 18px;">${r.html}
<div class="pb-muted" style="font-size:13px;font-style:italic;color:#57606a;margin:4px 0 0;">Why: ${e.reason}</div></td></tr>`,
      text: `${r.text}\n   Why: ${e.reason}`,
    };
  }

  render(input: DigestMailInput): { subject: string; text: string; html: string } {
    const subject = digestSubject(input.period);
    const heading = input.period.frequency === 'daily' ? `Trending on ${formatDay(input.period.date)}` : `Trending in the week to ${formatDay(input.period.date)}`;
    const followingUrl = `${input.siteUrl}${sitePaths.following()}`;
    const more = input.moreFollowing ?? 0;
    const sections = [
      { title: 'From what you follow', rows: input.following.map((e, i) => this.entry(e, i + 1)), more },
      { title: 'Top papers', rows: input.trending.map((e, i) => this.entry(e, i + 1)), more: 0 },
      { title: 'For you', rows: input.forYou.map((e, i) => this.entry(e, i + 1)), more: 0 },
    ].filter((s) => s.rows.length);
    const moreLine = (n: number) => `${n} more new paper${n === 1 ? '' : 's'} from what you follow`;
    const body = html`<h1 style="margin:0 0 16px;font-size:21px;">${heading}</h1>
${sections.map(
  (s) => html`<h2 style="margin:8px 0 12px;font-size:17px;">${s.title}</h2>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">${s.rows.map((r) => r.html)}</table>
${s.more ? html`<p style="margin:0 0 18px;font-size:14px;"><a class="pb-link" href="${followingUrl}" style="${linkStyle}">${moreLine(s.more)}</a> on your Following page</p>` : ''}`,
)}
<p style="margin:8px 0 0;"><a class="pb-link" href="${input.siteUrl}" style="${linkStyle}">See all papers on Paperboy</a></p>`;
    const footer = html`You get this because you subscribed to the ${input.period.frequency} digest.
<a class="pb-link" href="${input.unsubscribeUrl}" style="color:#57606a;text-decoration:underline;">Unsubscribe</a> with one click.`;
    const textParts = [heading, '='.repeat(heading.length), ''];
    for (const s of sections) {
      textParts.push(s.title, '-'.repeat(s.title.length), '', ...s.rows.map((r) => r.text + '\n'));
      if (s.more) textParts.push(`${moreLine(s.more)}: ${followingUrl}`, '');
    }
    textParts.push(`All papers: ${input.siteUrl}`, '', `Unsubscribe: ${input.unsubscribeUrl}`);
    const preheader = input.following[0]
      ? `New from what you follow: ${input.following[0].title}`
      : input.trending[0]
        ? `Top: ${input.trending[0].title}`
        : 'Papers picked for you';
    return { subject, text: textParts.join('\n'), html: mailShell({ title: subject, preheader, body, footer }) };
  }
}
