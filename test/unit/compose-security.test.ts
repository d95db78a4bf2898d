/**
 * docker-compose.yml's security properties (docs/deployment.md, "Docker Compose"), checked on what
 * `docker-compose config` resolves from it with .env.example's values (its required secrets filled with
 * test values), and on the raw file where a literal secret would be written.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../cli/stack/temporal-cli.ts';
import { codecKeySource } from '../../workers/codec-keys.ts';
import { refusedSecretValueVariables } from '../../workers/config.ts';
import { loadDatabaseServers } from '../../workers/database-servers.ts';
import { parseSecretReference } from '../../workers/secrets.ts';

interface Service {
  image?: string;
  build?: unknown;
  user?: string;
  ports?: (string | { host_ip?: string; published?: string | number; target?: number })[];
  environment?: Record<string, string | null> | string[];
  volumes?: (string | { source?: string; target?: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  depends_on?: Record<string, { condition?: string }> | string[];
  command?: string | string[];
  entrypoint?: string | string[];
}

const read = (file: string) => readFileSync(join(projectRoot, file), 'utf8');
const rawCompose = read('docker-compose.yml');
const envExample = read('.env.example');

/** The variables compose refuses to start without (`${NAME:?…}`). */
const requiredVariables = new Set([...rawCompose.matchAll(/\$\{([A-Z0-9_]+):\?/g)].map((m) => m[1]!));

/**
 * .env.example with every REQUIRED empty value filled, as an operator's .env would be; the optional ones
 * stay empty, so the file's defaults (the simulator's Key Vault references) are what is checked.
 */
function filledEnv(): string {
  return envExample
    .split('\n')
    .map((line) => {
      const name = /^([A-Z0-9_]+)=$/.exec(line)?.[1];
      return name && requiredVariables.has(name) ? `${line}test-${name.toLowerCase()}` : line;
    })
    .join('\n');
}

const compose = spawnSync('docker-compose', ['version'], { encoding: 'utf8' });
const missingCompose =
  compose.error || compose.status !== 0
    ? `docker-compose is not installed (Debian: apt-get install docker-compose; .ci/run installs it): ${compose.error?.message ?? compose.stderr}`
    : undefined;
if (missingCompose) console.warn(`compose-security: SKIPPING the resolved-config checks: ${missingCompose}`);

const dir = mkdtempSync(join(tmpdir(), 'mf-compose-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function resolvedConfig(): { services: Record<string, Service>; volumes?: Record<string, unknown> } {
  const envFile = join(dir, '.env');
  writeFileSync(envFile, filledEnv());
  const result = spawnSync(
    'docker-compose',
    [
      '--env-file',
      envFile,
      '--project-directory',
      projectRoot,
      '-f',
      join(projectRoot, 'docker-compose.yml'),
      'config',
    ],
    { encoding: 'utf8' },
  );
  if (result.status !== 0) throw new Error(`docker-compose config failed:\n${result.stderr}`);
  return parse(result.stdout) as { services: Record<string, Service> };
}

const envOf = (service: Service): Record<string, string> =>
  Array.isArray(service.environment)
    ? Object.fromEntries(
        service.environment.map((e) => [e.slice(0, e.indexOf('=')), e.slice(e.indexOf('=') + 1)]),
      )
    : Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, v ?? '']));
const text = (value: string | string[] | undefined) =>
  Array.isArray(value) ? value.join(' ') : (value ?? '');
const volumeSource = (v: string | { source?: string }) =>
  typeof v === 'string' ? v.split(':')[0]! : (v.source ?? '');

/** Services others wait for with `service_completed_successfully`: one-shot jobs. */
function jobsOf(services: Record<string, Service>): Set<string> {
  const jobs = new Set<string>();
  for (const service of Object.values(services))
    if (service.depends_on && !Array.isArray(service.depends_on))
      for (const [name, dep] of Object.entries(service.depends_on))
        if (dep.condition === 'service_completed_successfully') jobs.add(name);
  return jobs;
}

describe('docker-compose.yml, as docker-compose resolves it', () => {
  const config = missingCompose ? undefined : resolvedConfig();
  const services = config?.services ?? {};
  const run = missingCompose ? it.skip : it;

  run('validates and has the factory server, its TLS front and the Web UI', () => {
    for (const name of ['temporal', 'temporal-ui', 'worker', 'factory-server', 'factory-https', 'postgresql'])
      expect(Object.keys(services)).toContain(name);
  });

  run('runs no container as root', () => {
    for (const [name, service] of Object.entries(services)) {
      expect(service.user, `${name} has no user`).toBeTruthy();
      expect(service.user, name).not.toMatch(/^(root|0)(:|$)/);
    }
  });

  run('publishes only the factory server HTTPS port and the Web UI, on 127.0.0.1', () => {
    const published = Object.entries(services).flatMap(([name, service]) =>
      (service.ports ?? []).map((port) => {
        if (typeof port !== 'string')
          return { name, hostIp: port.host_ip ?? '', target: Number(port.target) };
        const parts = port.replace(/\/\w+$/, '').split(':');
        return { name, hostIp: parts.length === 3 ? parts[0]! : '', target: Number(parts[parts.length - 1]) };
      }),
    );
    expect(published.map((p) => `${p.name}:${p.target}`).sort()).toEqual([
      'factory-https:8443',
      'temporal-ui:8080',
    ]);
    for (const port of published) expect(port.hostIp, port.name).toBe('127.0.0.1');
  });

  run('has a healthcheck on every long-running service and a restart policy on every service', () => {
    const jobs = jobsOf(services);
    expect([...jobs].sort()).toEqual(['simulator-certificates', 'temporal-schema', 'temporal-setup']);
    for (const [name, service] of Object.entries(services)) {
      if (jobs.has(name)) {
        expect(service.restart, name).toBe('on-failure');
        continue;
      }
      expect(service.restart, name).toMatch(/^(unless-stopped|always)$/);
      expect(service.healthcheck?.disable, name).not.toBe(true);
      const test = text(service.healthcheck?.test).replace(/^(CMD|CMD-SHELL)\s+/, '');
      expect(test.length, `${name} has no healthcheck`).toBeGreaterThan(0);
      expect(test, name).not.toMatch(/^(true|exit 0|:)$/);
    }
  });

  run('keeps histories at least 365 days', () => {
    const setup = text(services['temporal-setup']?.command) + text(services['temporal-setup']?.entrypoint);
    const retentions = [...setup.matchAll(/namespace (create|update)[^\n]*--retention (\d+)(h|d)\b/g)];
    expect(retentions.map((m) => m[1]).sort()).toEqual(['create', 'update']);
    for (const m of retentions) expect(Number(m[2]) / (m[3] === 'h' ? 24 : 1)).toBeGreaterThanOrEqual(365);
  });

  run('gives the worker no access to a CA private key', () => {
    const worker = services.worker!;
    const workerSources = (worker.volumes ?? []).map(volumeSource);
    // The simulator's state volume holds its CA key; the worker mounts only the copied certificate.
    for (const holder of ['simulator', 'simulator-certificates'])
      for (const volume of services[holder]?.volumes ?? []) {
        const target = typeof volume === 'string' ? volume.split(':')[1] : volume.target;
        if (target === '/data/simulator') expect(workerSources).not.toContain(volumeSource(volume));
      }
    for (const [key, value] of Object.entries(envOf(worker)))
      expect(value, key).not.toMatch(/ca-key|\/data\/simulator\b/);
    expect(text(services['simulator-certificates']?.command)).toMatch(
      /--state-dir \/data\/simulator .*--out \/data\/ca/,
    );
  });

  run('sets no variable the worker refuses (a secret value where a Key Vault reference belongs)', () => {
    for (const [name, service] of Object.entries(services))
      for (const key of Object.keys(envOf(service)))
        expect(refusedSecretValueVariables, `${name} sets ${key}`).not.toHaveProperty(key);
  });

  run('gives every factory process (worker, factory server) its payload codec keys', () => {
    const factoryProcesses = Object.entries(services).filter(([, service]) =>
      /\b(workers|server)\/main\.ts\b/.test(text(service.command)),
    );
    expect(factoryProcesses.map(([name]) => name).sort()).toEqual(['factory-server', 'worker']);
    for (const [name, service] of factoryProcesses) {
      const env = envOf(service);
      const source = codecKeySource(env);
      // The simulator profile would fall back to a key file in the image's .data folder: not shared.
      expect(source.kind, name).toBe('key-vault');
      if (source.kind !== 'key-vault') continue;
      expect(source.vaultUrl, name).toBe('https://simulator:8443/');
      expect(source.secretNames, name).toEqual(['factory-codec-key']);
      // The simulator's vault: its CA from the mounted certificate volume, and the simulator's token.
      expect(source.caCertPath, name).toBe('/data/ca/ca.pem');
      expect((service.volumes ?? []).map(volumeSource), name).toContain('simulator-ca');
      expect(source.credential, name).toBe('local');
      expect(Object.keys(service.depends_on ?? {}), name).toContain('simulator');
    }
    // The simulator creates the key (once) when it seeds the demo.
    expect(text(services.simulator?.command)).toMatch(/--seed-demo/);
  });

  run('gives the worker secret references and settings files, never secret values', () => {
    const env = envOf(services.worker!);
    const secretNamed = Object.keys(env).filter((key) =>
      /PASSWORD|PWD|SECRET|PRIVATE_KEY|API_KEY|ACCOUNT_KEY|CONNECTION_STRING/.test(key),
    );
    // Values on purpose, until they have a reference form: Azurite's connection string (the simulator
    // profile's artifact store; production uses FACTORY_ARTIFACTS_URL and the worker's identity) and the
    // Temporal Cloud API key (the SDK's envconfig reads it from the environment).
    const valueExceptions = ['FACTORY_ARTIFACTS_CONNECTION_STRING', 'TEMPORAL_API_KEY'];
    for (const key of secretNamed) {
      if (valueExceptions.includes(key) || key === 'FACTORY_CODEC_KEY_SECRETS') continue;
      expect(key, 'a secret setting of the worker is a reference').toMatch(/_SECRET$/);
      if (env[key]) expect(() => parseSecretReference(env[key]!, key)).not.toThrow();
    }
    expect(env.VCENTER_PASSWORD_SECRET).toBe('keyvault:https://simulator:8443/secrets/vcenter-password');
    // The database logins: a settings file (references only) from the mounted settings folder.
    const settingsMount = (services.worker!.volumes ?? [])
      .map((v) => (typeof v === 'string' ? { source: v.split(':')[0], target: v.split(':')[1] } : v))
      .find((v) => env.FACTORY_DATABASE_SERVERS?.startsWith(`${v.target}/`));
    expect(settingsMount, 'FACTORY_DATABASE_SERVERS is a file in a mounted folder').toBeDefined();
    const hostFile = join(
      settingsMount!.source!,
      env.FACTORY_DATABASE_SERVERS!.slice(settingsMount!.target!.length + 1),
    );
    const problems: string[] = [];
    const servers = loadDatabaseServers(hostFile, problems);
    expect(problems).toEqual([]);
    for (const side of [servers!.sources, servers!.targets])
      for (const server of Object.values(side))
        expect(server.password.vaultUrl).toBe('https://simulator:8443');
  });

  run("serves the worker's /metrics on the compose network only", () => {
    const env = envOf(services.worker!);
    expect(Number(env.FACTORY_METRICS_PORT)).toBeGreaterThan(0);
    expect(env.FACTORY_METRICS_HOST).toBe('0.0.0.0');
    expect(services.worker!.ports ?? []).toEqual([]);
  });

  run('keeps the Web UI read-only, behind a login, decoding through the factory server', () => {
    const ui = envOf(services['temporal-ui']!);
    expect(ui.TEMPORAL_DISABLE_WRITE_ACTIONS).toBe('true');
    expect(ui.TEMPORAL_AUTH_ENABLED).toBe('true');
    const publicUrl = /^FACTORY_PUBLIC_URL=(.*)$/m.exec(envExample)?.[1];
    expect(ui.TEMPORAL_CODEC_ENDPOINT).toBe(`${publicUrl}/codec`);
    expect(ui.TEMPORAL_CODEC_PASS_ACCESS_TOKEN).toBe('true');
  });

  run('pins every image to an exact version or a digest', () => {
    for (const [name, service] of Object.entries(services)) {
      if (service.build) continue;
      // x.y.z, or PostgreSQL's own major.minor, with an optional variant; or a digest.
      expect(service.image, name).toMatch(/:\d+\.\d+(\.\d+)?(-[\w.]+)?$|@sha256:[0-9a-f]{64}$/);
    }
  });
});

describe('docker-compose.yml and its files, as written', () => {
  it('holds no literal secret: every secret setting comes from .env', () => {
    const doc = parse(rawCompose, { merge: true }) as { services: Record<string, Service> };
    const interpolation = /^\$\{[A-Z0-9_]+(:[-?][^}]*)?\}$/;
    let checked = 0;
    for (const [name, service] of Object.entries(doc.services))
      for (const [key, value] of Object.entries(envOf(service))) {
        const where = `${name} ${key}`;
        if (/PASSWORD|PWD|SECRET|PRIVATE_KEY|API_KEY|ACCOUNT_KEY/.test(key)) {
          expect(value, where).toMatch(interpolation);
          checked += 1;
        }
        if (/AccountKey=/.test(value)) expect(value, where).toMatch(/AccountKey=\$\{[A-Z0-9_]+[:?}]/);
        if (key === 'AZURITE_ACCOUNTS') expect(value, where).toMatch(/^\w+:\$\{[A-Z0-9_]+[:?}]/);
      }
    expect(checked).toBeGreaterThan(5);
    // Azurite's public development key, a PEM key or a bearer token have no place in it.
    expect(rawCompose).not.toMatch(
      /Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq|-----BEGIN|Bearer /,
    );
  });

  it('.env.example carries no secret values and .env is never committed', () => {
    for (const match of envExample.matchAll(
      /^(\w*(?:PASSWORD|SECRET|PRIVATE_KEY|API_KEY|ACCOUNT_KEY)\w*)=(.*)$/gm,
    ))
      expect(match[2], match[1]).toBe('');
    expect(read('.gitignore')).toMatch(/^\.env$/m);
    expect(read('.dockerignore')).toMatch(/^\.env$/m);
  });

  it('the image runs as a non-root user on a pinned Node LTS with the workflow bundle prebuilt', () => {
    const dockerfile = read('Dockerfile');
    expect(dockerfile).toMatch(/node:(22|24)\.\d+\.\d+-[a-z-]+@sha256:[0-9a-f]{64}/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^RUN node --import tsx workers\/build-bundle\.ts /m);
    expect(dockerfile).toMatch(/MIGRATION_FACTORY_WORKFLOW_BUNDLE=/);
  });

  it('.dockerignore keeps workspaces, exports, local data and secrets out of the image', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.factory', '**/.factory', '.data', '**/exports', 'node_modules', '.env', 'certs'])
      expect(ignored).toContain(entry);
  });
});
