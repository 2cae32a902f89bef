import type { Kysely, Selectable } from 'kysely';
import { parseScopes, type ApiToken, type TokenScope, type User } from '../domain/community.ts';
import type { ApiTokensTable, Database } from './schema.ts';
import { rowToUser } from './users.ts';

/** How stale a token's "last used" may be: it is written at most once a minute per token. */
const LAST_USED_RESOLUTION_MS = 60_000;

function rowToToken(r: Selectable<ApiTokensTable>): ApiToken {
  return {
    id: Number(r.id),
    userId: Number(r.user_id),
    name: r.name,
    prefix: r.prefix,
    createdAt: r.created_at,
    lastUsedAt: r.last_used_at,
    revokedAt: r.revoked_at,
    scopes: parseScopes(r.scopes),
    expiresAt: r.expires_at,
  };
}

/** Bearer tokens for scripts, stored as SHA-256 hashes, each with its scopes and expiry. */
export class ApiTokenRepository {
  constructor(private readonly db: Kysely<Database>) {}

  async create(t: { userId: number; name: string; tokenHash: string; prefix: string; scopes: TokenScope[]; expiresAt: string }, now = new Date().toISOString()): Promise<ApiToken> {
    const r = await this.db
      .insertInto('api_tokens')
      .values({ user_id: t.userId, name: t.name, token_hash: t.tokenHash, prefix: t.prefix, created_at: now, scopes: t.scopes.join(' '), expires_at: t.expiresAt })
      .returningAll()
      .executeTakeFirstOrThrow();
    return rowToToken(r);
  }

  /** The live (unrevoked, unexpired) token and its owner, marking the token used. */
  async authenticate(tokenHash: string, now = new Date().toISOString()): Promise<{ token: ApiToken; user: User } | null> {
    const r = await this.db
      .selectFrom('api_tokens as t')
      .innerJoin('users as u', 'u.id', 't.user_id')
      .selectAll('u')
      .select(['t.id as t_id', 't.name as t_name', 't.prefix as t_prefix', 't.created_at as t_created_at', 't.scopes as t_scopes', 't.expires_at as t_expires_at', 't.last_used_at as t_last_used_at'])
      .where('t.token_hash', '=', tokenHash)
      .where('t.revoked_at', 'is', null)
      .where('t.expires_at', '>', now)
      .executeTakeFirst();
    if (!r) return null;
    // "Last used" to the minute: a script's every read wrote the row, and on SQLite each such write
    // waits for any other process's write lock before the read is answered (issue 19).
    const stale = !r.t_last_used_at || Date.parse(now) - Date.parse(r.t_last_used_at) >= LAST_USED_RESOLUTION_MS;
    if (stale) await this.db.updateTable('api_tokens').set({ last_used_at: now }).where('id', '=', r.t_id).execute();
    return {
      token: { id: Number(r.t_id), userId: Number(r.id), name: r.t_name, prefix: r.t_prefix, createdAt: r.t_created_at, lastUsedAt: stale ? now : r.t_last_used_at, revokedAt: null, scopes: parseScopes(r.t_scopes), expiresAt: r.t_expires_at },
      user: rowToUser(r),
    };
  }

  /** The account's live tokens, newest first. */
  async listForUser(userId: number, now = new Date().toISOString()): Promise<ApiToken[]> {
    const rows = await this.db
      .selectFrom('api_tokens')
      .selectAll()
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .where('expires_at', '>', now)
      .orderBy('id', 'desc')
      .execute();
    return rows.map(rowToToken);
  }

  /** Revokes one of the user's tokens; false when it is not theirs or already revoked. */
  async revoke(userId: number, id: number, now = new Date().toISOString()): Promise<boolean> {
    const r = await this.db.updateTable('api_tokens').set({ revoked_at: now }).where('id', '=', id).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Revokes every token of an account (password reset, "log out everywhere", ban). Returns how many. */
  async revokeAllForUser(userId: number, now = new Date().toISOString()): Promise<number> {
    const r = await this.db.updateTable('api_tokens').set({ revoked_at: now }).where('user_id', '=', userId).where('revoked_at', 'is', null).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }
}
