import type { ArtifactKind, HubArtifact } from '../../domain/enrichment.ts';
import type { Paper } from '../../domain/paper.ts';
import type { Store } from '../../store/store.ts';
import type { EnrichmentStep, StepOutcome } from './step.ts';
import { boundedJson, fetchWithin, retryAfterOf, unreachable } from './http.ts';

export interface HubArtifactsOptions {
  hubUrl: string;
  token?: string;
  refreshMs: number;
  timeoutMs: number;
}

const LISTS: Array<[ArtifactKind, string]> = [
  ['model', 'models'],
  ['dataset', 'datasets'],
  ['space', 'spaces'],
];
/** Per list: popular papers are cited by hundreds of models; the page shows the most liked. */
const PAGE_LIMIT = 100;
const MAX_PAGES = 3;
const MAX_BODY = 4_000_000;
/** Hub repository ids: `owner/name` (or a bare legacy name), letters, digits, `-`, `_`, `.`. */
const HUB_ID = /^(?:[\w][\w.-]{0,95}\/)?[\w][\w.-]{0,95}$/;

/** The `next` URL of a `Link` header, only when it stays on the hub. */
function nextPage(link: string | null, hub: URL): string | null {
  const m = link && /<([^>]+)>\s*;\s*rel="?next"?/i.exec(link);
  if (!m) return null;
  try {
    const u = new URL(m[1], hub);
    return u.origin === hub.origin ? u.href : null;
  } catch {
    return null;
  }
}

/** One listed repository as an artifact, or null when it is not one (bad id, private). */
function artifactOf(kind: ArtifactKind, v: unknown): HubArtifact | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  const id = typeof o.id === 'string' ? o.id : typeof o.modelId === 'string' ? o.modelId : null;
  if (!id || !HUB_ID.test(id) || id.includes('..') || o.private === true) return null;
  const count = (x: unknown) => (typeof x === 'number' && Number.isSafeInteger(x) && x >= 0 ? x : null);
  const detailRaw = kind === 'model' ? o.pipeline_tag : kind === 'space' ? o.sdk : null;
  return { kind, id, likes: count(o.likes) ?? 0, downloads: count(o.downloads), detail: typeof detailRaw === 'string' ? detailRaw.slice(0, 40) : null };
}

/**
 * Hugging Face models, datasets and Spaces that cite the paper (issue 17): the hub tags a
 * repository `arxiv:<id>` when its card links the paper, and lists them with
 * `GET /api/{models,datasets,spaces}?filter=arxiv:<id>` (paged by a `Link: <…>; rel="next"` header).
 */
export class HubArtifactsStep implements EnrichmentStep {
  readonly name = 'artifacts';
  readonly version = 1;
  readonly host: string;
  readonly refreshMs: number;
  private readonly hub: URL;

  constructor(
    private readonly store: Store,
    private readonly opts: HubArtifactsOptions,
  ) {
    this.hub = new URL(opts.hubUrl);
    this.host = this.hub.host;
    this.refreshMs = opts.refreshMs;
  }

  async run(paper: Paper, signal: AbortSignal): Promise<StepOutcome> {
    if (paper.source !== 'arxiv') return { status: 'skipped', reason: 'the hub links arXiv papers only' };
    const found: HubArtifact[] = [];
    const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Paperboy (self-hosted Daily Papers)' };
    if (this.opts.token) headers.authorization = `Bearer ${this.opts.token}`;
    for (const [kind, path] of LISTS) {
      const first = new URL(`api/${path}`, this.hub.href.endsWith('/') ? this.hub : new URL(this.hub.href + '/'));
      first.searchParams.set('filter', `arxiv:${paper.id}`);
      first.searchParams.set('limit', String(PAGE_LIMIT));
      let url: string | null = first.href;
      for (let page = 0; url && page < MAX_PAGES; page++) {
        let res: Response;
        try {
          res = await fetchWithin(url, { headers, timeoutMs: this.opts.timeoutMs, signal });
        } catch (err) {
          return unreachable(err, 'The Hugging Face hub', this.opts.timeoutMs, signal);
        }
        if (res.status === 429 || res.status >= 500) {
          await res.body?.cancel();
          return { status: 'failed', reason: `the hub answered ${res.status} listing ${path}`, retryAfterMs: retryAfterOf(res) };
        }
        if (res.status !== 200) {
          await res.body?.cancel();
          // 400 (a filter the hub does not take), 401, 404: asking again will not help.
          return { status: 'failed', reason: `the hub answered ${res.status} listing ${path}`, permanent: res.status === 400 || res.status === 404 };
        }
        const body = await boundedJson(res, MAX_BODY);
        if (!Array.isArray(body)) return { status: 'failed', reason: `the hub's ${path} list was not a JSON array` };
        for (const item of body) {
          const a = artifactOf(kind, item);
          if (a && !found.some((f) => f.kind === a.kind && f.id === a.id)) found.push(a);
        }
        url = nextPage(res.headers.get('link'), this.hub);
      }
    }
    await this.store.enrichment.replaceArtifacts(paper.id, found);
    const n = (k: ArtifactKind) => found.filter((a) => a.kind === k).length;
    return { status: 'done', detail: `${n('model')} models, ${n('dataset')} datasets, ${n('space')} Spaces` };
  }
}
