import type { Config } from '../config.ts';
import { parseArxivId } from '../domain/arxiv-id.ts';
import type { User } from '../domain/community.ts';
import type { Paper, PaperWithStats } from '../domain/paper.ts';
import type { Store } from '../store/store.ts';
import { ServiceError } from './errors.ts';

/** What submissions need from the arXiv API client (`ArxivApiClient` satisfies it). */
export interface PaperLookup {
  fetchByIds(ids: string[]): Promise<Paper[]>;
}

/** What a reader is told when arXiv is slow, unreachable or failing: plain words, no host or stack. */
export const ARXIV_DID_NOT_ANSWER = 'arXiv did not answer; try again in a few minutes';

export interface Submitted {
  paper: PaperWithStats;
  day: string;
}

const DAY_MS = 86_400_000;

/**
 * Puts a paper on today's feed at a member's request. The rules, checked in this order, each with
 * its own message: a valid arXiv id; the daily quota; not already on the feed; known to arXiv;
 * first version at most `submissionMaxAgeDays` old.
 */
export class SubmissionService {
  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly lookup: PaperLookup,
    /** The longest a look-up may take before the reader is answered (the look-up may go on in the background). */
    private readonly lookupDeadlineMs: number = config.arxivLookupTimeoutMs,
    private readonly onLookupError: (err: Error) => void = () => {},
  ) {}

  /**
   * The look-up, answered within `lookupDeadlineMs` whatever arXiv does: a slow or unreachable
   * arXiv becomes ARXIV_DID_NOT_ANSWER (the cause goes to the log, not to the reader); an id arXiv
   * itself refuses becomes "arXiv has no paper".
   */
  private async lookUp(id: string): Promise<Paper[]> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`arXiv look-up of ${id} took longer than ${this.lookupDeadlineMs} ms`)), this.lookupDeadlineMs);
    });
    try {
      return await Promise.race([this.lookup.fetchByIds([id]), late]);
    } catch (err) {
      this.onLookupError(err as Error);
      if ((err as { id?: string }).id) throw new ServiceError(404, 'not_on_arxiv', `arXiv has no paper ${id}`);
      throw new ServiceError(503, 'arxiv_unavailable', ARXIV_DID_NOT_ANSWER, 120);
    } finally {
      clearTimeout(timer);
    }
  }

  async submit(user: User, rawId: string, now = new Date()): Promise<Submitted> {
    const parsed = parseArxivId(String(rawId ?? ''));
    if (!parsed) throw new ServiceError(400, 'invalid_arxiv_id', `"${String(rawId).slice(0, 100)}" is not an arXiv id (expected e.g. 2401.01234, 2401.01234v2 or hep-th/9901001)`);
    const id = parsed.id;
    const day = now.toISOString().slice(0, 10);

    // A slot of the day's quota is taken atomically up front (a counter row that refuses to pass
    // the quota), and given back when the submission fails, so concurrent submissions cannot all
    // see "none used yet".
    const quota = this.config.submissionDailyQuota;
    if (!(await this.store.submissionQuota.take(user.id, day, quota))) {
      throw new ServiceError(429, 'quota_exceeded', `you have used your daily quota of ${quota} submission${quota === 1 ? '' : 's'}; try again tomorrow (UTC)`);
    }
    try {
      return await this.submitWithSlot(user, id, day, now);
    } catch (err) {
      await this.store.submissionQuota.give(user.id, day);
      throw err;
    }
  }

  private async submitWithSlot(user: User, id: string, day: string, now: Date): Promise<Submitted> {
    const entry = await this.store.feed.entryFor(id);
    if (entry) throw new ServiceError(409, 'already_on_feed', `paper ${id} is already on the feed (${entry.day})`);

    let paper: Paper | null = await this.store.papers.get(id);
    let fetched = false;
    if (!paper) {
      const found = await this.lookUp(id);
      paper = found.find((p) => p.id === id) ?? null;
      if (!paper) throw new ServiceError(404, 'not_on_arxiv', `arXiv has no paper ${id}`);
      fetched = true;
    }

    const published = paper.publishedAt ? Date.parse(paper.publishedAt) : NaN;
    if (!Number.isFinite(published)) throw new ServiceError(422, 'too_old', `paper ${id} has no known first-version date, so it cannot be submitted`);
    const ageDays = Math.floor((now.getTime() - published) / DAY_MS);
    if (ageDays > this.config.submissionMaxAgeDays) {
      throw new ServiceError(422, 'too_old', `paper ${id} was first published ${paper.publishedAt!.slice(0, 10)} (${ageDays} days ago); only papers at most ${this.config.submissionMaxAgeDays} days old can be submitted`);
    }

    const added = await this.store.transaction(async (tx) => {
      if (fetched) await tx.papers.upsertMany([paper!]);
      return tx.feed.addMany([{ paperId: id, day, submittedBy: user.username }]);
    });
    if (!added) throw new ServiceError(409, 'already_on_feed', `paper ${id} is already on the feed`);
    return { paper: (await this.store.papers.get(id))!, day };
  }
}
