import type { Kysely, RawBuilder, SelectQueryBuilder } from 'kysely';
import { jsonArrayFrom as pgJsonArrayFrom } from 'kysely/helpers/postgres';
import { jsonArrayFrom as sqliteJsonArrayFrom } from 'kysely/helpers/sqlite';
import { dialectOf } from './dialect.ts';

/**
 * A subquery's rows as one JSON-array column of the outer statement, in the subquery's order: a
 * page's several short lists (a paper's hub artifacts, its verified authors, links and
 * affiliations) come back in one statement instead of one each (issue 19: on PostgreSQL every
 * statement is a round trip and the server's bind and execute). The subquery names its columns
 * (no `selectAll`: SQLite's `json_object` needs them); numbers come back as JSON numbers, text as
 * text. Read the column back with `rowsOf`.
 */
export function jsonRows<O>(db: Kysely<any>, subquery: SelectQueryBuilder<any, any, O>): RawBuilder<O[]> {
  return (dialectOf(db) === 'postgres' ? pgJsonArrayFrom(subquery) : sqliteJsonArrayFrom(subquery)) as RawBuilder<O[]>;
}

/** A `jsonRows` column as read: `pg` parses PostgreSQL's json, SQLite hands back the text. */
export function rowsOf<O>(value: O[] | string | null | undefined): O[] {
  if (value == null) return [];
  return typeof value === 'string' ? (JSON.parse(value) as O[]) : value;
}
