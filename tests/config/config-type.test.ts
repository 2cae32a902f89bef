import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SETTINGS, loadConfig, type Config, type RateSpec } from '../../src/config.ts';

/** Compile-time equality: `Is<A, B>` is `true` only when A and B are the same type. */
type Is<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const typed: [Is<Config['port'], number>, Is<Config['rateCommentIp'], RateSpec>, Is<Config['harvestSets'], string[]>, Is<Config['publicUrl'], string | undefined>, Is<Config['logLevel'], 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'>] = [true, true, true, true, true];

test('Config is derived from SETTINGS: one field per setting, typed by its schema', () => {
  assert.deepEqual(typed, [true, true, true, true, true]);
  const config = loadConfig({ PAPERBOY_DB: ':memory:' });
  const keys = SETTINGS.map((s) => s.key).sort();
  assert.equal(new Set(keys).size, keys.length, 'no two settings fill the same field');
  const required = SETTINGS.filter((s) => 'default' in s).map((s) => s.key).sort();
  assert.deepEqual(Object.keys(config).sort(), required, 'every setting with a default is read');
  // A field that is not a setting is a type error: config.notASetting does not compile.
  // @ts-expect-error
  void config.notASetting;
});
