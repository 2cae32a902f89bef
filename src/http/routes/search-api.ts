import { Hono } from 'hono';
import { z } from 'zod';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { notFound } from '../errors.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { SearchQuery, SearchResultSchema, SimilarPaperSchema, SimilarQuery } from '../schemas/search.ts';
import { presentSearchResult, presentSimilar } from '../presenters/search.ts';
import { paperIdFromPath } from '../params.ts';
import { listEnrichments } from '../list-enrichments.ts';
import { pageDependsOn, paperDep, VOTES_DEP } from '../page-deps.ts';

/** Search and similar papers. Registered before `/api/papers/{id}`, which would take "search" for an id. */
export function searchApiRoutes() {
  const app = new Hono<AppEnv>();

  apiRoute(
    app,
    {
      method: 'get',
      path: '/api/papers/search',
      summary: 'Search papers: words, "phrases", -excluded, author:, category:, from:/to:, sort:; an arXiv id or URL returns that paper',
      tags: ['search'],
      query: SearchQuery,
      response: z.array(SearchResultSchema),
      errors: { 400: 'bad limit, date, category or sort' },
    },
    async (c, { query }) => {
      const res = await c.var.services.search.search(query);
      if (res.paperId) c.header('X-Paperboy-Paper', res.paperId);
      // Keyword results standing in for a failed or late embedder: the next request tries again.
      if (res.degraded) c.header('Cache-Control', 'no-store');
      const enriched = await listEnrichments(c, res.results.map((r) => r.paper.id));
      // Each result carries its vote count; sorted by votes, any vote can change which papers are listed.
      pageDependsOn(c, [...res.results.map((r) => paperDep(r.paper.id)), ...((query.sort ?? res.query.sort) === 'upvotes' ? [VOTES_DEP] : [])]);
      return res.results.map((r) => presentSearchResult(r, enriched(r.paper.id)));
    },
  );

  apiRoute(
    app,
    {
      method: 'get',
      path: '/api/papers/{id}/similar',
      summary: 'Papers similar to this one (vector and keyword neighbours)',
      tags: ['search'],
      params: PaperIdParams,
      query: SimilarQuery,
      response: z.array(SimilarPaperSchema),
      errors: { 400: 'not a paper id or bad limit', 404: 'no such paper' },
    },
    async (c, { params, query }) => {
      const id = paperIdFromPath(params.id);
      const similar = await c.var.services.search.similar(id, query.limit);
      if (!similar) throw notFound(`paper ${id}`);
      const enriched = await listEnrichments(c, similar.map((r) => r.paper.id));
      return similar.map((r) => presentSimilar(r, enriched(r.paper.id)));
    },
  );

  return app;
}
