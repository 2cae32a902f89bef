import cliProgress from 'cli-progress';
import { UsageError, type Command } from '../command.ts';
import { configFromFlags } from '../context.ts';
import { HubError, listModels, pullModel } from '../../search/onnx/hub-pull.ts';

function mb(bytes: number): string {
  return `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * `paperboy models pull <hub id>` downloads a sentence-embedding model for `SEARCH_EMBEDDER=onnx`
 * into MODELS_DIR; `paperboy models list` shows what is there.
 */
export const modelsCommand: Command = {
  name: 'models',
  summary: 'pull a sentence-embedding model from the Hugging Face hub (for SEARCH_EMBEDDER=onnx), or list pulled models',
  usage: 'paperboy models pull <owner/name> [--revision <rev>] [--quiet] | paperboy models list',
  options: { revision: { type: 'string' }, quiet: { type: 'boolean', short: 'q' } },
  async run({ values, positionals }) {
    const config = configFromFlags(values);
    const [action, id, ...rest] = positionals;
    if (action === 'list' && !id) {
      const models = await listModels(config.modelsDir);
      if (!models.length) console.log(`no models in ${config.modelsDir}: \`paperboy models pull <owner/name>\` downloads one`);
      for (const m of models) {
        console.log(`${m.id}\t${m.dimensions ?? '?'} dims\t${mb(m.bytes)}\t${m.revision ? `revision ${m.revision.slice(0, 12)}, pulled ${m.pulledAt}` : 'local copy'}`);
      }
      return 0;
    }
    if (action !== 'pull' || !id || rest.length) throw new UsageError('expected `models pull <owner/name>` or `models list`');
    const bar =
      process.stderr.isTTY && !values.quiet
        ? new cliProgress.SingleBar(
            { format: 'pulling {bar} {percentage}% | {mb} | {file} | eta {eta_formatted}', stream: process.stderr, etaBuffer: 50 },
            cliProgress.Presets.shades_classic,
          )
        : null;
    let started = false;
    try {
      const r = await pullModel({
        hubUrl: config.hfHubUrl,
        id,
        modelsDir: config.modelsDir,
        token: config.hfToken,
        revision: typeof values.revision === 'string' ? values.revision : undefined,
        onProgress: (p) => {
          if (bar) {
            if (!started) bar.start(p.total, 0, { file: p.file, mb: '' });
            started = true;
            bar.update(p.bytes, { file: p.file, mb: `${mb(p.bytes)} of ${mb(p.total)}` });
          } else if (!values.quiet && p.event === 'done') console.error(`${p.file}: ${mb(p.fileTotal)} (${mb(p.bytes)} of ${mb(p.total)})`);
          if (p.event === 'retry' && !values.quiet) console.error(`\n${p.file}: ${p.message}; trying again`);
        },
      });
      bar?.stop();
      console.log(`pulled ${id} (revision ${r.revision.slice(0, 12)}, ${r.files.length} files, ${mb(r.bytes)}) into ${r.dir}`);
      console.log(`use it: SEARCH_EMBEDDER=onnx EMBEDDINGS_MODEL=${id} paperboy reindex`);
      return 0;
    } catch (err) {
      bar?.stop();
      if (err instanceof HubError) {
        console.error(`models pull: ${err.message}`);
        return 1;
      }
      throw err;
    }
  },
};
