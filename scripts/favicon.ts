/**
 * Writes src/http/assets/favicon.ico from favicon.svg: Chromium renders the SVG at 32×32 and the
 * PNG is wrapped in an ICO container (browsers and feed readers still ask for /favicon.ico).
 *
 *   npx tsx scripts/favicon.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const dir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../src/http/assets');
const svg = fs.readFileSync(path.join(dir, 'favicon.svg'), 'utf8');
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
const page = await browser.newPage({ viewport: { width: 32, height: 32 } });
await page.setContent(`<html><body style="margin:0;background:transparent">${svg.replace('<svg ', '<svg width="32" height="32" ')}</body></html>`);
const png = await page.screenshot({ omitBackground: true, clip: { x: 0, y: 0, width: 32, height: 32 } });
await browser.close();

// ICONDIR (reserved, type 1 = icon, 1 image) + ICONDIRENTRY (32×32, PNG payload right after).
const header = Buffer.alloc(22);
header.writeUInt16LE(0, 0);
header.writeUInt16LE(1, 2);
header.writeUInt16LE(1, 4);
header.writeUInt8(32, 6);
header.writeUInt8(32, 7);
header.writeUInt8(0, 8);
header.writeUInt8(0, 9);
header.writeUInt16LE(1, 10);
header.writeUInt16LE(32, 12);
header.writeUInt32LE(png.length, 14);
header.writeUInt32LE(22, 18);
fs.writeFileSync(path.join(dir, 'favicon.ico'), Buffer.concat([header, png]));
console.log(`favicon.ico: ${22 + png.length} bytes`);
