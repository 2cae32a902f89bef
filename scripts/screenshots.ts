/**
 * The README's screenshots: home, a paper page and a search page, from a store you choose.
 *
 *   npx tsx scripts/screenshots.ts --db /tmp/corpus.db --paper 2606.31294 --query "diffusion" [--out docs/screenshots]
 */
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createServices } from '../src/services/index.ts';
import { createApp } from '../src/http/app.ts';
import { startServer } from '../src/http/server.ts';
import { openStore } from '../src/store/index.ts';

const { values } = parseArgs({ options: { db: { type: 'string' }, paper: { type: 'string' }, query: { type: 'string' }, out: { type: 'string' } } });
if (!values.db || !values.paper) {
  console.error('usage: npx tsx scripts/screenshots.ts --db FILE --paper ID [--query WORDS] [--out DIR]');
  process.exit(2);
}
const out = values.out ?? 'docs/screenshots';
fs.mkdirSync(out, { recursive: true });
const opened = await openStore(values.db);
const config = loadConfig(process.env, { logLevel: 'silent', demo: false, db: values.db });
const services = createServices({ config, logger: createLogger('silent'), store: opened.store });
const server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: services.logger });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
const shots: Array<[string, string, 'light' | 'dark', number]> = [
  ['home', '/', 'light', 1200],
  ['paper', `/papers/${values.paper}`, 'dark', 1200],
  ['search', `/search?q=${encodeURIComponent(values.query ?? 'diffusion')}`, 'light', 1200],
  ['home-phone', '/', 'dark', 390],
];
for (const [name, path, theme, width] of shots) {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 900 }, colorScheme: theme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  await page.goto(server.url + path);
  await page.screenshot({ path: `${out}/${name}.png` });
  await context.close();
  console.log(`${out}/${name}.png`);
}
await browser.close();
await server.close(1000);
await opened.close();
