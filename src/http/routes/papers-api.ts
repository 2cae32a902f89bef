import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { paperIdFromPath } from '../params.ts';
import { presentPaperDetail } from '../presenters/paper.ts';
import { PaperDetailSchema } from '../schemas/paper.ts';
import { PaperIdParams } from '../schemas/common.ts';
import { siteBase } from '../site-url.ts';

export function paperApiRoutes() {
  const app = new Hono<AppEnv>();

  apiRoute(
    app,
    { method: 'get', path: '/api/papers/{id}', summary: 'One paper, with its enrichments (code and stars, TL;DR and keywords, Hugging Face artifacts)', tags: ['papers'], params: PaperIdParams, response: PaperDetailSchema, errors: { 400: 'not a paper id', 404: 'no such paper' } },
    async (c, { params }) => {
      const id = paperIdFromPath(params.id);
      const { papers, enrichment, config } = c.var.services;
      const [paper, detail] = await Promise.all([papers.get(id), enrichment.detail(id)]);
      return presentPaperDetail(paper, { enrichment: detail.enrichment, siteBase: siteBase(c) }, detail.artifacts, config.hfHubUrl);
    },
  );

  return app;
}
