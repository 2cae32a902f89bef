import { buildSync } from 'esbuild';

const bundles = new Map<string, string>();

/**
 * A worker thread's code as one plain CommonJS script, bundled from its TypeScript entry once per
 * process (about 50 ms). Loading TypeScript through tsx's hooks inside each worker cost 0.2 s of CPU
 * per worker — a sixth of the import benchmark's whole bare-insert baseline, more than a batch of
 * embeddings. `external` names packages the worker loads from node_modules itself (native ones).
 */
export function workerScript(entry: URL, external: string[] = []): string {
  const key = `${entry.href}\n${external.join(',')}`;
  let code = bundles.get(key);
  if (code === undefined) {
    code = buildSync({
      entryPoints: [decodeURIComponent(entry.pathname)],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'error',
      external,
    }).outputFiles[0].text;
    bundles.set(key, code);
  }
  return code;
}
