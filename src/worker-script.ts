import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
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

const files = new Map<string, string>();

/**
 * `workerScript` written to a file, for `child_process.fork` (which runs a file, not a string). The
 * name carries a hash of the code, so processes of different versions never share one, and the
 * file is written once per content (by a rename: a concurrent reader never sees half a file).
 */
export function workerScriptFile(entry: URL, external: string[] = []): string {
  const code = workerScript(entry, external);
  let file = files.get(code);
  if (file === undefined) {
    const hash = createHash('sha256').update(code).digest('hex').slice(0, 16);
    const dir = path.join(os.tmpdir(), 'paperboy-workers');
    fs.mkdirSync(dir, { recursive: true });
    file = path.join(dir, `${path.basename(decodeURIComponent(entry.pathname), '.ts')}-${hash}.cjs`);
    if (!fs.existsSync(file)) {
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, code);
      fs.renameSync(tmp, file);
    }
    files.set(code, file);
  }
  return file;
}
