import type { ThumbnailRef } from '../../domain/enrichment.ts';
import { thumbnailPath } from '../../domain/enrichment.ts';

/**
 * A first-page thumbnail: lazy-loaded, with its size given so the page does not jump when it
 * arrives. Decorative (`alt=""`): the paper's title beside it says what it is and links to it. Kept
 * to the attributes that matter: fifty of these are on every feed page (no class either: the
 * stylesheet styles a card's and a search hit's own `<img>`).
 */
export function Thumbnail({ thumb, width }: { thumb: ThumbnailRef; width: number }) {
  const height = Math.round((thumb.height * width) / thumb.width);
  return <img src={thumbnailPath(thumb)} width={width} height={height} loading="lazy" alt="" />;
}
