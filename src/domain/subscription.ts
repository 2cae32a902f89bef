/** A mail subscription: who gets which digest. */
export type Frequency = 'daily' | 'weekly';
export const FREQUENCIES: readonly Frequency[] = ['daily', 'weekly'];

/** `pending` until the confirm link is clicked; `paused` after repeated permanent delivery failures. */
export type SubscriptionStatus = 'pending' | 'active' | 'unsubscribed' | 'paused';

export interface Subscription {
  id: number;
  email: string;
  userId: number | null;
  frequency: Frequency;
  /** arXiv categories (`cs.LG`) or archives (`cs`); empty means every category. */
  categories: string[];
  personalPicks: boolean;
  status: SubscriptionStatus;
  bounces: number;
  createdAt: string;
  confirmedAt: string | null;
  confirmSentAt: string | null;
  unsubscribedAt: string | null;
}

/** Addresses compare case-insensitively (in practice every provider treats the local part so too). */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A category filter entry: `cs.LG`, `math.AG`, `hep-th`, or a whole archive such as `cs`. */
export const CATEGORY_PATTERN = /^[a-z][a-z-]{0,15}(\.[A-Za-z-]{1,15})?$/;

/** Whether a paper's categories pass a subscriber's filter (`cs` matches every `cs.*`). */
export function matchesCategories(paperCategories: readonly string[], filter: readonly string[]): boolean {
  if (!filter.length) return true;
  return paperCategories.some((c) => filter.some((f) => c === f || c.startsWith(`${f}.`)));
}
