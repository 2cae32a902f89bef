import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

// A mutant whose text is no longer in its file weakens nothing: the defence it stood for has no
// test that fails without it any more. A merge moved one such check to another file unnoticed.
test('every mutant in scripts/mutants.ts still matches its file and names existing tests', async () => {
  const { code, out } = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'scripts/mutants.ts', '--check'], { cwd: ROOT }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }),
    );
  });
  assert.equal(code, 0, out);
  assert.match(out, /\d+ mutants, 0 stale/);
});
