/**
 * The site's only script, bundled by esbuild. Every page works without it: it only enhances
 * (theme toggle, search suggestions, j/k between papers, copy the BibTeX, upvotes without reload).
 */
import { setupTheme } from './theme.ts';
import { setupSuggestions } from './suggest.ts';
import { setupKeys } from './keys.ts';
import { setupCopy } from './copy.ts';
import { setupUpvotes } from './upvote.ts';

setupTheme();
setupSuggestions();
setupKeys();
setupCopy();
setupUpvotes();
