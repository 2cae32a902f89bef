import type { Paper } from '../../domain/paper.ts';
import type { Store } from '../../store/store.ts';
import type { EnrichmentStep, StepOutcome } from './step.ts';
import { boundedJson, fetchWithin, retryAfterOf, unreachable } from './http.ts';

export interface StarsStepOptions {
  apiUrl: string;
  token?: string;
  refreshMs: number;
  timeoutMs: number;
  now?: () => number;
}

/** A repository answer is a few kB; more is not GitHub. */
const MAX_BODY = 1_000_000;

/**
 * GitHub stars of the paper's repository (issue 17), from `GET /repos/{owner}/{repo}`:
 * - conditional on the stored ETag: a 304 keeps the count (and does not count against the limit);
 * - rate limits: `x-ratelimit-remaining: 0` with `x-ratelimit-reset`, and 403/429 secondary limits
 *   with `Retry-After`, give `retryAfterMs`, and the step asks nothing more of GitHub until then;
 * - 404 (and 451, a takedown) is permanent: the repository is recorded as missing, no stars shown.
 * Stars are kept per repository: papers sharing one are refreshed by one request a day.
 */
export class GithubStarsStep implements EnrichmentStep {
  readonly name = 'stars';
  readonly version = 1;
  readonly after = ['code'] as const;
  readonly host: string;
  readonly refreshMs: number;
  /** Until when GitHub told us to wait (rate limit), for every repository. */
  private blockedUntil = 0;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly opts: StarsStepOptions,
  ) {
    this.host = new URL(opts.apiUrl).host;
    this.refreshMs = opts.refreshMs;
    this.now = opts.now ?? Date.now;
  }

  async run(paper: Paper, signal: AbortSignal): Promise<StepOutcome> {
    const repo = await this.store.enrichment.githubRepoOf(paper.id);
    if (!repo) return { status: 'skipped', reason: 'no GitHub repository among the code links' };
    const now = this.now();
    if (this.blockedUntil > now) return { status: 'failed', reason: 'GitHub rate limit: waiting for its reset', retryAfterMs: this.blockedUntil - now };
    const known = await this.store.enrichment.repo(repo);
    // Another paper linking the same repository refreshed it recently: nothing to ask.
    if (known && now - Date.parse(known.checkedAt) < this.refreshMs / 2) {
      return known.status === 'missing' ? { status: 'failed', reason: `GitHub has no repository ${repo} (404)`, permanent: true } : { status: 'done', detail: `${known.stars} stars (checked for another paper)` };
    }
    const headers: Record<string, string> = { accept: 'application/vnd.github+json', 'x-github-api-version': '2022-11-28', 'user-agent': 'Paperboy (self-hosted Daily Papers)' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    if (known?.status === 'ok' && known.etag) headers['if-none-match'] = known.etag;
    const [owner, name] = repo.split('/');
    const url = `${this.opts.apiUrl.replace(/\/+$/, '')}/repos/${encodeURIComponent(owner)}/${encodeURIComponent(name)}`;
    let res: Response;
    try {
      res = await fetchWithin(url, { headers, timeoutMs: this.opts.timeoutMs, signal });
    } catch (err) {
      return unreachable(err, 'GitHub', this.opts.timeoutMs, signal);
    }
    const checkedAt = new Date(this.now()).toISOString();
    const remaining = res.headers.get('x-ratelimit-remaining');
    const resetMs = Number(res.headers.get('x-ratelimit-reset')) * 1000;
    const untilReset = Number.isFinite(resetMs) && resetMs > 0 ? Math.max(1000, resetMs - this.now()) : undefined;
    // The last request of the window succeeded: the next one would be refused, so wait now.
    if (remaining === '0' && untilReset !== undefined) this.blockedUntil = this.now() + untilReset;

    if (res.status === 304) {
      await res.body?.cancel();
      await this.store.enrichment.touchRepo(repo, checkedAt);
      return { status: 'done', detail: `${known?.stars ?? '?'} stars (not modified)` };
    }
    if (res.status === 200) {
      const body = (await boundedJson(res, MAX_BODY)) as Record<string, unknown> | undefined;
      const stars = body?.stargazers_count;
      if (!body || typeof stars !== 'number' || !Number.isSafeInteger(stars) || stars < 0) return { status: 'failed', reason: 'GitHub answered 200 without a star count' };
      const fullName = typeof body.full_name === 'string' && /^[\w.-]+\/[\w.-]+$/.test(body.full_name) ? body.full_name : null;
      const description = typeof body.description === 'string' ? body.description.slice(0, 500) : null;
      await this.store.enrichment.saveRepo({ repo, fullName, stars, description, etag: res.headers.get('etag'), status: 'ok', checkedAt });
      return { status: 'done', detail: `${stars} stars` };
    }
    await res.body?.cancel();
    if (res.status === 404 || res.status === 410 || res.status === 451) {
      await this.store.enrichment.saveRepo({ repo, fullName: null, stars: null, description: null, etag: null, status: 'missing', checkedAt });
      return { status: 'failed', reason: `GitHub has no repository ${repo} (${res.status})`, permanent: true };
    }
    if (res.status === 403 || res.status === 429) {
      // Secondary limits say Retry-After; the primary one says remaining 0 and when it resets.
      const wait = retryAfterOf(res, this.now()) ?? (remaining === '0' ? untilReset : undefined);
      if (wait !== undefined) {
        this.blockedUntil = this.now() + wait;
        return { status: 'failed', reason: `GitHub rate limit (${res.status})`, retryAfterMs: wait };
      }
      // GitHub's advice for a secondary limit without either header: wait at least a minute.
      this.blockedUntil = this.now() + 60_000;
      return { status: 'failed', reason: `GitHub refused the request (${res.status})`, retryAfterMs: 60_000 };
    }
    return { status: 'failed', reason: `GitHub answered ${res.status}`, retryAfterMs: retryAfterOf(res, this.now()) };
  }
}
