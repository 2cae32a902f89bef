import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';
import { visiblePaperOr404 } from './papers.ts';

export interface SeenState {
  paperId: string;
  seen: boolean;
}

/** A reader's read state: papers they opened or marked seen; "not seen" forgets either. */
export class ReadStateService {
  constructor(private readonly store: Store) {}

  async set(userId: number, paperId: string, seen: boolean): Promise<SeenState> {
    // eslint-disable-next-line no-control-regex
    if (!paperId || paperId.length > 200 || /[\u0000-\u001f]/.test(paperId)) throw new ServiceError(400, 'invalid_request', 'that is not a paper id');
    await visiblePaperOr404(this.store, paperId);
    if (seen) await this.store.reads.markSeen(userId, paperId, 'marked');
    else await this.store.reads.markUnseen(userId, paperId);
    return { paperId, seen };
  }

  /** Which of these papers the reader has seen (for dimming feed cards). */
  seenAmong(userId: number, paperIds: readonly string[]): Promise<Set<string>> {
    return this.store.reads.seenAmong(userId, [...paperIds]);
  }

  /** Opening a paper page while signed in. */
  opened(userId: number, paperId: string): Promise<void> {
    return this.store.reads.markSeen(userId, paperId, 'opened');
  }
}
