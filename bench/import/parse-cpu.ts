/**
 * The parse worker's own work, alone: reads every listing file of a corpus, parses and packs its
 * rows as a PostgreSQL import's parse worker does (`parsedBatches`, pack on, 5,000-row batches,
 * buffers handed back), in this thread, and prints CPU time per paper. `--passes N` parses the
 * corpus N times (the first pass includes compiling; later ones show the steady state). Run with
 * `node --cpu-prof --import tsx` to see where the time goes.
 *
 *   npx tsx bench/import/parse-cpu.ts ../shared/data/arxiv-listings [--passes 2]
 */
import os from 'node:os';
import { importInputs } from '../../src/ingest/importer.ts';
import { fileChunks } from '../../src/ingest/file-chunks.ts';
import { parsedBatches } from '../../src/ingest/parse-lines.ts';
import { reuseScratch } from '../../src/store/packed-rows.ts';

const args = process.argv.slice(2);
const corpus = args[0];
const passes = Number(args[args.indexOf('--passes') + 1] || 1);
const files = importInputs(corpus);
const now = new Date().toISOString();
for (let p = 0; p < passes; p++) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let rows = 0;
  let failed = 0;
  for (const file of files) {
    for await (const b of parsedBatches(fileChunks(file), { format: null, source: file, now, pack: true }, 5000, true)) {
      failed += b.failed.length;
      if (!Array.isArray(b.rows)) {
        rows += b.rows.ids.length;
        reuseScratch(b.rows.text.buffer as ArrayBuffer);
      }
    }
  }
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  console.log(JSON.stringify({ pass: p + 1, rows, failed, cpuS: +cpu.toFixed(3), usPerPaper: +((cpu / rows) * 1e6).toFixed(2), wallS: +((performance.now() - t0) / 1000).toFixed(3), load: os.loadavg()[0] }));
}
