import fs from 'node:fs';
import os from 'node:os';
import { startProgress } from '../progress.ts';
import { UsageError, type Command } from '../command.ts';
import { configFromFlags, withServices } from '../context.ts';
import { emptySummary, importInputs } from '../../ingest/importer.ts';
import { importCounts } from '../../services/ingest.ts';
import { FORMATS, type FormatName } from '../../ingest/formats/index.ts';

export const importCommand: Command = {
  name: 'import',
  summary: 'import papers from JSON Lines files (arXiv listings, the arXiv metadata snapshot, or generic)',
  usage: 'paperboy import <file|dir|-> [--format listing|snapshot|generic] [--source NAME] [--feed-day YYYY-MM-DD] [--quiet]',
  options: {
    format: { type: 'string' },
    source: { type: 'string' },
    'feed-day': { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  },
  async run({ values, positionals }) {
    if (positionals.length !== 1) throw new UsageError('import takes exactly one file, directory or - (stdin)');
    const format = values.format as string | undefined;
    if (format !== undefined && !(format in FORMATS)) throw new UsageError(`unknown format "${format}": use ${Object.keys(FORMATS).join(', ')}`);
    let files: string[];
    try {
      files = importInputs(positionals[0]);
    } catch (err) {
      throw new UsageError(`cannot read ${positionals[0]}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    }
    if (!files.length) throw new UsageError(`no .jsonl files in ${positionals[0]}`);

    return withServices(configFromFlags(values), async ({ logger, services }) => {
      let summary = emptySummary();
      const totalBytes = files.reduce((n, f) => n + (f === '-' ? 0 : fs.statSync(f).size), 0);
      // A bar with ETA on a terminal; a plain line every 10 s in a log (cron, CI); nothing with --quiet.
      const progress = values.quiet || totalBytes === 0 ? null : startProgress({ label: 'importing', tty: Boolean(process.stderr.isTTY), unit: 'bytes' });
      // Parsing in worker threads pays off once the input is more than a few thousand papers.
      const workers = totalBytes > 8 * 1024 * 1024 ? Math.min(2, os.availableParallelism()) : 0;
      let doneBytes = 0;
      // How long each phase took, printed after the counts: at millions of papers the full-text
      // catch-up after the papers is as long as writing them.
      const started = performance.now();
      const phases = { papers: 0, fullText: 0, fullTextPapers: 0, beside: 0, moveMs: 0 };
      // A big import into a store with an empty full-text index (a first import) fills that index in
      // a second thread while the papers are written, instead of after them on the writing thread.
      const beside = workers ? await services.searchIndex.startFullTextBeside() : null;
      try {
        summary = await services.ingest.importRecorded(files, {
          workers,
          format: format as FormatName | undefined,
          source: values.source as string | undefined,
          feedDay: values['feed-day'] as string | undefined,
          onLineError: (e) => {
            const line = `${e.file}:${e.line}: ${e.reason}`;
            // Above the bar, so the message is not drawn over.
            if (progress) progress.note(line);
            else process.stderr.write(`${line}\n`);
          },
          // The running counts, for the progress bar.
          onSummary: (s) => (summary = s),
          onProgress: (bytes) => progress?.update(doneBytes + bytes, totalBytes, `${summary.read} read, ${summary.failed} failed`),
          onFileDone: (file) => {
            if (file !== '-') doneBytes += fs.statSync(file).size;
          },
          // Search indexes follow after the import, not inside its transactions (see bench/fts-import).
          afterImport: async () => {
            progress?.stop();
            phases.papers = performance.now() - started;
            if (!values.quiet) process.stderr.write('making the papers searchable (full-text index)…\n');
            const { papers: written, moveMs } = beside ? await beside.finish() : { papers: 0, moveMs: 0 };
            const indexed = await services.searchIndex.catchUp();
            await services.searchIndex.close();
            phases.fullText = performance.now() - started - phases.papers;
            phases.fullTextPapers = written + indexed.fullText;
            phases.beside = written;
            phases.moveMs = moveMs;
            return { searchIndexed: written + indexed.fullText, embedded: indexed.embedded };
          },
        });
      } finally {
        progress?.stop();
        await beside?.abort();
      }
      logger.debug({ summary: importCounts(summary) }, 'import finished');
      console.log(
        `read ${summary.read} / inserted ${summary.inserted} / updated ${summary.updated} / unchanged ${summary.unchanged} / failed ${summary.failed}` +
          (summary.addedToFeed ? ` (added to feed: ${summary.addedToFeed})` : ''),
      );
      const sec = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
      console.log(`phases: papers ${sec(phases.papers)}, full-text index ${sec(phases.fullText)} (${phases.fullTextPapers} papers${phases.beside ? `, ${phases.beside} of them written beside the papers and moved into the store in ${sec(phases.moveMs)}` : ''}); total ${sec(performance.now() - started)}`);
      return summary.failed ? 1 : 0;
    });
  },
};
