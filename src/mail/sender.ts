import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import nodemailer, { type Transporter } from 'nodemailer';

/** One outgoing mail. `headers` are extra header lines (List-Unsubscribe, Message-ID, ...). */
export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html?: string;
  headers?: Record<string, string>;
}

/**
 * Sends mail. Throws `MailSendError` when a message is not accepted: `permanent` says whether
 * retrying the same message would fail again (an SMTP 5xx reply) or might succeed later (4xx,
 * connection refused or dropped, timeouts).
 */
export interface MailSender {
  send(msg: MailMessage): Promise<void>;
  /** `smtp` when SMTP_URL is set; `file` writes `.eml` files (mail is not configured). Others (a test's memory sender) leave it out. */
  readonly kind?: 'smtp' | 'file';
  close?(): Promise<void>;
}

export class MailSendError extends Error {
  override name = 'MailSendError';
  constructor(
    message: string,
    readonly permanent: boolean,
    /** The SMTP reply code, when the server answered. */
    readonly responseCode?: number,
    /** True when the failure was about the connection, not this message (later messages would fail too). */
    readonly connectionLevel = false,
  ) {
    super(message);
  }
}

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
}

const CONNECTION_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EPROXY']);

/** Classifies a nodemailer error: 5xx (except 503, a session-state reply) is permanent, everything else temporary. */
export function classifySendError(err: unknown): MailSendError {
  if (err instanceof MailSendError) return err;
  const e = err as NodemailerError;
  const code = e.responseCode;
  const permanent = code !== undefined && code >= 500 && code < 600 && code !== 503;
  const connectionLevel = code === 421 || (code === undefined && CONNECTION_CODES.has(e.code ?? ''));
  const detail = e.response ?? e.message ?? String(err);
  return new MailSendError(`${code ?? e.code ?? 'error'}: ${detail}`, permanent, code, connectionLevel);
}

export interface SenderOptions {
  smtpUrl?: string;
  from: string;
  /** Where `.eml` files go without SMTP. */
  mailDir: string;
  /** The process's shutdown deadline: an SMTP exchange still under way then is abandoned. */
  signal?: AbortSignal;
}

/** SMTP via nodemailer: a pooled connection, so a batch does not reconnect for each message. */
export class SmtpSender implements MailSender {
  readonly kind = 'smtp' as const;
  private readonly transport: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    private readonly signal?: AbortSignal,
  ) {
    const url = new URL(smtpUrl);
    const secure = url.protocol === 'smtps:';
    this.transport = nodemailer.createTransport({
      host: url.hostname,
      port: Number(url.port) || (secure ? 465 : 587),
      secure,
      auth: url.username ? { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } : undefined,
      pool: true,
      maxConnections: 1,
      maxMessages: Infinity,
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 30_000,
      // A local relay without a certificate (the default in development and tests) is allowed;
      // `?tls=strict` in SMTP_URL insists on a valid one.
      tls: { rejectUnauthorized: url.searchParams.get('tls') === 'strict' },
      ignoreTLS: url.searchParams.get('tls') === 'off',
    } as never);
  }

  async send(msg: MailMessage): Promise<void> {
    const signal = this.signal;
    if (signal?.aborted) throw abortedSend(signal);
    // nodemailer takes no AbortSignal: at the deadline the exchange is abandoned (the process exits
    // right after, which closes its socket). Whether the server had accepted the message is unknown,
    // so it is a temporary, connection-level failure: the outbox tries it again later, same Message-ID.
    let onAbort = () => {};
    const abandoned = new Promise<never>((_, reject) => {
      onAbort = () => reject(abortedSend(signal!));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([this.transport.sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html, headers: msg.headers }), abandoned]);
    } catch (err) {
      throw classifySendError(err);
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async close(): Promise<void> {
    this.transport.close();
  }
}

function abortedSend(signal: AbortSignal): MailSendError {
  return new MailSendError(`not sent: ${(signal.reason as Error)?.message ?? 'aborted'}`, false, undefined, true);
}

/** Without SMTP: each mail becomes an `.eml` file a newcomer can open in any mail client. */
export class FileSender implements MailSender {
  readonly kind = 'file' as const;
  private readonly transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });

  constructor(private readonly dir: string, private readonly from: string) {}

  async send(msg: MailMessage): Promise<void> {
    const info = (await this.transport.sendMail({ from: this.from, to: msg.to, subject: msg.subject, text: msg.text, html: msg.html, headers: msg.headers })) as { message: Buffer };
    await fs.promises.mkdir(this.dir, { recursive: true });
    const safeTo = msg.to.replace(/[^a-zA-Z0-9@._-]/g, '_');
    const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${safeTo}-${randomUUID().slice(0, 8)}.eml`;
    await fs.promises.writeFile(path.join(this.dir, name), info.message);
  }

  async close(): Promise<void> {}
}

export function createMailSender(opts: SenderOptions): MailSender {
  return opts.smtpUrl ? new SmtpSender(opts.smtpUrl, opts.from, opts.signal) : new FileSender(opts.mailDir, opts.from);
}
