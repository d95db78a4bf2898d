import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import forge from 'node-forge';

/** The simulator's TLS material: a local CA that clients trust and a server certificate it signed. */
export interface TlsMaterial {
  caCertPath: string;
  caCertPem: string;
  serverCertPem: string;
  serverKeyPem: string;
}

const files = {
  caCert: 'ca.pem',
  caKey: 'ca-key.pem',
  serverCert: 'server.pem',
  serverKey: 'server-key.pem',
} as const;

const validityYears = 10;

/**
 * Loads the CA and server certificate from `stateDir`, generating them on first start. The server
 * certificate covers IP:127.0.0.1, IP:::1, DNS:localhost and every name in `hostnames` (e.g.
 * `simulator` inside docker-compose). When an existing server certificate lacks a requested name, a
 * new one is issued by the SAME CA, so clients that already trust `ca.pem` keep working.
 */
export async function ensureTlsMaterial(
  stateDir: string,
  hostnames: readonly string[] = [],
): Promise<TlsMaterial> {
  await mkdir(stateDir, { recursive: true });
  const at = (name: string) => path.join(stateDir, name);
  const dnsNames = [...new Set(['localhost', ...hostnames])];
  const existing = await readAll([files.caCert, files.caKey, files.serverCert, files.serverKey].map(at));
  if (existing) {
    const [caCertPem, caKeyPem, serverCertPem, serverKeyPem] = existing as [string, string, string, string];
    if (dnsNames.every((name) => certificateDnsNames(serverCertPem).includes(name.toLowerCase()))) {
      return { caCertPath: at(files.caCert), caCertPem, serverCertPem, serverKeyPem };
    }
    const ca = loadCertificateAuthority(caCertPem, caKeyPem);
    const server = createServerCertificate(ca, dnsNames);
    await writeFile(at(files.serverCert), server.certPem);
    await writeFile(at(files.serverKey), server.keyPem, { mode: 0o600 });
    return {
      caCertPath: at(files.caCert),
      caCertPem,
      serverCertPem: server.certPem,
      serverKeyPem: server.keyPem,
    };
  }
  const ca = createCertificateAuthority();
  const server = createServerCertificate(ca, dnsNames);
  await writeFile(at(files.caCert), ca.certPem);
  await writeFile(at(files.caKey), ca.keyPem, { mode: 0o600 });
  await writeFile(at(files.serverCert), server.certPem);
  await writeFile(at(files.serverKey), server.keyPem, { mode: 0o600 });
  return {
    caCertPath: at(files.caCert),
    caCertPem: ca.certPem,
    serverCertPem: server.certPem,
    serverKeyPem: server.keyPem,
  };
}

/** DNS subject alternative names of a PEM certificate, lower-cased. */
export function certificateDnsNames(certPem: string): string[] {
  const extension: unknown = forge.pki.certificateFromPem(certPem).getExtension('subjectAltName');
  const altNames = (extension as { altNames?: { type: number; value?: string }[] } | null)?.altNames ?? [];
  return altNames.flatMap((name) =>
    name.type === 2 && name.value !== undefined ? [name.value.toLowerCase()] : [],
  );
}

function loadCertificateAuthority(certPem: string, keyPem: string): KeyAndCert {
  return {
    cert: forge.pki.certificateFromPem(certPem),
    key: forge.pki.privateKeyFromPem(keyPem),
    certPem,
    keyPem,
  };
}

async function readAll(paths: string[]): Promise<string[] | undefined> {
  try {
    return await Promise.all(paths.map((p) => readFile(p, 'utf8')));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export interface KeyAndCert {
  keyPem: string;
  certPem: string;
  key: forge.pki.rsa.PrivateKey;
  cert: forge.pki.Certificate;
}

/** RSA keys come from node:crypto (native, fast); node-forge builds and signs the X.509 certificates. */
function newKeyPair(): {
  privateKey: forge.pki.rsa.PrivateKey;
  publicKey: forge.pki.rsa.PublicKey;
  pem: string;
} {
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  const forgeKey = forge.pki.privateKeyFromPem(privateKey);
  return {
    privateKey: forgeKey,
    publicKey: forge.pki.setRsaPublicKey(forgeKey.n, forgeKey.e),
    pem: forge.pki.privateKeyToPem(forgeKey),
  };
}

function baseCertificate(publicKey: forge.pki.rsa.PublicKey): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // Positive serial: a leading 0x01 keeps the DER integer from being read as negative.
  cert.serialNumber = `01${randomBytes(15).toString('hex')}`;
  const notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  const notAfter = new Date(notBefore);
  notAfter.setFullYear(notBefore.getFullYear() + validityYears);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  return cert;
}

/** PEM certificates and keys of a mutual-TLS setup: a CA, and a server and a client certificate it signed. */
export interface MutualTlsMaterial {
  caCertPem: string;
  server: { certPem: string; keyPem: string };
  client: { certPem: string; keyPem: string };
}

/**
 * A fresh CA with a server certificate for `serverNames` (plus IP:127.0.0.1 and IP:::1) and a client
 * certificate for `clientName` (extended key usage clientAuth), e.g. for a TLS endpoint in front of Temporal.
 */
export function createMutualTlsMaterial(options: {
  caName: string;
  serverNames: readonly string[];
  clientName: string;
}): MutualTlsMaterial {
  const ca = createCertificateAuthority(options.caName);
  const server = createServerCertificate(ca, options.serverNames);
  const client = createClientCertificate(ca, options.clientName);
  return {
    caCertPem: ca.certPem,
    server: { certPem: server.certPem, keyPem: server.keyPem },
    client: { certPem: client.certPem, keyPem: client.keyPem },
  };
}

export function createCertificateAuthority(commonName = 'Migration Factory Simulator Local CA'): KeyAndCert {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.publicKey);
  const subject = [
    { name: 'commonName', value: commonName },
    { name: 'organizationName', value: 'Migration Factory (local development)' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { key: keys.privateKey, cert, keyPem: keys.pem, certPem: forge.pki.certificateToPem(cert) };
}

/**
 * A server certificate for `dnsNames` plus the loopback addresses; `clientAuth` also lets it authenticate as a
 * client (a Temporal service presents the same certificate to its peers in both roles).
 */
export function createServerCertificate(
  ca: KeyAndCert,
  dnsNames: readonly string[],
  options: { clientAuth?: boolean } = {},
): KeyAndCert {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.publicKey);
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true, ...(options.clientAuth ? { clientAuth: true } : {}) },
    {
      name: 'subjectAltName',
      altNames: [
        ...dnsNames.map((value) => ({ type: 2, value })),
        { type: 7, ip: '127.0.0.1' },
        { type: 7, ip: '::1' },
      ],
    },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { key: keys.privateKey, cert, keyPem: keys.pem, certPem: forge.pki.certificateToPem(cert) };
}

export function createClientCertificate(ca: KeyAndCert, commonName: string): KeyAndCert {
  const keys = newKeyPair();
  const cert = baseCertificate(keys.publicKey);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  cert.setIssuer(ca.cert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
  ]);
  cert.sign(ca.key, forge.md.sha256.create());
  return { key: keys.privateKey, cert, keyPem: keys.pem, certPem: forge.pki.certificateToPem(cert) };
}
