/**
 * Thumbnails for e-mail. The PDF step stores WebP, which desktop Outlook (and some older mail
 * clients) cannot show, so the digest links `/thumbs/{hash}.jpg` and this turns the stored image
 * into a JPEG on first request. Only images this site rendered itself are ever decoded (looked up
 * by their hash, never a fetched or uploaded file). The encoding runs on Skia's own thread; the
 * answers are kept in a small LRU, since a digest sends the same few dozen images to every reader.
 */
const QUALITY = 85;
/** JPEGs kept: a week of digests' thumbnails (each ~10–20 kB). */
const CACHED = 256;

type Canvas = typeof import('@napi-rs/canvas');
let canvasModule: Promise<Canvas> | null = null;
/** Loaded on the first JPEG asked for: a server that sends no digest never loads Skia. */
const canvas = () => (canvasModule ??= import('@napi-rs/canvas'));

/** The image (WebP or PNG) as a JPEG of the same size on white (JPEG has no transparency). */
export async function toJpeg(image: Uint8Array): Promise<Uint8Array> {
  const { createCanvas, loadImage } = await canvas();
  const img = await loadImage(Buffer.from(image.buffer, image.byteOffset, image.byteLength));
  const c = createCanvas(img.width, img.height);
  const ctx = c.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, img.width, img.height);
  ctx.drawImage(img, 0, 0);
  return new Uint8Array(await c.encode('jpeg', QUALITY));
}

/**
 * JPEGs by thumbnail hash, least recently used dropped first. It keeps only the conversion: the
 * caller looks the image up each time, so a thumbnail whose paper was hidden since is not served.
 */
export class JpegCache {
  private readonly entries = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly max = CACHED) {}

  /** The JPEG of this image (named by its hash), converted once. */
  of(hash: string, image: Uint8Array): Promise<Uint8Array> {
    const hit = this.entries.get(hash);
    if (hit) {
      this.entries.delete(hash);
      this.entries.set(hash, hit);
      return hit;
    }
    const made = toJpeg(image);
    made.catch(() => this.entries.delete(hash)); // a failure is retried next time
    this.entries.set(hash, made);
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
    return made;
  }
}
