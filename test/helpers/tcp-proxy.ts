// A TCP proxy that holds every reply back: `delayMs` late (a sentinel across a slow link or on a
// loaded host), or never (one that accepts connections and answers nothing).

import net from 'node:net';

export interface TcpProxy {
  port: number;
  close(): Promise<void>;
}

export function startTcpProxy(targetPort: number, replies: { delayMs: number } | 'never'): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => {
        sockets.delete(s);
        client.destroy();
        upstream.destroy();
      });
      s.on('error', () => s.destroy());
    }
    client.on('data', (d) => upstream.write(d));
    if (replies !== 'never') upstream.on('data', (d) => setTimeout(() => client.writable && client.write(d), replies.delayMs));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        port: (server.address() as net.AddressInfo).port,
        close: () => {
          for (const s of sockets) s.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    ),
  );
}
