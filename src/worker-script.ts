import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { buildSync, version as esbuildVersion } from 'esbuild';

const bundles = new Map<string, string>();

/**
 * This user's own directory under `root` (the temporary directory, shared by every local user), or
 * null when it cannot be trusted. Code is run from it (a child's script, a cached bundle), so a
 * directory another user made first, or could write into, would let them run code as this user:
 * it must be a real directory (not a link), owned by this user, writable by no one else.
 */
export function privateDir(root = os.tmpdir()): string | null {
  const uid = process.getuid?.();
  const dir = path.join(root, uid === undefined ? 'paperboy-workers' : `paperboy-workers-${uid}`);
  try {
    fs.mkdirSync(dir, { mode: 0o700 });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return null;
  }
  const st = fs.lstatSync(dir);
  if (!st.isDirectory() || (uid !== undefined && st.uid !== uid) || (st.mode & 0o022) !== 0) return null;
  return dir;
}

/** Where bundles are kept across processes (`cachedBundle`); null: no cache (bundled every time). */
const bundleCacheDir = () => {
  const dir = privateDir();
  return dir === null ? null : path.join(dir, 'bundles');
};
const sha1 = (data: string | Buffer) => createHash('sha1').update(data).digest('hex');

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
    code = cachedBundle(decodeURIComponent(entry.pathname), external);
    bundles.set(key, code);
  }
  return code;
}

/**
 * The bundle of `entry`, from the cache when every file that went into it (`inputs`, from
 * esbuild's metafile) still holds the bytes it was built from, else built and cached. Building
 * starts esbuild's own process: 0.05 s of this thread's CPU and 0.19-0.28 s of wall on a loaded
 * machine before a first import's parse worker could start (bench/import/pg-timeline.ts, round
 * 24); checking the cached inputs reads and hashes a few dozen small files. Imports name their
 * files with extensions, so no new file can change what an input resolves to.
 */
export function cachedBundle(entry: string, external: string[] = [], dir = bundleCacheDir()): string {
  const cwd = process.cwd();
  if (dir === null) return bundle(entry, external, cwd).outputFiles[0].text;
  // The bundle's comments name its files from the working directory: it is part of the key.
  const file = path.join(dir, `${path.basename(entry, '.ts')}-${sha1(JSON.stringify([esbuildVersion, process.version, cwd, entry, external])).slice(0, 16)}.json`);
  try {
    const cached = JSON.parse(fs.readFileSync(file, 'utf8')) as { inputs: [string, string][]; code: string };
    if (typeof cached.code === 'string' && cached.inputs.every(([input, hash]) => fs.existsSync(input) && sha1(fs.readFileSync(input)) === hash)) return cached.code;
  } catch {
    // No cache yet, or one unreadable: build.
  }
  const started = Date.now();
  const built = bundle(entry, external, cwd);
  const code = built.outputFiles[0].text;
  try {
    const inputs = Object.keys(built.metafile.inputs).map((p) => path.resolve(cwd, p));
    // A file changed while it was being bundled may not be what the bundle holds: not cached.
    if (inputs.every((input) => fs.statSync(input).mtimeMs < started)) {
      const record = { inputs: inputs.map((input) => [input, sha1(fs.readFileSync(input))]), code };
      fs.mkdirSync(dir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(record));
      fs.renameSync(tmp, file);
    }
  } catch {
    // The cache is only a shortcut: a read-only or full temporary directory bundles every time.
  }
  return code;
}

function bundle(entry: string, external: string[], cwd: string) {
  return buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    write: false,
    logLevel: 'error',
    external,
    metafile: true,
    absWorkingDir: cwd,
  });
}

const files = new Map<string, string>();
/** This process's own directory for child scripts when the shared one cannot be trusted. */
let ownDir: string | undefined;

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
    // A file of that name already there is run as it is: only in a directory no one else can write.
    const dir = privateDir() ?? (ownDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'paperboy-workers-')));
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
