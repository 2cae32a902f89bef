/**
 * Enrichment benchmark: papers enriched per second and CPU per thumbnail, over real papers of the
 * corpus whose PDFs come from a local PDF server (generated here with pdf-lib from each paper's
 * title, authors and abstract: four pages of text and a figure box).
 *
 *   npx tsx bench/enrich/run.ts ../shared/data/arxiv-listings [--papers 1000] [--baseline 200]
 *
 * The run is what `paperboy enrich` does: the runner picks the papers without state, fetches each
 * PDF over HTTP (size cap, timeout), renders the first page in the renderer process to two WebP
 * sizes, keeps the first three pages' text and writes state, text and images to a SQLite store
 * (the pdf step only: the other steps call outside services). The politeness delay is 0 here (with
 * the default 3 s per host the rate is 0.33 papers a second whatever the machine): this measures
 * the machinery. CPU is this process's (process.cpuUsage()) plus the renderer processes' (each
 * answer carries its process's CPU time, `PdfRenderPool.cpuMs`).
 *
 * Baseline, in the same run: bare pdf.js on the main thread for the same PDFs (no HTTP, no renderer
 * process, no store): open, render page 1 at 900 px, encode WebP, read the text of three pages.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { createCanvas } from '@napi-rs/canvas';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { openStore } from '../../src/store/index.ts';
import { completePaper } from '../../src/domain/complete-paper.ts';
import type { Paper } from '../../src/domain/paper.ts';
import { EnrichmentService } from '../../src/services/enrichment/service.ts';
import { enrichmentSteps } from '../../src/services/enrichment/steps.ts';
import type { PdfRenderPool } from '../../src/ingest/pdf/render-pool.ts';
import { startArxivPdfServer } from '../../tests/helpers/arxiv-pdf-server.ts';
import { fmt, markdownTable } from '../lib/report.ts';

const { positionals, values } = parseArgs({ allowPositionals: true, options: { papers: { type: 'string' }, baseline: { type: 'string' } } });
const corpus = positionals[0];
if (!corpus) {
  console.error('usage: npx tsx bench/enrich/run.ts <corpus-dir> [--papers 1000] [--baseline 200]');
  process.exit(2);
}
const N = Number(values.papers ?? 1000);
const BASELINE = Math.min(N, Number(values.baseline ?? 200));

async function readPapers(dir: string, n: number): Promise<Paper[]> {
  const out: Paper[] = [];
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.jsonl')).sort()) {
    const rl = readline.createInterface({ input: fs.createReadStream(path.join(dir, f)) });
    for await (const line of rl) {
      const r = JSON.parse(line);
      out.push(
        completePaper({ id: r.id, source: 'arxiv', version: 1, title: r.title, abstract: r.abstract, authors: r.authors, categories: r.categories, primaryCategory: r.primary_category ?? null, publishedAt: r.listing_date ?? null, updatedAt: null, comment: r.comment ?? null, journalRef: null, doi: null, license: null }),
      );
      if (out.length >= n) {
        rl.close();
        return out;
      }
    }
  }
  return out;
}

/** Standard-14 fonts speak WinAnsi: anything else becomes '?'. */
const ascii = (s: string) => s.replace(/\s+/g, ' ').replace(/[^\x20-\x7e]/g, '?');

function wrap(text: string, font: { widthOfTextAtSize(t: string, s: number): number }, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) > width && line) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

async function paperPdf(p: Paper): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.TimesRoman);
  const bold = await doc.embedFont(StandardFonts.TimesRomanBold);
  for (let n = 0; n < 4; n++) {
    const page = doc.addPage([612, 792]);
    let y = 720;
    const put = (lines: string[], f = font, size = 10.5) => {
      for (const l of lines) {
        if (y < 72) return;
        page.drawText(l, { x: 72, y, size, font: f });
        y -= size * 1.35;
      }
    };
    if (n === 0) {
      put(wrap(ascii(p.title), bold, 16, 468), bold, 16);
      y -= 8;
      put(wrap(ascii(p.authors.join(', ')), font, 11, 468), font, 11);
      y -= 14;
      put(['Abstract'], bold, 12);
    }
    put(wrap(ascii(p.abstract), font, 10.5, 468));
    page.drawRectangle({ x: 72, y: Math.max(80, y - 200), width: 468, height: 180, borderWidth: 1 });
  }
  return doc.save();
}

const uptime = () => os.loadavg().map((x) => x.toFixed(1)).join(' ');
const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;

const papers = await readPapers(corpus, N);
let t = performance.now();
const pdfs = new Map<string, Uint8Array>();
for (const p of papers) pdfs.set(p.id, await paperPdf(p));
const avgKb = [...pdfs.values()].reduce((a, b) => a + b.byteLength, 0) / pdfs.size / 1024;
console.log(`${papers.length} papers, PDFs generated in ${((performance.now() - t) / 1000).toFixed(1)} s (${avgKb.toFixed(1)} kB each on average)`);

const server = await startArxivPdfServer(Object.fromEntries([...pdfs].map(([id, bytes]) => [id, { kind: 'pdf' as const, bytes }])));
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-enrich-bench-'));
const db = path.join(dir, 'bench.db');
const opened = await openStore(db);
await opened.store.papers.upsertMany(papers);
const config = loadConfig({}, { db, logLevel: 'silent', arxivPdfUrl: server.pdfUrl, enrichHostDelayMs: 0, enrichBatch: N, pdfRenderBudgetMs: 60_000 });
const logger = createLogger('silent');
let renderer!: PdfRenderPool;
const enrichment = new EnrichmentService(opened.store, config, logger, {
  steps: (pool) => {
    renderer = pool;
    return enrichmentSteps({ config, store: opened.store, logger, pdfRenderer: pool });
  },
});

// Warm-up outside the measure: the renderer's first start loads pdf.js and the canvas (about a second).
await enrichment.run({ ids: [papers[0].id], steps: ['pdf'] });

const loadBefore = uptime();
let cpu = process.cpuUsage();
const rendererCpuBefore = renderer.cpuMs();
t = performance.now();
let progressed = 0;
const report = await enrichment.run(
  { ids: papers.slice(1).map((p) => p.id), steps: ['pdf'] },
  {
    onProgress: (p) => {
      if (++progressed % 100 === 0) console.log(`  ${progressed} papers at ${((performance.now() - t) / 1000).toFixed(0)} s, load ${uptime()}`);
    },
  },
);
const wall = (performance.now() - t) / 1000;
const mainCpu = cpuMs(process.cpuUsage(cpu));
const rendererCpu = renderer.cpuMs() - rendererCpuBefore;
const runCpu = mainCpu + rendererCpu;
const loadAfter = uptime();
const enriched = report.byStep.pdf.done;
const failures = new Map<string, number>();
for (const p of papers.slice(1)) {
  const s = await opened.store.enrichment.get(p.id, 'pdf');
  if (s?.status === 'failed') failures.set(s.reason ?? '?', (failures.get(s.reason ?? '?') ?? 0) + 1);
}
const stored = [...(await opened.store.enrichment.forPapers(papers.map((p) => p.id))).values()].filter((e) => e.thumbnails);
await enrichment.close();

// Baseline: bare pdf.js, same PDFs, main thread (warmed up on the first paper, as the run was).
const fonts = path.join(path.dirname(new URL(import.meta.resolve('pdfjs-dist/package.json')).pathname), 'standard_fonts') + '/';
async function bare(bytes: Uint8Array): Promise<void> {
  const doc = await getDocument({ data: bytes.slice(), isEvalSupported: false, disableFontFace: true, verbosity: 0, standardFontDataUrl: fonts }).promise;
  const page = await doc.getPage(1);
  const vp = page.getViewport({ scale: 900 / page.getViewport({ scale: 1 }).width });
  const canvas = createCanvas(900, Math.round(vp.height));
  await page.render({ canvas: canvas as unknown as HTMLCanvasElement, canvasContext: canvas.getContext('2d') as unknown as CanvasRenderingContext2D, viewport: vp }).promise;
  await canvas.encode('webp', 80);
  for (let n = 1; n <= 3; n++) await (await doc.getPage(n)).getTextContent();
  await doc.destroy();
}
await bare(pdfs.get(papers[0].id)!);
const sample = papers.slice(1, 1 + BASELINE);
cpu = process.cpuUsage();
t = performance.now();
for (const p of sample) await bare(pdfs.get(p.id)!);
const baseWall = (performance.now() - t) / 1000;
const baseCpu = cpuMs(process.cpuUsage(cpu));

await server.close();
await opened.close();
fs.rmSync(dir, { recursive: true, force: true });

const result = {
  papers: papers.length - 1,
  enriched,
  failed: report.failed,
  seconds: wall,
  papersPerSecond: enriched / wall,
  cpuMsPerThumbnail: runCpu / Math.max(1, enriched),
  mainCpuMsPerThumbnail: mainCpu / Math.max(1, enriched),
  rendererCpuMsPerThumbnail: rendererCpu / Math.max(1, enriched),
  failures: Object.fromEntries(failures),
  baselinePapers: sample.length,
  baselinePerSecond: sample.length / baseWall,
  baselineCpuMs: baseCpu / sample.length,
  loadBefore,
  loadAfter,
};
console.log(JSON.stringify(result));
console.log(
  '\n' +
    markdownTable(
      ['measure', 'enrichment (pdf step, full path)', 'baseline: bare pdf.js, main thread'],
      [
        ['papers', fmt(result.papers), fmt(sample.length)],
        ['papers per second', fmt(result.papersPerSecond, 2), fmt(result.baselinePerSecond, 2)],
        ['CPU per paper (thumbnail + text)', `${fmt(result.cpuMsPerThumbnail, 0)} ms (this process ${fmt(result.mainCpuMsPerThumbnail, 0)}, renderer ${fmt(result.rendererCpuMsPerThumbnail, 0)})`, `${fmt(result.baselineCpuMs, 0)} ms`],
        ['failed', fmt(report.failed), '—'],
        ['papers with both thumbnails stored', fmt(stored.length), '—'],
        ['load average (1, 5, 15 min) before / after (2 cores, shared)', `${loadBefore} / ${loadAfter}`, ''],
      ],
    ),
);
