import { Hono } from 'hono';
import type { AppEnv } from '../env.ts';
import { FeedPageView } from '../views/feed-page.tsx';

export function pageRoutes() {
  const app = new Hono<AppEnv>();
  app.get('/', async (c) => {
    const page = await c.var.services.feed.day();
    return c.html(<FeedPageView page={page} />);
  });
  return app;
}
