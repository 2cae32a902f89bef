import assert from 'node:assert/strict';
import { test } from 'node:test';
import { phaseProgress } from '../../src/cli/phase-progress.ts';

test('off a terminal: one line per phase when it ends, even when phases overlap', () => {
  const lines: string[] = [];
  const p = phaseProgress(false, (l) => lines.push(l));
  // reindex: the model trains on a worker while the full-text index rebuilds on the main thread.
  p.update('read papers', 5000, 10000);
  p.update('read papers', 10000, 10000);
  p.update('full-text', 0, 1);
  p.update('analyse a sample', 100, 200);
  p.update('analyse a sample', 200, 200);
  p.update('latent space (SVD steps)', 1, 5);
  assert.equal(lines.length, 2, 'a phase another phase interrupts has not ended');
  p.update('full-text', 10000, 10000);
  p.update('latent space (SVD steps)', 5, 5);
  // A repeated final report of a finished phase prints nothing more.
  p.update('full-text', 10000, 10000);
  p.update('embed + ANN index', 4000, 10000);
  p.end();
  assert.deepEqual(
    lines.map((l) => l.replace(/ in [\d.]+ s.*$/, '')),
    ['read papers: 10000/10000', 'analyse a sample: 200/200', 'full-text: 10000/10000', 'latent space (SVD steps): 5/5', 'embed + ANN index: 4000/10000'],
  );
  for (const l of lines) assert.match(l, /: \d+\/\d+ in \d+\.\d s/);
});
