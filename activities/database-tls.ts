/**
 * The worker's own check of a source database server's certificate against the CA configured for that
 * server, before a migration is handed to Azure. The integration runtime (or DMS) makes the migration's
 * connections and verifies certificates with its host's trust store; this check fails early, in the
 * factory's words, when the server's certificate does not chain to the CA the operator said it does.
 *
 * Each engine starts TLS its own way (the check speaks only as much of each protocol as that takes):
 * - PostgreSQL: SSLRequest (Int32 8, Int32 80877103), the server answers 'S' and TLS begins
 *   (postgresql.org/docs/current/protocol-flow.html#PROTOCOL-FLOW-SSL).
 * - MySQL: the server's greeting, then an SSLRequest packet with CLIENT_SSL, then TLS
 *   (dev.mysql.com/doc/dev/mysql-server/latest/page_protocol_connection_phase_packets_protocol_ssl_request.html).
 * - SQL Server: TDS 8.0 strict encryption, TLS from the first byte with ALPN `tds/8.0` (SQL Server 2022+;
 *   learn.microsoft.com/sql/relational-databases/security/networking/tds-8).
 */
import { connect as connectTcp, type Socket } from 'node:net';
import { connect as connectTls, type TLSSocket } from 'node:tls';
import type { DatabaseEngine } from '../domain/migration.ts';

export interface CertificateCheck {
  engine: DatabaseEngine;
  host: string;
  port: number;
  /** PEM of the CA(s) the server's certificate must chain to (instead of the system's). */
  ca: string;
  /** Where the CA came from, for the error. */
  caFile: string;
  timeoutMs: number;
}

export class CertificateCheckError extends Error {
  override name = 'CertificateCheckError';
}

const postgresSslRequestCode = 80877103;
/** CLIENT_LONG_PASSWORD | CLIENT_PROTOCOL_41 | CLIENT_SSL | CLIENT_SECURE_CONNECTION. */
const mysqlClientFlags = 0x1 | 0x200 | 0x800 | 0x8000;
const mysqlClientSsl = 0x800;

/** Resolves with the peer's certificate subject once verified; rejects naming the server and the CA file. */
export async function checkServerCertificate(check: CertificateCheck): Promise<string> {
  const where = `${check.engine} server ${check.host}:${check.port}`;
  const deadline = AbortSignal.timeout(check.timeoutMs);
  let socket: Socket | undefined;
  try {
    const name = serverName(check.host);
    const tlsOptions = { host: check.host, ca: check.ca, ...(name ? { servername: name } : {}) };
    let tls: TLSSocket;
    if (check.engine === 'SQL Server') {
      tls = connectTls({ ...tlsOptions, port: check.port, ALPNProtocols: ['tds/8.0'] });
    } else {
      socket = await openTcp(check.host, check.port, deadline);
      if (check.engine === 'PostgreSQL') await negotiatePostgres(socket, deadline);
      else await negotiateMySql(socket, deadline);
      tls = connectTls({ ...tlsOptions, socket });
    }
    const subject = await new Promise<string>((resolve, reject) => {
      const onAbort = () => tls.destroy(new Error('timed out'));
      deadline.addEventListener('abort', onAbort, { once: true });
      tls.once('close', () => deadline.removeEventListener('abort', onAbort));
      tls.once('secureConnect', () => {
        const peer = tls.getPeerCertificate();
        tls.destroy();
        resolve(peer.subject?.CN ? `CN=${String(peer.subject.CN)}` : 'the server');
      });
      tls.on('error', (error: Error) => {
        tls.destroy();
        reject(error);
      });
    });
    return subject;
  } catch (error) {
    socket?.destroy();
    const code = (error as NodeJS.ErrnoException).code;
    const reason = error instanceof Error ? error.message : String(error);
    if (deadline.aborted)
      throw new CertificateCheckError(`${where}: no TLS handshake within ${check.timeoutMs} ms`);
    if (code && /CERT|SIGNATURE|ISSUER|SELF_SIGNED|HOSTNAME|ALTNAME/.test(code))
      throw new CertificateCheckError(
        `${where}: its certificate is not trusted by the CA in ${check.caFile} (${code}: ${reason}). Configure the CA that issued the server's certificate, or opt in to trustServerCertificate for this server.`,
      );
    throw new CertificateCheckError(`${where}: TLS check failed: ${reason}`);
  }
}

/** SNI takes host names only, not IP addresses. */
const serverName = (host: string) => (/^[\d.]+$|:/.test(host) ? undefined : host);

function openTcp(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host, port, signal });
    socket.once('connect', () => {
      socket.off('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

/** Reads exactly `length` bytes (then leaves the socket paused for TLS to take over). */
function readBytes(socket: Socket, length: number, signal: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const cleanup = () => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
      signal.removeEventListener('abort', onAbort);
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < length) return;
      cleanup();
      socket.pause();
      // Anything past the answer is the start of TLS: give it back to the stream.
      if (buffered.length > length) socket.unshift(buffered.subarray(length));
      resolve(buffered.subarray(0, length));
    };
    const onError = (error: Error) => {
      cleanup();
      reject(error);
    };
    const onEnd = () => {
      cleanup();
      reject(new Error('the server closed the connection during TLS negotiation'));
    };
    const onAbort = () => {
      cleanup();
      reject(new Error('timed out'));
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.resume();
  });
}

async function negotiatePostgres(socket: Socket, signal: AbortSignal): Promise<void> {
  const request = Buffer.alloc(8);
  request.writeInt32BE(8, 0);
  request.writeInt32BE(postgresSslRequestCode, 4);
  socket.write(request);
  const [answer] = await readBytes(socket, 1, signal);
  if (answer !== 'S'.charCodeAt(0))
    throw new Error('the server does not accept TLS (it answered the SSLRequest with N)');
}

async function negotiateMySql(socket: Socket, signal: AbortSignal): Promise<void> {
  const header = await readBytes(socket, 4, signal);
  const length = header.readUIntLE(0, 3);
  const greeting = await readBytes(socket, length, signal);
  if (greeting[0] === 0xff)
    throw new Error(`the server refused the connection: ${greeting.subarray(3).toString('utf8')}`);
  // Protocol 10 greeting: version, server version (NUL-terminated), connection id (4), scramble (8), filler (1),
  // then the lower capability flags.
  const versionEnd = greeting.indexOf(0, 1);
  const capabilities = greeting.readUInt16LE(versionEnd + 1 + 4 + 8 + 1);
  if ((capabilities & mysqlClientSsl) === 0) throw new Error('the server does not offer TLS (no CLIENT_SSL)');
  const packet = Buffer.alloc(4 + 32);
  packet.writeUIntLE(32, 0, 3);
  packet[3] = header[3]! + 1;
  packet.writeUInt32LE(mysqlClientFlags, 4);
  packet.writeUInt32LE(16 * 1024 * 1024, 8);
  packet[12] = 45; // utf8mb4_general_ci
  socket.write(packet);
}
