/**
 * The README's navigation screenshots, on the demo set (no corpus needed): the signed-in header with
 * For you and Following, a paper page's follow buttons, the account layout with a new API token
 * shown once, the delete confirmation, and the home page on a 390 px phone.
 *
 *   npx tsx scripts/screenshots-navigation.ts [--out docs/screenshots]
 *
 * Each is a 1 × device-pixel-ratio PNG of a clipped region, so they stay small.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Page } from 'playwright-core';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { createServices } from '../src/services/index.ts';
import { createApp } from '../src/http/app.ts';
import { startServer } from '../src/http/server.ts';
import { openStore } from '../src/store/index.ts';
import { loadDemoIfEmpty } from '../src/services/demo.ts';

const { values } = parseArgs({ options: { out: { type: 'string' } } });
const out = values.out ?? 'docs/screenshots';
fs.mkdirSync(out, { recursive: true });
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-shots-'));
const db = path.join(dir, 'demo.db');
const opened = await openStore(db);
await loadDemoIfEmpty(opened.store);
const config = loadConfig({ SEARCH_EMBEDDER: 'none', MAIL_DIR: path.join(dir, 'mail') }, { logLevel: 'silent', demo: false, db });
const services = createServices({ config, logger: createLogger('silent'), store: opened.store });
const server = await startServer(createApp(services), { host: '127.0.0.1', port: 0, logger: services.logger });

// A reader who has upvoted, commented and followed, so the pages show what a reader sees.
const reader = await services.accounts.createAccount({ username: 'ada', email: 'ada@example.org', password: 'a long enough password' });
const paperId = '2505.20309';
await services.upvotes.set(reader, paperId, true);
await services.comments.post(reader, paperId, 'The controller is tiny compared with fine-tuning: nice.', null);
await services.following.follow(reader.id, 'category', 'cs.CL');
const { sessionToken } = await services.accounts.openSession(reader.id);

const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
async function open(width: number, theme: 'light' | 'dark', signedIn: boolean): Promise<Page> {
  const context = await browser.newContext({ viewport: { width, height: width < 500 ? 844 : 800 }, colorScheme: theme, deviceScaleFactor: 1, baseURL: server.url });
  if (signedIn) await context.addCookies([{ name: 'pb_session', value: sessionToken, url: server.url }]);
  return context.newPage();
}
async function shot(page: Page, name: string, clipHeight?: number) {
  const file = `${out}/${name}.png`;
  const size = page.viewportSize()!;
  await page.screenshot({ path: file, clip: { x: 0, y: 0, width: size.width, height: clipHeight ?? size.height } });
  console.log(`${file} ${fs.statSync(file).size} bytes`);
  await page.context().close();
}

// 1. The header a signed-in reader sees: Daily Papers, Trending, For you, Following, the account.
let page = await open(1200, 'light', true);
await page.goto('/');
await shot(page, 'nav-header', 420);

// 2. A paper page: follow each author and category, after following one (with its message).
page = await open(1200, 'dark', true);
await page.goto(`/papers/${paperId}`);
await page.getByRole('button', { name: '+ Follow Amr Hegazy' }).click();
await page.waitForURL(`**/papers/${paperId}`);
const box = (await page.locator('.follow-panel').boundingBox())!;
const top = box.y - 110;
await page.screenshot({ path: `${out}/nav-follow.png`, fullPage: true, clip: { x: 0, y: top, width: 1200, height: box.height + 150 } });
console.log(`${out}/nav-follow.png ${fs.statSync(`${out}/nav-follow.png`).size} bytes`);
await page.context().close();

// 3. The account layout: a new API token, shown once after its redirect.
page = await open(1200, 'light', true);
await page.goto('/settings');
await page.getByLabel('Token name').fill('my script');
await page.getByRole('button', { name: 'Create token' }).click();
await page.waitForURL('**/settings');
await shot(page, 'nav-account', 620);

// 4. Deleting asks first.
page = await open(1200, 'dark', true);
await page.goto(`/papers/${paperId}`);
await page.getByRole('link', { name: 'Delete comment by ada' }).click();
await page.waitForURL('**/comments/*/delete*');
await shot(page, 'nav-confirm', 460);

// 5. A 390 px phone, signed out: the first paper high on the screen.
page = await open(390, 'light', false);
await page.goto('/');
await shot(page, 'nav-phone');

await browser.close();
await server.close(1000);
await services.close();
await opened.close();
fs.rmSync(dir, { recursive: true, force: true });
