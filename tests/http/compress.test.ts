import assert from 'node:assert/strict';
import { test } from 'node:test';
import zlib from 'node:zlib';
import { Hono } from 'hono';
import { chooseEncoding, compress } from '../../src/http/middleware/compress.ts';
import type { AppEnv } from '../../src/http/env.ts';

const big = JSON.stringify(Array.from({ length: 200 }, (_, i) => ({ id: i, title: `A paper about compression, number ${i}` })));
const app = new Hono<AppEnv>();
app.use('*', compress());
app.get('/json', (c) => c.json(JSON.parse(big)));
app.get('/small', (c) => c.json({ ok: true }));
app.get('/png', (c) => c.body('x'.repeat(5000), 200, { 'Content-Type': 'image/png' }));
app.get('/keep', (c) => c.body(big, 200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-transform' }));

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => app.request(path, { method, headers });

test('chooses gzip, then deflate, by the q-values the client sends', () => {
  assert.equal(chooseEncoding('gzip, deflate, br'), 'gzip');
  assert.equal(chooseEncoding('deflate'), 'deflate');
  assert.equal(chooseEncoding('gzip;q=0.2, deflate;q=0.8'), 'deflate');
  assert.equal(chooseEncoding('gzip;q=0, deflate;q=0'), undefined);
  assert.equal(chooseEncoding('*'), 'gzip');
  assert.equal(chooseEncoding('br'), undefined);
  assert.equal(chooseEncoding(undefined), undefined);
});

test('a large text answer is compressed whole and decompresses to the same bytes', async () => {
  for (const [enc, unpack] of [['gzip', zlib.gunzipSync], ['deflate', zlib.inflateSync]] as const) {
    const res = await get('/json', { 'accept-encoding': enc });
    assert.equal(res.headers.get('content-encoding'), enc);
    assert.match(res.headers.get('vary') ?? '', /Accept-Encoding/);
    const packed = Buffer.from(await res.arrayBuffer());
    assert.equal(Number(res.headers.get('content-length')), packed.length);
    assert.ok(packed.length < big.length / 3, `${packed.length} bytes for ${big.length}`);
    assert.equal(unpack(packed).toString(), big);
  }
});

test('left as they are: no accepted encoding, small bodies, images, no-transform, HEAD', async () => {
  const plain = await get('/json');
  assert.equal(plain.headers.get('content-encoding'), null);
  assert.equal(await plain.text(), big);
  assert.match(plain.headers.get('vary') ?? '', /Accept-Encoding/, 'the answer still depends on the header');
  for (const path of ['/small', '/png', '/keep']) {
    const res = await get(path, { 'accept-encoding': 'gzip' });
    assert.equal(res.headers.get('content-encoding'), null, path);
  }
  assert.equal((await get('/keep', { 'accept-encoding': 'gzip' })).headers.get('content-type'), 'application/json');
  const head = await get('/json', { 'accept-encoding': 'gzip' }, 'HEAD');
  assert.equal(head.headers.get('content-encoding'), null);
});
