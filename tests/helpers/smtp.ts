import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

/** A mail as the test SMTP server received it, decoded enough to read. */
export interface ReceivedMail {
  to: string[];
  raw: string;
  headers: Map<string, string>;
  subject: string;
  messageId: string;
  text: string;
  html: string;
}

/** What the server answers to one message: accept, or an SMTP error reply. */
export type Verdict = { accept: true } | { code: number; message: string };

export interface SmtpSinkOptions {
  port?: number;
  /** Decides each message after its data arrived; default accept. Return 'hang' to never answer. */
  verdict?: (mail: ReceivedMail, n: number) => Verdict | 'hang';
  /** A slow server: how long it takes to answer each message once its data arrived. */
  delayMs?: number;
}

function decodeWords(s: string): string {
  return s.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=\s*/g, (_, _cs, enc: string, data: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(data, 'base64').toString('utf8')
      : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
  );
}

function parseHeaders(block: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of block.replace(/\r\n[ \t]+/g, ' ').split(/\r\n/)) {
    const i = line.indexOf(':');
    if (i > 0) out.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return out;
}

function decodeBody(body: string, encoding: string | undefined): string {
  const enc = (encoding ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') {
    const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8').replace(/\r\n/g, '\n');
  }
  return body.replace(/\r\n/g, '\n');
}

/** Splits a (multipart/alternative) message into its text and HTML parts. */
export function parseMail(raw: string, to: string[] = []): ReceivedMail {
  const split = raw.indexOf('\r\n\r\n');
  const headers = parseHeaders(raw.slice(0, split));
  const body = raw.slice(split + 4);
  let text = '';
  let html = '';
  const type = headers.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
  const parts = boundary ? body.split(`--${boundary}`).slice(1, -1) : [raw.slice(0, split) + '\r\n\r\n' + body];
  for (const part of parts) {
    const p = part.replace(/^\r\n/, '');
    const i = p.indexOf('\r\n\r\n');
    const h = parseHeaders(p.slice(0, i));
    const content = decodeBody(p.slice(i + 4).replace(/\r\n$/, ''), h.get('content-transfer-encoding'));
    if ((h.get('content-type') ?? '').startsWith('text/html')) html = content;
    else text = content;
  }
  return { to, raw, headers, subject: decodeWords(headers.get('subject') ?? ''), messageId: headers.get('message-id') ?? '', text, html };
}

/**
 * A real SMTP server in the test process (smtp-server): records what it accepted, and answers
 * with whatever reply a test asks for (421, 550, ...).
 */
export class SmtpSink {
  readonly accepted: ReceivedMail[] = [];
  /** Every message whose data arrived, accepted or not. */
  received = 0;
  verdict: NonNullable<SmtpSinkOptions['verdict']>;
  delayMs: number;
  private server!: SMTPServer;
  port = 0;

  constructor(opts: SmtpSinkOptions = {}) {
    this.verdict = opts.verdict ?? (() => ({ accept: true }));
    this.delayMs = opts.delayMs ?? 0;
    this.port = opts.port ?? 0;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}?tls=off`;
  }

  async start(): Promise<this> {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      closeTimeout: 200,
      onData: (stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const mail = parseMail(Buffer.concat(chunks).toString('latin1'), session.envelope.rcptTo.map((r) => r.address));
          this.received++;
          const v = this.verdict(mail, this.received);
          if (v === 'hang') return;
          const answer = () => {
            if ('accept' in v) {
              this.accepted.push(mail);
              return callback();
            }
            callback(Object.assign(new Error(v.message), { responseCode: v.code }));
          };
          if (this.delayMs > 0) setTimeout(answer, this.delayMs);
          else answer();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (this.server.server.address() as { port: number }).port;
    return this;
  }

  to(address: string): ReceivedMail[] {
    return this.accepted.filter((m) => m.to.includes(address));
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A free TCP port nobody listens on (for "the SMTP server is down"). */
export async function freePort(): Promise<number> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}
