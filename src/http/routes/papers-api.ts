import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { PAPER_ID } from '../params.ts';
import { canonicalPaperId } from '../../domain/arxiv-id.ts';
import { ApiError, notFound } from '../errors.ts';
import { presentPaper } from '../presenters/paper.ts';

export function paperApiRoutes() {
  const app = new Hono<AppEnv>();

  app.get(`/api/papers/${PAPER_ID}`, async (c) => {
    const raw = c.req.param('id') ?? '';
    const id = canonicalPaperId(raw);
    if (!id) throw new ApiError(400, 'bad_paper_id', `"${raw}" is not a paper id (expected e.g. 2401.01234, hep-th/9901001 or source:id)`);
    const paper = await c.var.services.store.papers.get(id);
    if (!paper) throw notFound(`paper ${id}`);
    return c.json(presentPaper(paper));
  });

  return app;
}
