/**
 * Preload for bench/load/kinds.ts: counts the SQL statements this process sends through `pg`
 * (every PostgreSQL query Kysely runs). On SIGUSR2 it writes the counts since the last signal, by
 * statement text, to $SQL_COUNT_FILE and starts again from zero. Bench only; never imported by src.
 */
import fs from 'node:fs';
import pg from 'pg';

const counts = new Map();
let total = 0;
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function countedQuery(config, ...rest) {
  const text = typeof config === 'string' ? config : config?.text;
  if (text) {
    total++;
    const key = text.replace(/\s+/g, ' ').slice(0, 240);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return query.call(this, config, ...rest);
};
process.on('SIGUSR2', () => {
  if (process.env.SQL_COUNT_FILE) fs.writeFileSync(process.env.SQL_COUNT_FILE, JSON.stringify({ total, byText: [...counts].sort((a, b) => b[1] - a[1]) }));
  counts.clear();
  total = 0;
});
