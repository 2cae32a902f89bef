import { html, type SafeHtml } from '../html.ts';

/**
 * The mail shell: a centred 600px table with inline styles (what Gmail, Outlook and Apple Mail
 * all honour), `color-scheme` metas and a prefers-color-scheme block for clients that support
 * dark mode; colours are chosen to stay readable when a client inverts them itself.
 */
export function mailShell(opts: { title: string; preheader: string; body: SafeHtml; footer: SafeHtml }): string {
  return html`<!doctype html>
<html lang="en" xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="supported-color-schemes" content="light dark">
<title>${opts.title}</title>
<style>
  :root { color-scheme: light dark; supported-color-schemes: light dark; }
  @media (prefers-color-scheme: dark) {
    .pb-bg { background-color: #111418 !important; }
    .pb-card { background-color: #1b2027 !important; border-color: #2c333d !important; }
    .pb-text { color: #e6e9ee !important; }
    .pb-muted { color: #a7b0bd !important; }
    .pb-link { color: #8ab4ff !important; }
  }
</style>
</head>
<body class="pb-bg" style="margin:0;padding:0;background-color:#f4f5f7;">
<div style="display:none;max-height:0;overflow:hidden;mso-hide:all;">${opts.preheader}</div>
<table role="presentation" class="pb-bg" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#f4f5f7;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" class="pb-card" width="600" cellpadding="0" cellspacing="0" border="0" style="width:100%;max-width:600px;background-color:#ffffff;border:1px solid #e1e4e8;border-radius:8px;">
<tr><td class="pb-text" style="padding:24px;font-family:-apple-system,BlinkMacSystemFont,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.5;color:#1f2328;">
${opts.body}
</td></tr>
<tr><td class="pb-muted" style="padding:16px 24px;border-top:1px solid #e1e4e8;font-family:Helvetica,Arial,sans-serif;font-size:12px;line-height:1.5;color:#57606a;">
${opts.footer}
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>`.value;
}

export const linkStyle = 'color:#0b57d0;text-decoration:underline;';
