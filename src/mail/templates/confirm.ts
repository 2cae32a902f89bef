import { html } from '../html.ts';
import { linkStyle, mailShell } from './shared.ts';
import type { MailMessage } from '../sender.ts';
import type { Frequency } from '../../domain/subscription.ts';

export interface ConfirmMailInput {
  to: string;
  confirmUrl: string;
  siteUrl: string;
  frequency: Frequency;
  expiresHours: number;
}

/** The double opt-in mail: nothing else is sent to the address until its link is followed. */
export function confirmMail(input: ConfirmMailInput): MailMessage {
  const what = input.frequency === 'daily' ? 'a daily digest (weekdays)' : 'a weekly digest (Mondays)';
  const subject = 'Confirm your Paperboy subscription';
  const text = [
    `Someone (hopefully you) asked for ${what} of trending papers from ${input.siteUrl} to be sent to ${input.to}.`,
    '',
    'Confirm the subscription by opening this link:',
    input.confirmUrl,
    '',
    `The link expires in ${input.expiresHours} hours. If you did not ask for this, ignore this mail: nothing more will be sent.`,
  ].join('\n');
  const body = html`<h1 style="margin:0 0 12px;font-size:20px;">Confirm your subscription</h1>
<p style="margin:0 0 16px;">Someone (hopefully you) asked for ${what} of trending papers to be sent to <strong>${input.to}</strong>.</p>
<table role="presentation" cellpadding="0" cellspacing="0" border="0"><tr><td style="border-radius:6px;background-color:#0b57d0;">
<a href="${input.confirmUrl}" style="display:inline-block;padding:10px 18px;color:#ffffff;text-decoration:none;font-weight:bold;">Confirm subscription</a>
</td></tr></table>
<p style="margin:16px 0 0;font-size:13px;">Or open: <a class="pb-link" href="${input.confirmUrl}" style="${linkStyle}">${input.confirmUrl}</a></p>`;
  const footer = html`The link expires in ${input.expiresHours} hours. If you did not ask for this, ignore this mail: nothing more will be sent.`;
  return { to: input.to, subject, text, html: mailShell({ title: subject, preheader: 'One click to start receiving trending papers.', body, footer }) };
}
