import { Hono } from 'hono';
import type { Config } from '../../config.ts';
import type { AppEnv } from '../env.ts';
import { apiRoute } from '../api-route.ts';
import { writeLimits } from '../middleware/limits.ts';
import { presentPaper } from '../presenters/paper.ts';
import { SubmissionSchema, SubmitBody } from '../schemas/community.ts';

export function submissionApiRoutes(config: Config) {
  const app = new Hono<AppEnv>();
  apiRoute(
    app,
    {
      method: 'post',
      path: '/api/papers/submit',
      summary: "Submit an arXiv paper to today's feed",
      tags: ['community'],
      body: SubmitBody,
      response: SubmissionSchema,
      status: 201,
      auth: 'user',
      errors: { 400: 'not an arXiv id', 404: 'unknown to arXiv', 409: 'already on the feed', 422: 'first version too old', 429: 'daily quota used or rate limited', 502: 'arXiv unreachable' },
    },
    ...writeLimits(config, 'submit'),
    async (c, { body }) => {
      const { paper, day } = await c.var.services.submissions.submit(c.var.user!, body.arxivId);
      return c.json({ day, paper: presentPaper(paper) }, 201);
    },
  );
  return app;
}
