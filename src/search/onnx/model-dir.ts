import { createHash } from 'node:crypto';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A sentence-embedding model on disk, laid out as on the Hugging Face hub: the ONNX weights
 * (`onnx/model.onnx` or `model.onnx`), `config.json`, the tokenizer (`tokenizer.json` or `vocab.txt`,
 * with `tokenizer_config.json`), and sentence-transformers' `1_Pooling/config.json` and
 * `sentence_bert_config.json` when the model has them.
 */
export const MODEL_FILES = {
  weights: ['onnx/model.onnx', 'model.onnx'],
  required: ['config.json'],
  tokenizer: ['tokenizer.json', 'vocab.txt'],
  optional: ['tokenizer_config.json', 'special_tokens_map.json', '1_Pooling/config.json', 'sentence_bert_config.json', 'modules.json'],
} as const;

/** What `paperboy models pull` writes beside the files: where they came from and their checksums. */
export const MANIFEST_FILE = '.paperboy-model.json';

export interface ModelManifest {
  hubId: string;
  revision: string;
  pulledAt: string;
  files: { path: string; size: number; sha256: string }[];
}

export type Pooling = 'mean' | 'cls' | 'max';

export interface ModelDir {
  dir: string;
  /** The hub id or the directory's name. */
  name: string;
  weightsFile: string;
  config: Record<string, unknown>;
  tokenizerJson?: unknown;
  vocabTxt?: string;
  tokenizerConfig?: Record<string, unknown>;
  pooling: Pooling;
  /** Tokens per text, [CLS] and [SEP] included: the smallest of the model's limits. */
  maxLength: number;
  /** Changes whenever any file that shapes the vectors changes: part of the embedder id. */
  contentHash: string;
}

export class ModelDirError extends Error {
  override name = 'ModelDirError';
}

/**
 * Where `EMBEDDINGS_MODEL` points: an existing directory as given, else `<modelsDir>/<hub id>`.
 * Hub ids are `owner/name` of letters, digits, `-`, `_` and `.`; nothing else reaches the disk.
 */
export function resolveModelDir(model: string, modelsDir: string): string {
  if (existsSync(path.join(model, 'config.json')) || path.isAbsolute(model) || model.startsWith('.')) return path.resolve(model);
  if (!isHubId(model)) throw new ModelDirError(`EMBEDDINGS_MODEL=${JSON.stringify(model)} is neither a model directory nor a hub id (owner/name)`);
  const dir = path.join(modelsDir, model);
  if (!existsSync(dir)) throw new ModelDirError(`the model ${model} is not in ${modelsDir}: run \`paperboy models pull ${model}\` first (or set EMBEDDINGS_MODEL to a model directory)`);
  return dir;
}

export function isHubId(id: string): boolean {
  return /^[A-Za-z0-9][A-Za-z0-9_.-]{0,95}(\/[A-Za-z0-9][A-Za-z0-9_.-]{0,95})?$/.test(id) && !id.includes('..');
}

async function readJson(file: string): Promise<Record<string, unknown>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch (err) {
    throw new ModelDirError(`${file}: ${(err as Error).message}`);
  }
}

function sha256File(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file).on('data', (d) => h.update(d)).on('error', reject).on('end', () => resolve(h.digest('hex')));
  });
}

function poolingOf(cfg: Record<string, unknown> | undefined): Pooling {
  if (!cfg) return 'mean'; // sentence-transformers' default
  if (cfg.pooling_mode_cls_token === true) return 'cls';
  if (cfg.pooling_mode_mean_tokens === true) return 'mean';
  if (cfg.pooling_mode_max_tokens === true) return 'max';
  throw new ModelDirError(`1_Pooling/config.json: no supported pooling mode (cls, mean or max tokens)`);
}

/** Reads and checks a model directory; a missing file is named in the error. */
export async function loadModelDir(dir: string, name = path.basename(dir)): Promise<ModelDir> {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new ModelDirError(`the model directory ${dir} does not exist`);
  const has = (f: string) => existsSync(path.join(dir, f));
  const weights = MODEL_FILES.weights.find(has);
  if (!weights) throw new ModelDirError(`${dir} has no ONNX weights: expected ${MODEL_FILES.weights.join(' or ')}`);
  for (const f of MODEL_FILES.required) if (!has(f)) throw new ModelDirError(`${dir} is missing ${f}`);
  if (!MODEL_FILES.tokenizer.some(has)) throw new ModelDirError(`${dir} has no tokenizer: expected ${MODEL_FILES.tokenizer.join(' or ')}`);

  const config = await readJson(path.join(dir, 'config.json'));
  const tokenizerJson = has('tokenizer.json') ? await readJson(path.join(dir, 'tokenizer.json')) : undefined;
  const vocabTxt = !tokenizerJson ? await readFile(path.join(dir, 'vocab.txt'), 'utf8') : undefined;
  const tokenizerConfig = has('tokenizer_config.json') ? await readJson(path.join(dir, 'tokenizer_config.json')) : undefined;
  const pooling = poolingOf(has('1_Pooling/config.json') ? await readJson(path.join(dir, '1_Pooling/config.json')) : undefined);
  const sbert = has('sentence_bert_config.json') ? await readJson(path.join(dir, 'sentence_bert_config.json')) : undefined;

  // The window: sentence-transformers' max_seq_length where set (e.g. 256 for all-MiniLM-L6-v2),
  // never more than the position embeddings or the tokenizer's model_max_length.
  const limits = [sbert?.max_seq_length, config.max_position_embeddings, tokenizerConfig?.model_max_length].filter(
    (v): v is number => typeof v === 'number' && Number.isInteger(v) && v > 2 && v < 1_000_000,
  );
  const maxLength = limits.length ? Math.min(...limits) : 512;

  // Pulled models carry their checksums; a local directory is hashed once per open.
  let manifest: ModelManifest | undefined;
  if (has(MANIFEST_FILE)) manifest = (await readJson(path.join(dir, MANIFEST_FILE))) as unknown as ModelManifest;
  const h = createHash('sha256');
  const shaping = [weights, ...MODEL_FILES.required, ...MODEL_FILES.tokenizer, ...MODEL_FILES.optional].filter(has);
  for (const f of shaping) {
    const known = manifest?.files.find((m) => m.path === f && m.size === statSync(path.join(dir, f)).size)?.sha256;
    h.update(`${f}\0${known ?? (await sha256File(path.join(dir, f)))}\n`);
  }
  return {
    dir,
    name: manifest?.hubId ?? name,
    weightsFile: path.join(dir, weights),
    config,
    tokenizerJson,
    vocabTxt,
    tokenizerConfig,
    pooling,
    maxLength,
    contentHash: h.digest('hex').slice(0, 12),
  };
}
