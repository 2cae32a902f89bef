import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { settingsMarkdown } from '../../src/config.ts';

const README = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../README.md');

test("the README's settings table is the one `paperboy config --markdown` prints", () => {
  const lines = fs.readFileSync(README, 'utf8').split('\n');
  const start = lines.findIndex((l) => l.startsWith('<!-- settings:start'));
  assert.ok(start >= 0, 'the README marks where the settings table starts');
  let end = start + 1;
  while (end < lines.length && lines[end].startsWith('|')) end++;
  assert.equal(
    lines.slice(start + 1, end).join('\n'),
    settingsMarkdown().trim(),
    'a setting was added or changed: regenerate the table with `npx tsx src/cli/main.ts config --markdown`',
  );
});
