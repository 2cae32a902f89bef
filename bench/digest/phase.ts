/**
 * One measured phase of bench/digest, in its own process so its peak memory is its own:
 *   digest   <db> <smtpPort> <date>  — build the weekly digests into the outbox, then send them
 *   baseline <db> <smtpPort> <n>     — nodemailer alone sends n copies of one built digest
 * Prints one JSON line.
 */
import nodemailer from 'nodemailer';
import { openStore } from '../../src/store/index.ts';
import { loadConfig } from '../../src/config.ts';
import { silentLogger } from '../../src/logger.ts';
import { createServices } from '../../src/services/index.ts';
import { digestPeriod } from '../../src/domain/digest-period.ts';

const cpuMs = (u: NodeJS.CpuUsage) => (u.user + u.system) / 1000;
const peakRssMb = () => Math.round(process.resourceUsage().maxRSS / 1024);
const [mode, db, port, arg] = process.argv.slice(2);
const smtpUrl = `smtp://127.0.0.1:${port}?tls=off`;
const opened = await openStore(db);

if (mode === 'digest') {
  const config = loadConfig({}, { db, smtpUrl, mailRate: 1_000_000, publicUrl: 'https://paperboy.example', demo: false });
  const services = createServices({ config, logger: silentLogger, store: opened.store });
  const period = digestPeriod('weekly', arg)!;
  // The For-you feature index is built once per process (serve warms it at start): timed apart.
  const cw = process.cpuUsage();
  const tw = performance.now();
  await services.forYou.warm();
  const warmMs = performance.now() - tw;
  const warmCpuMs = cpuMs(process.cpuUsage(cw));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const built = await services.digests.build(period);
  const t1 = performance.now();
  const buildCpuMs = cpuMs(process.cpuUsage(c0));
  const c1 = process.cpuUsage();
  const sent = await services.outbox.sendDue();
  const t2 = performance.now();
  const sendCpuMs = cpuMs(process.cpuUsage(c1));
  await services.close();
  const sample = (await opened.store.outbox.list({ period: period.key })).slice(0, 200);
  const picks = sample.filter((m) => m.text.includes('\nFor you\n')).length;
  const following = sample.filter((m) => m.text.includes('\nFrom what you follow\n')).length;
  console.log(JSON.stringify({ mode, papers: built.papers, created: built.created, empty: built.empty, sent: sent.sent, failed: sent.failed + sent.deferred, buildMs: t1 - t0, sendMs: t2 - t1, warmMs, warmCpuMs, buildCpuMs, sendCpuMs, picksInSample: `${picks}/${sample.length}`, followingInSample: `${following}/${sample.length}`, avgHtmlBytes: Math.round(sample.reduce((n, m) => n + m.html.length + m.text.length, 0) / sample.length), peakRssMb: peakRssMb() }));
} else if (mode === 'baseline') {
  const n = Number(arg);
  const [m] = await opened.store.outbox.list();
  // The same transport settings as SmtpSender: one pooled connection.
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port: Number(port), secure: false, ignoreTLS: true, pool: true, maxConnections: 1, maxMessages: Infinity } as never);
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    await transport.sendMail({ from: 'Paperboy <paperboy@localhost>', to: `fixed${i}@example.test`, subject: m.subject, text: m.text, html: m.html, headers: m.headers });
  }
  const t1 = performance.now();
  transport.close();
  console.log(JSON.stringify({ mode, sent: n, sendMs: t1 - t0, sendCpuMs: cpuMs(process.cpuUsage(c0)), peakRssMb: peakRssMb() }));
}
await opened.close();
