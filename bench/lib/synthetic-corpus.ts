/**
 * The arXiv listings corpus repeated with new ids, as listing JSONL shards, for the benchmarks at
 * sizes above the real 74,728 papers (e.g. `--papers 2500000`, "all of arXiv").
 *
 * Papers 0 … 74,727 are the real lines unchanged; paper i beyond is a copy of real paper
 * i mod 74,728 with the arXiv id `YYMM.JJJJJ` (one month from 3001 on per copy, JJJJJ the position:
 * never a real id, and a valid one for the importer), two title words swapped for words of another title
 * and an abstract of 2–3-sentence runs from three random abstracts (seeded, so every run writes
 * the same corpus; bench/search/common.ts `remix`, as its `synthesise` does). Authors, categories
 * and listing day are the copied paper's, so feed days and filters stay realistic.
 *
 * Written once to `<tmp>/paperboy-listings-<N>/` in shards of 100,000 lines and reused while the
 * `.complete` marker is there. Streams: memory stays the real corpus' whatever N is.
 */
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { seededRandom as rng } from '../../src/domain/random.ts';
import { remix } from '../search/common.ts';

const SHARD = 100_000;

function readRealLines(corpusDir: string): Record<string, unknown>[] {
  const files = fs.readdirSync(corpusDir).filter((f) => /^papers-\d+\.jsonl$/.test(f)).sort();
  if (!files.length) throw new Error(`no papers-NNN.jsonl files in ${corpusDir}`);
  const out: Record<string, unknown>[] = [];
  for (const f of files) for (const line of fs.readFileSync(path.join(corpusDir, f), 'utf8').split('\n')) if (line.trim()) out.push(JSON.parse(line));
  return out;
}

/** The directory of listing shards holding `n` papers (written now unless already complete). */
export async function syntheticListings(corpusDir: string, n: number, dir = path.join(tmpdir(), `paperboy-listings-${n}`)): Promise<string> {
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const real = readRealLines(corpusDir);
  if (n > real.length * 841) throw new Error(`at most ${real.length * 841} papers (ids up to 9912.JJJJJ)`);
  const flat = (s: unknown) => String(s).replace(/\s+/g, ' ').trim();
  const titles = real.map((p) => flat(p.title).split(' '));
  const sentences = real.map((p) => flat(p.abstract).split(/(?<=[.!?])\s+/));
  const r = rng(42);
  let out: fs.WriteStream | null = null;
  for (let i = 0; i < n; i++) {
    if (i % SHARD === 0) {
      if (out) await new Promise<void>((res) => out!.end(() => res()));
      out = fs.createWriteStream(path.join(dir, `papers-${String(i / SHARD).padStart(3, '0')}.jsonl`));
    }
    const j = i % real.length;
    let line: string;
    if (i < real.length) {
      line = JSON.stringify(real[j]);
    } else {
      const copy = Math.floor(i / real.length);
      const other = titles[Math.floor(r() * titles.length)];
      const { title, abstract } = remix(r, titles[j], other, sentences);
      // YYMM from 3001 on (a month per copy: 840 copies before 9912), never a real id; five digits.
      const yymm = (30 + Math.floor((copy - 1) / 12)) * 100 + ((copy - 1) % 12) + 1;
      const id = `${yymm}.${String(j).padStart(5, '0')}`;
      line = JSON.stringify({ ...real[j], id, title, abstract, abs_url: `https://arxiv.org/abs/${id}`, pdf_url: `https://arxiv.org/pdf/${id}` });
    }
    if (!out!.write(line + '\n')) await new Promise<void>((res) => out!.once('drain', () => res()));
  }
  if (out) await new Promise<void>((res) => out!.end(() => res()));
  fs.writeFileSync(path.join(dir, '.complete'), `${n}\n`);
  return dir;
}
