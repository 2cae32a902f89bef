import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP proxy in the test process between a server and PostgreSQL, to take the database away
 * without stopping the machine's PostgreSQL: `down('reset')` closes every connection and refuses
 * new ones (what a restart looks like), `down('blackhole')` accepts and never answers (a network
 * partition), `up()` forwards again.
 */
export async function startTcpProxy(targetPort: number, targetHost = '127.0.0.1') {
  let mode: 'up' | 'reset' | 'blackhole' = 'up';
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => {});
    if (mode === 'reset') return client.resetAndDestroy();
    if (mode === 'blackhole') return; // held open, silent
    const upstream = net.connect(targetPort, targetHost);
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => client.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    down(how: 'reset' | 'blackhole' = 'reset') {
      mode = how;
      for (const s of sockets) s.resetAndDestroy();
      sockets.clear();
    },
    up() {
      mode = 'up';
      for (const s of sockets) s.destroy(); // blackholed connections
      sockets.clear();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
