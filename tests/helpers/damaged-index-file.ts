import fs from 'node:fs';

/**
 * The ways a published index file (keyword index, For-you features) is found damaged on disk, each
 * of which its loader must refuse and rebuild: a flipped byte in the body (`flipAt` of the file's
 * length), a cut-off end (`cut` bytes), and a format version this code does not write (the header's
 * version field at byte 8).
 */
export function indexFileDamages(format: number, o: { flipAt: (length: number) => number; cut: number }) {
  return [
    ['checksum', (f: string) => {
      const b = fs.readFileSync(f);
      b[o.flipAt(b.length)] ^= 0x10;
      fs.writeFileSync(f, b);
    }],
    ['truncated', (f: string) => fs.truncateSync(f, fs.statSync(f).size - o.cut)],
    ['version', (f: string) => {
      const b = fs.readFileSync(f);
      b.writeUInt32LE(format + 7, 8);
      fs.writeFileSync(f, b);
    }],
  ] as const;
}
