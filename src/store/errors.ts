/**
 * What a failed store call means for a request: the store is unreachable (answer 503 and let the
 * client retry; the pool reconnects on its own), or full (SQLite on a full disk), or something else.
 */

// Node socket errors, pg's own connection messages, and Kysely's once the store is closed at shutdown.
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const PG_MESSAGES = [/timeout exceeded when trying to connect/i, /Connection terminated/i, /Client has encountered a connection error/i, /Connection ended/i, /^timeout expired$/, /connection timeout/i, /driver has already been destroyed/i];

export function isStoreUnavailable(err: unknown): boolean {
  for (let e = err as (Error & { code?: unknown; cause?: unknown }) | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    const code = typeof e.code === 'string' ? e.code : '';
    if (NETWORK_CODES.has(code)) return true;
    // SQLSTATE class 08 (connection exception), 57P01-57P03 (server shutting down / starting up), 53300 (too many connections).
    if (/^08/.test(code) || /^57P0[123]$/.test(code) || code === '53300') return true;
    if (code.startsWith('SQLITE_BUSY') || code === 'SQLITE_CANTOPEN') return true;
    if (typeof e.message === 'string' && PG_MESSAGES.some((re) => re.test(e!.message))) return true;
  }
  return false;
}

/** SQLite: the disk (or `max_page_count`) is full; PostgreSQL: 53100 disk_full. */
export function isStoreFull(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return code === 'SQLITE_FULL' || code === '53100';
}

/**
 * SQLite: another process (the worker, an import, a reindex) held the write lock longer than this
 * process waits for it (`LOCK_WAIT_MS`, `sqlite-lock-wait.ts`). The write was not made (its
 * transaction never began, or was rolled back): the client may send it again.
 */
export function isStoreBusy(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && code.startsWith('SQLITE_BUSY');
}
