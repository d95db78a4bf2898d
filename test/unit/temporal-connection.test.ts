import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadWorkerConfig } from '../../workers/config.ts';
import {
  describeTemporalConnection,
  resolveTemporalConnection,
  tlsFailureHint,
} from '../../workers/temporal-connection.ts';

const pem = (label: string) => `-----BEGIN ${label}-----\nAAAA\n-----END ${label}-----\n`;

describe('Temporal connection settings (shared by the workers and the CLI)', () => {
  let dir: string;
  let caPath: string;
  let certPath: string;
  let keyPath: string;
  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'mf-temporal-connection-'));
    caPath = file('ca.pem', pem('CERTIFICATE'));
    certPath = file('client.pem', pem('CERTIFICATE'));
    keyPath = file('client-key.pem', pem('PRIVATE KEY'));
  });

  it('defaults to a plain local dev server in namespace default', () => {
    const settings = resolveTemporalConnection({});
    expect(settings).toEqual({ address: '127.0.0.1:7233', namespace: 'default' });
    expect(describeTemporalConnection(settings)).toBe('127.0.0.1:7233 namespace default');
  });

  it('reads address, namespace, mutual TLS and server name from TEMPORAL_* variables, certificates included', () => {
    const settings = resolveTemporalConnection({
      TEMPORAL_ADDRESS: 'temporal.example:7233',
      TEMPORAL_NAMESPACE: 'factory',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: caPath,
      TEMPORAL_TLS_CLIENT_CERT_PATH: certPath,
      TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
      TEMPORAL_TLS_SERVER_NAME: 'temporal.internal',
      TEMPORAL_GRPC_META_X_TEAM: 'migration',
    });
    expect(settings.address).toBe('temporal.example:7233');
    expect(settings.namespace).toBe('factory');
    expect(settings.metadata).toEqual({ 'x-team': 'migration' });
    const tls = settings.tls;
    if (typeof tls !== 'object') throw new Error(`expected a TLS configuration, got ${String(tls)}`);
    expect(tls.serverNameOverride).toBe('temporal.internal');
    expect(Buffer.from(tls.serverRootCACertificate ?? []).toString()).toBe(pem('CERTIFICATE'));
    expect(Buffer.from(tls.clientCertPair?.key ?? []).toString()).toBe(pem('PRIVATE KEY'));
    expect(describeTemporalConnection(settings)).toBe(
      'temporal.example:7233 namespace factory (TLS, custom CA, client certificate)',
    );
  });

  it('takes empty TEMPORAL_* variables as unset, as a compose file leaves the TLS settings it does not use', () => {
    const settings = resolveTemporalConnection({
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_NAMESPACE: '',
      TEMPORAL_API_KEY: '',
      TEMPORAL_TLS_SERVER_CA_CERT_PATH: '',
      TEMPORAL_TLS_CLIENT_CERT_PATH: '',
      TEMPORAL_TLS_CLIENT_KEY_PATH: '',
      TEMPORAL_TLS_SERVER_NAME: '',
    });
    expect(settings).toEqual({ address: 'temporal:7233', namespace: 'default' });
  });

  it('turns TLS on for an API key, and lets explicit overrides win over the environment', () => {
    const settings = resolveTemporalConnection(
      { TEMPORAL_ADDRESS: 'env:7233', TEMPORAL_NAMESPACE: 'env-ns', TEMPORAL_API_KEY: 'secret' },
      { address: 'flag:7233', namespace: 'flag-ns' },
    );
    expect(settings).toMatchObject({
      address: 'flag:7233',
      namespace: 'flag-ns',
      tls: true,
      apiKey: 'secret',
    });
    expect(describeTemporalConnection(settings)).toBe('flag:7233 namespace flag-ns (TLS, API key)');
  });

  it('reads a profile from the config file, with variables overriding its fields', () => {
    const configFile = file(
      'profiles.toml',
      `[profile.cloud]\naddress = "ns.acct.tmprl.cloud:7233"\nnamespace = "ns.acct"\n` +
        `[profile.cloud.tls]\nserver_ca_cert_path = "${caPath}"\nclient_cert_path = "${certPath}"\nclient_key_path = "${keyPath}"\n`,
    );
    const settings = resolveTemporalConnection({
      TEMPORAL_CONFIG_FILE: configFile,
      TEMPORAL_PROFILE: 'cloud',
      TEMPORAL_NAMESPACE: 'other.acct',
    });
    expect(describeTemporalConnection(settings)).toBe(
      'ns.acct.tmprl.cloud:7233 namespace other.acct (TLS, custom CA, client certificate)',
    );
  });

  it('names the variable of an unreadable certificate file', () => {
    expect(() =>
      resolveTemporalConnection({
        TEMPORAL_TLS_CLIENT_CERT_PATH: join(dir, 'missing.pem'),
        TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath,
      }),
    ).toThrow(`cannot read TEMPORAL_TLS_CLIENT_CERT_PATH (${join(dir, 'missing.pem')}): ENOENT`);
  });

  it('names the profile key and file of an unreadable certificate set in the config file', () => {
    const configFile = file(
      'missing-ca.toml',
      `[profile.default]\naddress = "x:7233"\n[profile.default.tls]\nserver_ca_cert_path = "${join(dir, 'nope.pem')}"\n`,
    );
    expect(() => resolveTemporalConnection({ TEMPORAL_CONFIG_FILE: configFile })).toThrow(
      `cannot read tls.server_ca_cert_path (${join(dir, 'nope.pem')}) in config file ${configFile} (TEMPORAL_CONFIG_FILE)`,
    );
  });

  it('refuses a file that is not PEM, a certificate without its key, and a missing or malformed config file', () => {
    expect(() =>
      resolveTemporalConnection({ TEMPORAL_TLS_SERVER_CA_CERT_PATH: file('ca.der', 'binary') }),
    ).toThrow(/TEMPORAL_TLS_SERVER_CA_CERT_PATH \(.*ca\.der\) is not PEM/);
    expect(() => resolveTemporalConnection({ TEMPORAL_TLS_CLIENT_CERT_PATH: certPath })).toThrow(
      /set both TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
    expect(() => resolveTemporalConnection({ TEMPORAL_CONFIG_FILE: join(dir, 'absent.toml') })).toThrow(
      /TEMPORAL_CONFIG_FILE names .*absent\.toml, which does not exist/,
    );
    const broken = file('broken.toml', '[profile.default\naddress = ');
    expect(() => resolveTemporalConnection({ TEMPORAL_CONFIG_FILE: broken })).toThrow(
      `cannot read the Temporal client configuration (config file ${broken} (TEMPORAL_CONFIG_FILE), profile default)`,
    );
    const defaultOnly = file('default-only.toml', '[profile.default]\naddress = "x:7233"\n');
    expect(() =>
      resolveTemporalConnection({ TEMPORAL_CONFIG_FILE: defaultOnly, TEMPORAL_PROFILE: 'prod' }),
    ).toThrow(/profile prod\): Profile 'prod' not found/);
    const empty = file('empty.toml', '');
    expect(() => resolveTemporalConnection({ TEMPORAL_CONFIG_FILE: empty })).toThrow(
      /profile default\): the file has no \[profile\.<name>\] tables/,
    );
  });

  it('is what the worker configuration connects with, and its problems are listed with the others', () => {
    const config = loadWorkerConfig({
      FACTORY_PROFILE: 'simulator',
      TEMPORAL_ADDRESS: 'temporal:7233',
      TEMPORAL_API_KEY: 'k',
    });
    expect(config.temporal).toEqual({
      address: 'temporal:7233',
      namespace: 'default',
      tls: true,
      apiKey: 'k',
    });
    expect(() =>
      loadWorkerConfig({ AZURE_CREDENTIAL: 'magic', TEMPORAL_TLS_CLIENT_KEY_PATH: keyPath }),
    ).toThrow(/AZURE_CREDENTIAL: [^\n]*\n {2}Temporal connection: a TLS client certificate needs its key/);
  });

  it('says which TLS setting to change for the handshake failures rustls reports', () => {
    // Messages as NativeConnection.connect reports them against a TLS endpoint (see worker-tls.test.ts).
    const tls = { address: 'temporal:7233', namespace: 'default', tls: true };
    const hint = (message: string) => tlsFailureHint(new Error(message), tls);
    expect(hint('received fatal alert: CertificateRequired')).toMatch(
      /TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH/,
    );
    expect(hint('InvalidCertificate(UnknownIssuer)')).toMatch(/TEMPORAL_TLS_SERVER_CA_CERT_PATH/);
    expect(hint('InvalidCertificate(NotValidForNameContext { … })')).toMatch(/TEMPORAL_TLS_SERVER_NAME/);
    expect(hint('InvalidMessage(InvalidContentType)')).toMatch(/does not speak TLS/);
    // grpc-js (the CLI's transport) names no cause: with TLS on, the settings to check.
    expect(hint('Failed to connect before the deadline')).toMatch(
      /^TLS is on: check .*TEMPORAL_TLS_SERVER_CA_CERT_PATH/,
    );
    expect(hint('tcp connect error: Connection refused')).toBeUndefined();
    expect(
      tlsFailureHint(new Error('Failed to connect before the deadline'), { ...tls, tls: false }),
    ).toBeUndefined();
  });
});
