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

/** .env.example with every empty value filled, as an operator's .env would be. */
function filledEnv(): string {
  return envExample
    .split('\n')
    .map((line) => (/^[A-Z0-9_]+=$/.test(line) ? `${line}test-${line.slice(0, -1).toLowerCase()}` : line))
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
