import type { Paper } from '../../domain/paper.ts';
import { modelVersion, parseTldr, tldrMessages } from '../../domain/tldr.ts';
import type { Store } from '../../store/store.ts';
import type { EnrichmentStep, StepOutcome } from './step.ts';
import { boundedJson, fetchWithin, retryAfterOf, unreachable } from './http.ts';

export interface SummaryStepOptions {
  /** OpenAI-compatible server: `http://host:8000`, `…/v1` or `…/v1/chat/completions` all work. */
  llmUrl: string;
  model: string;
  apiKey?: string;
  dailyCalls: number;
  timeoutMs: number;
  maxAbstractChars: number;
  now?: () => number;
}

const MAX_BODY = 200_000;

/** `http://h:8000`, `http://h:8000/v1`, `…/v1/chat/completions` → the chat completions URL. */
export function chatCompletionsUrl(base: string): string {
  const trimmed = base.replace(/\/+$/, '').replace(/\/chat\/completions$/, '').replace(/\/v1$/, '');
  return `${trimmed}/v1/chat/completions`;
}

/** Milliseconds until the next UTC midnight, when the daily cap starts again. */
function untilNextUtcDay(now: number): number {
  const d = new Date(now);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1) - now;
}

/** Connection errors that mean the request never reached the server (refused, no such host, unreachable). */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether `fetch` failed before the request could reach the LLM (so it cannot have done the work). */
function neverConnected(err: unknown): boolean {
  const cause = (err as { cause?: { code?: unknown; errors?: Array<{ code?: unknown }> } } | null)?.cause;
  if (typeof cause?.code === 'string') return NOT_SENT.has(cause.code);
  // Node reports a refused dual-stack connect (localhost: ::1 and 127.0.0.1) as an AggregateError of each attempt's error.
  return Array.isArray(cause?.errors) && cause.errors.length > 0 && cause.errors.every((e) => typeof e?.code === 'string' && NOT_SENT.has(e.code));
}

/**
 * TL;DR and keywords by an LLM (issue 17): two sentences and up to 8 keywords per paper, kept with
 * the model's name. The step's version follows the model, so a new model writes them again; a
 * paper already summarised by this model is not sent twice. Calls are counted per UTC day in the
 * store (shared by every process) against `dailyCalls`. Answers that are not JSON, empty or too
 * long, and timeouts, are failures with their reason; nothing is stored for them.
 *
 * What the cap counts: a call is taken before the request (so two processes cannot both send the
 * last one) and kept when the LLM may have done the work — any 200 answer, garbage included, and a
 * timeout (the server may finish, and bill, after we stop waiting). A call the LLM did not do is
 * given back: an error status (429, 5xx, 401: no completion was produced) or a connection that
 * never opened. So a retry after such a transient failure spends one call for the paper, not two.
 */
export class LlmSummaryStep implements EnrichmentStep {
  readonly name = 'summary';
  readonly version: number;
  readonly host: string;
  private readonly url: string;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly opts: SummaryStepOptions,
  ) {
    this.url = chatCompletionsUrl(opts.llmUrl);
    this.host = new URL(this.url).host;
    this.version = modelVersion(opts.model);
    this.now = opts.now ?? Date.now;
  }

  async run(paper: Paper, signal: AbortSignal): Promise<StepOutcome> {
    if (!paper.abstract.trim()) return { status: 'skipped', reason: 'no abstract to summarise' };
    if ((await this.store.enrichment.summaryModel(paper.id)) === this.opts.model) return { status: 'done', detail: `already summarised by ${this.opts.model}` };
    const now = this.now();
    const day = new Date(now).toISOString().slice(0, 10);
    if (!(await this.store.enrichment.takeLlmCall(day, this.opts.dailyCalls))) {
      return { status: 'failed', reason: `daily LLM cap of ${this.opts.dailyCalls} calls reached`, retryAfterMs: untilNextUtcDay(now) };
    }
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.opts.apiKey) headers.authorization = `Bearer ${this.opts.apiKey}`;
    const body = { model: this.opts.model, messages: tldrMessages(paper.title, paper.abstract, this.opts.maxAbstractChars), temperature: 0, max_tokens: 400, response_format: { type: 'json_object' } };
    let res: Response;
    try {
      res = await fetchWithin(this.url, { method: 'POST', headers, body: JSON.stringify(body), timeoutMs: this.opts.timeoutMs, signal });
    } catch (err) {
      if (neverConnected(err)) await this.store.enrichment.giveBackLlmCall(day);
      return unreachable(err, 'The LLM', this.opts.timeoutMs, signal);
    }
    if (res.status !== 200) {
      await res.body?.cancel().catch(() => {});
      await this.store.enrichment.giveBackLlmCall(day);
      const permanent = res.status === 400 || res.status === 413 || res.status === 422;
      return { status: 'failed', reason: `the LLM answered ${res.status}`, retryAfterMs: retryAfterOf(res), permanent: permanent || undefined };
    }
    let answer: unknown;
    try {
      answer = await boundedJson(res, MAX_BODY);
    } catch (err) {
      return unreachable(err, 'The LLM', this.opts.timeoutMs, signal);
    }
    const content = (answer as { choices?: Array<{ message?: { content?: unknown } }> } | undefined)?.choices?.[0]?.message?.content;
    if (answer === undefined) return { status: 'failed', reason: 'the LLM server answered something that is not JSON (or too large)' };
    const parsed = parseTldr(content);
    if (!parsed.ok) return { status: 'failed', reason: `unusable LLM answer: ${parsed.reason}` };
    await this.store.enrichment.saveSummary(paper.id, parsed.tldr, parsed.keywords, this.opts.model);
    return { status: 'done', detail: `TL;DR and ${parsed.keywords.length} keywords by ${this.opts.model}` };
  }
}
