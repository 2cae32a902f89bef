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
}

export function forEachStore(name: string, body: (ctx: StoreContext) => void): void {
  for (const kind of STORE_KINDS) {
    describe(`${name} [${storeLabel(kind, backend)}]`, () => {
      let opened: TestStore | undefined;
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
      };
      before(async () => {
        opened = await createTestStore(kind, backend);
      });
      after(async () => {
        await opened?.close();
      });
      body(ctx);
    });
  }
}
