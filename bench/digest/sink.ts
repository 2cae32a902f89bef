/**
 * The benchmark's SMTP sink, in a process of its own so its work and memory are not counted in
 * the sender's: accepts every message, counts them, answers `count` on IPC.
 */
import { SMTPServer } from 'smtp-server';

let count = 0;
let bytes = 0;
const server = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  closeTimeout: 200,
  size: 10 * 1024 * 1024,
  onData(stream, _session, callback) {
    stream.on('data', (c: Buffer) => (bytes += c.length));
    stream.on('end', () => {
      count++;
      callback();
    });
  },
});
server.listen(0, '127.0.0.1', () => {
  process.send!({ port: (server.server.address() as { port: number }).port });
});
process.on('message', (m) => {
  if (m === 'count') process.send!({ count, bytes });
  if (m === 'reset') {
    count = 0;
    bytes = 0;
    process.send!({ reset: true });
  }
  if (m === 'stop') server.close(() => process.exit(0));
});
