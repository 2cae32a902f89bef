import { after, before, describe } from 'node:test';
import { STORE_KINDS, createTestStore, postgresBackend, storeLabel, type StoreKind, type TestStore } from './stores.ts';

// Decided once per test file, before its suites are named: PGlite runs are labelled `[postgres:pglite]`.
const backend = await postgresBackend();

/**
 * Declares one suite per store kind: `forEachStore('papers', (ctx) => { test(...) })`. Inside the
 * tests, `ctx.store` is a fresh, migrated store of that kind.
 */
export interface StoreContext {
  kind: StoreKind;
  readonly store: TestStore['store'];
  readonly opened: TestStore;
  /**
   * Runs `fn` when the suite ends, before the store closes (a suite's own `after` hooks run after
   * the harness's, on a closed store): for services over the store, whose `close()` still writes
   * (the ANN index beside a SQLite file, a publication under way).
   */
  beforeStoreCloses(fn: () => Promise<void> | void): void;
}


export function forEachStore(name: string, body: (ctx: StoreContext) => void): void {
  for (const kind of STORE_KINDS) {
    describe(`${name} [${storeLabel(kind, backend)}]`, () => {
      let opened: TestStore | undefined;
      const closers: Array<() => Promise<void> | void> = [];
      const ctx: StoreContext = {
        kind,
        get store() {
          if (!opened) throw new Error('store not open yet');
          return opened.store;
        },
        get opened() {
          if (!opened) throw new Error('store not open yet');
          return opened;
        },
        beforeStoreCloses(fn) {
          closers.push(fn);
        },
      };
      before(async () => {
        opened = await createTestStore(kind, backend);
      });
      after(async () => {
        try {
          for (const fn of closers.reverse()) await fn();
        } finally {
          await opened?.close();
        }
      });
      body(ctx);
    });
  }
}
