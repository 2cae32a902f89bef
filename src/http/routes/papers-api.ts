import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { canonicalPaperId } from '../../domain/arxiv-id.ts';
import { ApiError } from '../errors.ts';
import { presentPaper } from '../presenters/paper.ts';
import { PaperSchema } from '../schemas/paper.ts';
import { PaperIdParams } from '../schemas/common.ts';

/** Resolves a path id to its canonical form, or answers 400 naming the id. */
export function paperIdFromPath(raw: string): string {
  const id = canonicalPaperId(raw);
  if (!id) throw new ApiError(400, 'bad_paper_id', `"${raw}" is not a paper id (expected e.g. 2401.01234, hep-th/9901001 or source:id)`);
  return id;
}

export function paperApiRoutes() {
  const app = new Hono<AppEnv>();

  apiRoute(
    app,
    { method: 'get', path: '/api/papers/{id}', summary: 'One paper', tags: ['papers'], params: PaperIdParams, response: PaperSchema, errors: { 400: 'not a paper id', 404: 'no such paper' } },
    async (c, { params }) => {
      const id = paperIdFromPath(params.id);
      return presentPaper(await c.var.services.papers.get(id));
    },
  );

  return app;
}
