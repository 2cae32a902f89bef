import { after, before, describe } from 'node:test';
import { STORE_KINDS, createTestStore, storeLabel, type StoreKind, type TestStore } from './stores.ts';

/**
 * Declares one suite per store kind: `forEachStore('papers', (ctx) => { test(...) })`. Inside the
 * tests, `ctx.store` is a fresh, migrated store of that kind.
 */
export interface StoreContext {
  kind: StoreKind;
  readonly store: TestStore['store'];
  readonly opened: TestStore;
}

/** Worked out once per test process: whether PostgreSQL is the real server or PGlite. */
const labels = new Map(await Promise.all(STORE_KINDS.map(async (k) => [k, await storeLabel(k)] as const)));

export function forEachStore(name: string, body: (ctx: StoreContext) => void): void {
  for (const kind of STORE_KINDS) {
    describe(`${name} [${labels.get(kind)}]`, () => {
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
        opened = await createTestStore(kind);
      });
      after(async () => {
        await opened?.close();
      });
      body(ctx);
    });
  }
}
