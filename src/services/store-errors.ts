/**
 * The store's failures the edges must tell apart (a 503 instead of a 500, exit status 2 instead
 * of 1), named here so that routes and commands need not import the store.
 */
export { StoreUnavailableError } from '../store/db.ts';
export { SchemaTooNewError } from '../store/migrate.ts';
export { BackupError } from '../store/backup.ts';
export { isStoreBusy, isStoreFull, isStoreUnavailable } from '../store/errors.ts';
