/**
 * A list of strings kept as the UTF-8 bytes they were stored as (joined by newlines, an index
 * file's `strings` section) with an open-addressing hash table over them, both typed arrays: a
 * look-up table (string → position) with no JavaScript object per string. The keyword index's
 * vocabulary is hundreds of thousands of terms: as a `Map` of strings it took seconds of the
 * request thread's CPU to fill at every load (and each growth rehashed it in one step), and its
 * strings lengthened every full garbage collection of a serving process. `buildStringTable` runs
 * in the index file reader thread; the table arrives as moved buffers.
 */
export class StringTable {
  private readonly scratch = new Uint8Array(256);
  private readonly mask: number;
  private view: Buffer | undefined;

  constructor(
    /** The section's bytes. */
    readonly bytes: Uint8Array,
    /** Where string i starts; string i ends one byte (its newline) before `starts[i + 1]`. */
    private readonly starts: Uint32Array,
    /** Position + 1 of the string hashed to each slot (0: empty); a power-of-two length. */
    private readonly slots: Int32Array,
  ) {
    this.mask = slots.length - 1;
  }

  get size(): number {
    return this.starts.length - 1;
  }

  /** The same as `size`: the table stands in for a string list where one is expected. */
  get length(): number {
    return this.size;
  }

  at(i: number): string {
    // One view for every call: a Buffer made per call was most of the cost of listing many (For you's split by day).
    this.view ??= Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    return this.view.toString('utf8', this.starts[i], this.starts[i + 1] - 1);
  }

  /** The position of `s`, or undefined. */
  get(s: string): number | undefined {
    let key = this.scratch;
    // Worst case 3 bytes per UTF-16 unit.
    if (s.length * 3 > key.length) key = new Uint8Array(s.length * 3);
    const { written } = encoder.encodeInto(s, key);
    for (let slot = hashBytes(key, 0, written) & this.mask; ; slot = (slot + 1) & this.mask) {
      const at = this.slots[slot];
      if (at === 0) return undefined;
      if (this.equals(at - 1, key, written)) return at - 1;
    }
  }

  has(s: string): boolean {
    return this.get(s) !== undefined;
  }

  /** The strings in order, as a list iterates. */
  [Symbol.iterator](): IterableIterator<string> {
    return this.keys();
  }

  *keys(): IterableIterator<string> {
    for (let i = 0; i < this.size; i++) yield this.at(i);
  }

  *entries(): IterableIterator<[string, number]> {
    for (let i = 0; i < this.size; i++) yield [this.at(i), i];
  }

  /** Bytes held (for memory estimates). */
  get byteLength(): number {
    return this.bytes.byteLength + this.starts.byteLength + this.slots.byteLength;
  }

  private equals(i: number, key: Uint8Array, n: number): boolean {
    const from = this.starts[i];
    if (this.starts[i + 1] - 1 - from !== n) return false;
    for (let k = 0; k < n; k++) if (this.bytes[from + k] !== key[k]) return false;
    return true;
  }
}

const encoder = new TextEncoder();

/** FNV-1a over bytes `from`..`to` (exclusive), as an unsigned 32-bit number. */
function hashBytes(b: Uint8Array, from: number, to: number): number {
  let h = 0x811c9dc5;
  for (let k = from; k < to; k++) h = Math.imul(h ^ b[k], 0x01000193);
  return h >>> 0;
}

/**
 * The positions and hash table of `count` newline-joined strings (an empty section holds none).
 * Throws when the bytes hold another number of strings or a string twice.
 */
export function buildStringTable(bytes: Uint8Array, count: number): { starts: Uint32Array; slots: Int32Array } {
  const starts = new Uint32Array(count + 1);
  let n = 0;
  if (count > 0) {
    starts[n++] = 0;
    for (let k = 0; k < bytes.length; k++) {
      if (bytes[k] !== 10) continue;
      if (n > count - 1) throw new Error(`more than ${count} strings`);
      starts[n++] = k + 1;
    }
  }
  if (n !== count) throw new Error(`${n} strings, ${count} expected`);
  // The end sentinel: one past a virtual newline after the last string.
  starts[count] = bytes.length + 1;
  let size = 8;
  while (size < count * 2) size *= 2;
  const slots = new Int32Array(size);
  const mask = size - 1;
  for (let i = 0; i < count; i++) {
    const from = starts[i];
    const to = starts[i + 1] - 1;
    for (let slot = hashBytes(bytes, from, to) & mask; ; slot = (slot + 1) & mask) {
      const at = slots[slot];
      if (at === 0) {
        slots[slot] = i + 1;
        break;
      }
      const oFrom = starts[at - 1];
      const oTo = starts[at] - 1;
      if (oTo - oFrom === to - from && bytesEqual(bytes, oFrom, from, to - from)) throw new Error(`a string appears twice (positions ${at - 1} and ${i})`);
    }
  }
  return { starts, slots };
}

function bytesEqual(b: Uint8Array, x: number, y: number, n: number): boolean {
  for (let k = 0; k < n; k++) if (b[x + k] !== b[y + k]) return false;
  return true;
}
