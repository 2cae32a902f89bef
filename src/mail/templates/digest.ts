import { html, type SafeHtml } from '../html.ts';
import { linkStyle, mailShell } from './shared.ts';
import { formatDay, type DigestPeriod } from '../../domain/digest-period.ts';

/** One paper as a digest shows it. */
export interface DigestEntry {
  id: string;
  title: string;
  authors: string[];
  sentence: string;
  upvotes: number;
  url: string;
}

export interface DigestMailInput {
  period: DigestPeriod;
  trending: DigestEntry[];
  picks: DigestEntry[];
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
 * result by paper id (`DigestRenderer`); only the picks and the unsubscribe link differ.
 */
export function renderEntry(e: DigestEntry, n: number): { html: SafeHtml; text: string } {
  const votes = `▲ ${e.upvotes} upvote${e.upvotes === 1 ? '' : 's'}`;
  const h = html`<tr><td style="padding:0 0 18px;">
<div style="font-size:16px;font-weight:bold;line-height:1.35;"><a class="pb-link" href="${e.url}" style="${linkStyle}">${n}. ${e.title}</a></div>
<div class="pb-muted" style="font-size:13px;color:#57606a;margin:2px 0 4px;">${authorLine(e.authors)} · ${votes}</div>
<div style="font-size:14px;">${e.sentence}</div>
</td></tr>`;
  const text = `${n}. ${e.title}\n   ${authorLine(e.authors)} · ${votes}\n   ${e.sentence}\n   ${e.url}`;
  return { html: h, text };
}

export class DigestRenderer {
  private readonly cache = new Map<string, { html: SafeHtml; text: string }>();

  private entry(e: DigestEntry, n: number) {
    const key = `${n}:${e.id}`;
    let r = this.cache.get(key);
    if (!r) this.cache.set(key, (r = renderEntry(e, n)));
    return r;
  }

  render(input: DigestMailInput): { subject: string; text: string; html: string } {
    const subject = digestSubject(input.period);
    const heading = input.period.frequency === 'daily' ? `Trending on ${formatDay(input.period.date)}` : `Trending in the week to ${formatDay(input.period.date)}`;
    const trending = input.trending.map((e, i) => this.entry(e, i + 1));
    const picks = input.picks.map((e, i) => this.entry(e, i + 1));
    const section = (title: string, rows: { html: SafeHtml }[]) =>
      rows.length
        ? html`<h2 style="margin:8px 0 12px;font-size:17px;">${title}</h2>
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">${rows.map((r) => r.html)}</table>`
        : html``;
    const body = html`<h1 style="margin:0 0 16px;font-size:21px;">${heading}</h1>
${section('Top papers', trending)}
${section('Picked for you', picks)}
<p style="margin:8px 0 0;"><a class="pb-link" href="${input.siteUrl}" style="${linkStyle}">See all papers on Paperboy</a></p>`;
    const footer = html`You get this because you subscribed to the ${input.period.frequency} digest.
<a class="pb-link" href="${input.unsubscribeUrl}" style="color:#57606a;text-decoration:underline;">Unsubscribe</a> with one click.`;
    const textParts = [heading, '='.repeat(heading.length), '', 'Top papers', '', ...trending.map((r) => r.text + '\n')];
    if (picks.length) textParts.push('Picked for you', '', ...picks.map((r) => r.text + '\n'));
    textParts.push(`All papers: ${input.siteUrl}`, '', `Unsubscribe: ${input.unsubscribeUrl}`);
    const preheader = input.trending[0] ? `Top: ${input.trending[0].title}` : 'Papers picked for you';
    return { subject, text: textParts.join('\n'), html: mailShell({ title: subject, preheader, body, footer }) };
  }
}
