/**
 * Local TLS servers that start TLS the way each database engine does (PostgreSQL SSLRequest, MySQL greeting
 * then SSLRequest, SQL Server TDS 8.0 strict: TLS first), for the worker's certificate check. They speak
 * nothing past the handshake: the check needs nothing more.
 */
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, TLSSocket } from 'node:tls';
import type { DatabaseEngine } from '../../domain/migration.ts';
import type { TlsMaterial } from '../../simulators/certificates.ts';

export interface DatabaseTlsServer {
  port: number;
  close(): Promise<void>;
}

/** Wraps a plain socket as the TLS server side once the engine's negotiation is done. */
function startTls(socket: Socket, tls: TlsMaterial) {
  const secure = new TLSSocket(socket, { isServer: true, key: tls.serverKeyPem, cert: tls.serverCertPem });
  secure.on('error', () => secure.destroy());
}

/** A server that negotiates TLS as `engine` does, presenting the certificate in `tls`. */
export async function databaseTlsServer(
  engine: DatabaseEngine,
  tls: TlsMaterial,
): Promise<DatabaseTlsServer> {
  let server: Server;
  if (engine === 'SQL Server') {
    server = createTlsServer({ key: tls.serverKeyPem, cert: tls.serverCertPem, ALPNProtocols: ['tds/8.0'] });
    server.on('tlsClientError', () => {});
  } else if (engine === 'PostgreSQL') {
    server = createTcpServer((socket) => {
      socket.once('data', (request: Buffer) => {
        if (request.length !== 8 || request.readInt32BE(4) !== 80877103) return socket.destroy();
        socket.write('S');
        startTls(socket, tls);
      });
    });
  } else {
    server = createTcpServer((socket) => {
      // Protocol 10 greeting: version, server version, connection id, scramble, filler, capabilities.
      const payload = Buffer.concat([
        Buffer.from([10]),
        Buffer.from('8.0.36\0'),
        Buffer.alloc(4, 1),
        Buffer.alloc(8, 7),
        Buffer.alloc(1),
        Buffer.alloc(2), // lower capabilities, written below
        Buffer.from([45, 2, 0, 0, 0]),
      ]);
      payload.writeUInt16LE(0x800 | 0x200 | 0x8000, 1 + 7 + 4 + 8 + 1);
      const header = Buffer.alloc(4);
      header.writeUIntLE(payload.length, 0, 3);
      socket.write(Buffer.concat([header, payload]));
      let received = Buffer.alloc(0);
      const onData = (chunk: Buffer) => {
        received = Buffer.concat([received, chunk]);
        if (received.length < 36) return;
        socket.off('data', onData);
        if ((received.readUInt32LE(4) & 0x800) === 0) return socket.destroy();
        // The client sends its TLS hello right after the SSLRequest: give those bytes back to the stream.
        socket.pause();
        if (received.length > 36) socket.unshift(received.subarray(36));
        startTls(socket, tls);
      };
      socket.on('data', onData);
    });
  }
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
      }),
  };
}
