import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { paperIdFromPath } from '../params.ts';
import { presentPaper } from '../presenters/paper.ts';
import { PaperSchema } from '../schemas/paper.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { thumbnailUrls } from '../thumbnail-urls.ts';

export function paperApiRoutes() {
  const app = new Hono<AppEnv>();

  apiRoute(
    app,
    { method: 'get', path: '/api/papers/{id}', summary: 'One paper', tags: ['papers'], params: PaperIdParams, response: PaperSchema, errors: { 400: 'not a paper id', 404: 'no such paper' } },
    async (c, { params }) => {
      const id = paperIdFromPath(params.id);
      const paper = await c.var.services.papers.get(id);
      return presentPaper(paper, { thumbnail: (await thumbnailUrls(c, [paper.id])).get(paper.id) });
    },
  );

  return app;
}
