import type { Child } from 'hono/jsx';

export interface LayoutProps {
  title: string;
  children: Child;
}

/** The page shell every HTML page shares. hono/jsx escapes every interpolated string. */
export function Layout({ title, children }: LayoutProps) {
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{title}</title>
      </head>
      <body>
        <header>
          <a href="/">Paperboy</a>
        </header>
        <main id="main">{children}</main>
      </body>
    </html>
  );
}
