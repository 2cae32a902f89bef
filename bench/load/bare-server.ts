/** The ceiling: a bare Hono route on @hono/node-server, nothing else. `npx tsx bench/load/bare-server.ts PORT` */
import { Hono } from 'hono';
import { serve } from '@hono/node-server';

const app = new Hono();
app.get('/bare', (c) => c.json({ ok: true }));
serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.argv[2]) }, () => console.log('ready'));
