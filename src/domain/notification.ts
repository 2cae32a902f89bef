/**
 * Notifications: what tells a reader that someone answered, mentioned them, talked about a paper
 * they care about, decided their claim, or put their submission in the day's top 10.
 */
export const NOTIFICATION_KINDS = ['reply', 'mention', 'comment', 'claim_decided', 'top10'] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

export const isNotificationKind = (s: string): s is NotificationKind => (NOTIFICATION_KINDS as readonly string[]).includes(s);

/** Kinds as an unsubscribe link names them: known ones, each once, in the one order (so the signature is of one text). */
export function kindsParam(kinds: readonly NotificationKind[]): string {
  return NOTIFICATION_KINDS.filter((k) => kinds.includes(k)).join(',');
}

/** The kinds a link's `k=` names; null when it names none or anything unknown (the link is then refused). */
export function parseKindsParam(raw: string): NotificationKind[] | null {
  if (!raw || raw.length > 200) return null;
  const parts = raw.split(',');
  if (!parts.every(isNotificationKind)) return null;
  return NOTIFICATION_KINDS.filter((k) => parts.includes(k));
}

/** What each kind is, for the settings page and the mail. */
export const KIND_LABELS: Record<NotificationKind, string> = {
  reply: 'Replies to your comments',
  mention: 'Mentions of you (@name) in comments',
  comment: 'New comments on papers you submitted, upvoted or follow',
  claim_decided: 'Decisions on your authorship claims',
  top10: "Your submission reaching the day's top 10",
};

export interface Notification {
  id: number;
  kind: NotificationKind;
  createdAt: string;
  readAt: string | null;
  actor: string | null;
  paperId: string | null;
  paperTitle: string | null;
  commentId: number | null;
  /** The comment's text, shortened (empty when there is no comment). */
  excerpt: string;
  detail: Record<string, unknown>;
}

/** The sentence a notification says, without markup (views and mails escape it). */
export function notificationText(n: Pick<Notification, 'kind' | 'actor' | 'paperTitle' | 'detail'>): string {
  const who = n.actor ?? 'Someone';
  const paper = n.paperTitle ? `“${n.paperTitle}”` : 'a paper';
  switch (n.kind) {
    case 'reply':
      return `${who} replied to your comment on ${paper}`;
    case 'mention':
      return `${who} mentioned you in a comment on ${paper}`;
    case 'comment':
      return `${who} commented on ${paper}`;
    case 'claim_decided': {
      if (n.detail.outcome === 'revoked') return `Your verified authorship of ${paper} was revoked by a moderator`;
      const outcome = n.detail.outcome === 'approved' ? 'approved' : 'refused';
      return `Your authorship claim on ${paper} was ${outcome}`;
    }
    case 'top10': {
      const rank = typeof n.detail.rank === 'number' ? ` (#${n.detail.rank})` : '';
      return `Your submission ${paper} reached the day's top 10${rank}`;
    }
  }
}

/** Mentions a comment may make that notify; more are shown as links but mention nobody. */
export const MAX_MENTIONS = 10;

/**
 * `@name` as a mention: not inside a word or an address (`a@b.org`), and a name that could be a
 * username (USERNAME_PATTERN: 3 to 32 letters, digits, `_`, `-`).
 */
export const MENTION_PATTERN = /(?<![\w@./-])@([A-Za-z0-9_-]{3,32})(?![\w-])/g;

/**
 * The names a comment's text mentions, in order, once each (lower-cased), skipping code spans and
 * fenced code, where `@name` is not a mention. A superset check is fine here: the renderer decides
 * what becomes a link, and only names of existing accounts are ever looked at.
 */
export function mentionedNames(text: string): string[] {
  const withoutCode = text.replace(/(`{3,}|~{3,})[\s\S]*?(\1|$)/g, ' ').replace(/`[^`\n]*`/g, ' ');
  const out = new Set<string>();
  for (const m of withoutCode.matchAll(MENTION_PATTERN)) {
    out.add(m[1].toLowerCase());
    if (out.size >= 50) break;
  }
  return [...out];
}

/** The comment's text as a short excerpt for a notification list or mail. */
export function excerptOf(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** At most one notification mail per reader per this long. */
export const MAIL_INTERVAL_MS = 3600_000;

/** Whether a reader last mailed at `lastMailedAt` may get another mail at `now`. */
export function mailDue(lastMailedAt: string | null, now: Date): boolean {
  return lastMailedAt === null || now.getTime() - Date.parse(lastMailedAt) >= MAIL_INTERVAL_MS;
}
