/** Why a reader reports a comment or a paper; the moderation queue groups reports by target. */
export const REPORT_REASONS = {
  spam: 'Spam or advertising',
  abuse: 'Harassment, hate or abuse',
  off_topic: 'Off-topic or not research',
  wrong_paper: 'Wrong or misleading paper details',
  other: 'Something else',
} as const;
export type ReportReason = keyof typeof REPORT_REASONS;
export const REPORT_REASON_KEYS = Object.keys(REPORT_REASONS) as ReportReason[];

export type ReportTarget = 'comment' | 'paper';
export type ReportStatus = 'open' | 'actioned' | 'dismissed';
/** What a moderator does with a report: act on its target, or dismiss it. */
export type ReportAction = 'hide_paper' | 'delete_comment' | 'ban_author' | 'dismiss';

export interface Report {
  id: number;
  reporterId: number;
  reporter: string;
  target: ReportTarget;
  targetId: string;
  reason: ReportReason;
  note: string | null;
  status: ReportStatus;
  createdAt: string;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

/** An open report with what it points at, for the queue. */
export interface QueuedReport extends Report {
  /** Paper title, or the comment's first words. */
  summary: string;
  /** The paper the target is on (itself for a paper). */
  paperId: string;
  /** The comment's author (comments only). */
  author: string | null;
  /** Open reports on the same target, this one included. */
  reportsOnTarget: number;
}
