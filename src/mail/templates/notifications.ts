import { html } from '../html.ts';
import { linkStyle, mailShell } from './shared.ts';
import { KIND_LABELS, notificationText, type Notification } from '../../domain/notification.ts';
import { sitePaths } from '../../domain/site-paths.ts';

export interface NotificationMailInput {
  username: string;
  notifications: Notification[];
  siteUrl: string;
  unsubscribeUrl: string;
  settingsUrl: string;
}

/** Where a notification leads: the comment on the paper's page, the paper, or the inbox. */
export function notificationHref(n: Pick<Notification, 'paperId' | 'commentId'>): string {
  if (n.paperId && n.commentId) return `${sitePaths.paper(n.paperId)}#comment-${n.commentId}`;
  if (n.paperId) return sitePaths.paper(n.paperId);
  return sitePaths.notifications();
}

/** One mail for a batch of notifications (at most one an hour), newest first. */
export function notificationMail(input: NotificationMailInput): { subject: string; text: string; html: string } {
  const ns = input.notifications;
  const subject = ns.length === 1 ? notificationText(ns[0]) : `${ns.length} new notifications on Paperboy`;
  const lines = ns.map((n) => `- ${notificationText(n)}${n.excerpt ? `\n  “${n.excerpt}”` : ''}\n  ${input.siteUrl}${notificationHref(n)}`);
  const text = [
    `Hello ${input.username},`,
    '',
    ...lines,
    '',
    `All your notifications: ${input.siteUrl}${sitePaths.notifications()}`,
    `Choose which notifications are mailed: ${input.settingsUrl}`,
    `Stop mails about ${[...new Set(ns.map((n) => KIND_LABELS[n.kind].toLowerCase()))].join('; ')}: ${input.unsubscribeUrl}`,
  ].join('\n');
  const body = html`<p style="margin:0 0 12px;">Hello ${input.username},</p>
${ns.map(
  (n) => html`<p style="margin:0 0 12px;"><a class="pb-link" style="${linkStyle}" href="${input.siteUrl}${notificationHref(n)}">${notificationText(n)}</a>${
    n.excerpt ? html`<br><span class="pb-muted" style="color:#57606a;">“${n.excerpt}”</span>` : ''
  }</p>`,
)}
<p style="margin:16px 0 0;"><a class="pb-link" style="${linkStyle}" href="${input.siteUrl}/notifications">All your notifications</a></p>`;
  const footer = html`You get this mail because you asked for notification mail on Paperboy (at most one an hour).
<a class="pb-link" style="${linkStyle}" href="${input.settingsUrl}">Choose which</a> ·
<a class="pb-link" style="${linkStyle}" href="${input.unsubscribeUrl}">Unsubscribe</a>`;
  return { subject, text, html: mailShell({ title: subject, preheader: subject, body, footer }) };
}
