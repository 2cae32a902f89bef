import { currentView } from './request-view.ts';

/**
 * The message a form left for this page after its redirect ("Comment deleted."), and once, a
 * secret beside it (a new API token). Marks it shown so the middleware uses it up.
 */
export function FlashMessage() {
  const view = currentView();
  const flash = view?.flash;
  if (!view || !flash) return null;
  view.flashShown = true;
  return (
    <div class="flash" role="status">
      <p>{flash.message}</p>
      {flash.secret && (
        <p>
          <code class="secret" data-new-token>
            {flash.secret}
          </code>
        </p>
      )}
    </div>
  );
}
