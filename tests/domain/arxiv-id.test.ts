import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonicalPaperId, parseArxivId } from '../../src/domain/arxiv-id.ts';

test('new- and old-style ids, with and without versions, and arXiv URLs', () => {
  assert.deepEqual(parseArxivId('2401.01234'), { id: '2401.01234', version: null });
  assert.deepEqual(parseArxivId('2401.01234v3'), { id: '2401.01234', version: 3 });
  assert.deepEqual(parseArxivId('0704.0001'), { id: '0704.0001', version: null });
  assert.deepEqual(parseArxivId('hep-th/9901001v2'), { id: 'hep-th/9901001', version: 2 });
  assert.deepEqual(parseArxivId('math.AG/0601001'), { id: 'math.AG/0601001', version: null });
  assert.deepEqual(parseArxivId('arXiv:2401.01234'), { id: '2401.01234', version: null });
  assert.deepEqual(parseArxivId('https://arxiv.org/abs/2401.01234v2'), { id: '2401.01234', version: 2 });
  assert.deepEqual(parseArxivId('https://arxiv.org/pdf/2401.01234.pdf'), { id: '2401.01234', version: null });
  assert.deepEqual(parseArxivId('arxiv.org/abs/hep-th/9901001'), { id: 'hep-th/9901001', version: null });
});

test('rejects what is not an arXiv id', () => {
  for (const bad of ['', 'abc', '2413.01234', '2401.1234', '1412.12345', '2401.012345', 'hep-th/99010', '../etc/passwd', '2401.01234v', 'https://evil.example/abs/2401.01234']) {
    assert.equal(parseArxivId(bad), null, bad);
  }
});

test('canonical ids for arXiv and other sources', () => {
  assert.equal(canonicalPaperId('2401.01234v2'), '2401.01234');
  assert.equal(canonicalPaperId('demo:some-paper'), 'demo:some-paper');
  assert.equal(canonicalPaperId('arxiv:2401.01234'), '2401.01234');
  assert.equal(canonicalPaperId('arxiv:nope'), null);
  assert.equal(canonicalPaperId('no spaces:here'), null);
});
