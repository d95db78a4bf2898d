/**
 * The database servers the worker migrates from and to (`FACTORY_DATABASE_SERVERS`: a JSON file, or the JSON
 * itself): per server, the login (its password a Key Vault reference) and how its certificate is treated.
 *
 * {
 *   "sources": {
 *     "sql01.contoso.local": {
 *       "login": { "userName": "migration-factory",
 *                  "password": "keyvault:https://factory-kv.vault.azure.net/secrets/sql01-login" },
 *       "tls": { "caFile": "ca/contoso-root.pem" }
 *     },
 *     "*": { "login": { … }, "tls": { "trustServerCertificate": true } }
 *   },
 *   "targets": { "sqlmi-factory": { "login": { … } } }
 * }
 *
 * Sources are keyed by host (the estate's `sourceServer`), targets by server name (the last segment of the
 * target's ARM id); keys compare case-insensitively and `*` covers every server not named.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { DatabaseServerConnection, DatabaseServers } from '../activities/data-migration.ts';
import {
  secretReferenceSchema,
  toSecretReference,
  type ResolvedSecrets,
  type SecretReference,
  type SecretRequest,
} from './secrets.ts';

const serverSchema = z
  .object({
    login: z.object({ userName: z.string().min(1), password: secretReferenceSchema }).strict(),
    tls: z
      .object({
        /** PEM file of the CA the server's certificate must chain to (relative to the settings file). */
        caFile: z.string().min(1).optional(),
        /** Port of the worker's certificate check; default the engine's. */
        port: z.number().int().min(1).max(65535).optional(),
        /** Opt-in: the migration service accepts the server's certificate unverified. */
        trustServerCertificate: z.boolean().optional(),
      })
      .strict()
      .refine((tls) => !(tls.caFile && tls.trustServerCertificate), {
        message:
          'caFile and trustServerCertificate exclude each other (verify against the CA, or do not verify)',
      })
      .optional(),
  })
  .strict();

const settingsSchema = z
  .object({
    sources: z.record(z.string().min(1), serverSchema).default({}),
    targets: z.record(z.string().min(1), serverSchema).default({}),
  })
  .strict();

interface ConfiguredServer {
  userName: string;
  password: SecretReference;
  trustServerCertificate: boolean;
  ca?: { pem: string; file: string };
  port?: number;
}

/** The parsed settings: references, not values; CA files already read. */
export interface DatabaseServersSettings {
  configuredBy: string;
  sources: Record<string, ConfiguredServer>;
  targets: Record<string, ConfiguredServer>;
}

/** Parses `FACTORY_DATABASE_SERVERS`; every problem names the setting (and file), never a secret. */
export function loadDatabaseServers(
  setting: string,
  problems: string[],
): DatabaseServersSettings | undefined {
  const inline = setting.trimStart().startsWith('{');
  const configuredBy = inline ? 'FACTORY_DATABASE_SERVERS' : `FACTORY_DATABASE_SERVERS (${setting})`;
  let text = setting;
  if (!inline) {
    try {
      text = readFileSync(setting, 'utf8');
    } catch (error) {
      problems.push(`${configuredBy}: cannot read the file: ${(error as Error).message}`);
      return undefined;
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    problems.push(`${configuredBy}: not valid JSON: ${(error as Error).message}`);
    return undefined;
  }
  const parsed = settingsSchema.safeParse(json);
  if (!parsed.success) {
    for (const issue of parsed.error.issues)
      problems.push(`${configuredBy}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
    return undefined;
  }
  const baseDir = inline ? process.cwd() : path.dirname(path.resolve(setting));
  const side = (entries: Record<string, z.infer<typeof serverSchema>>, kind: 'sources' | 'targets') => {
    const result: Record<string, ConfiguredServer> = {};
    for (const [server, entry] of Object.entries(entries)) {
      const where = `${configuredBy}: ${kind}.${server}`;
      let password: SecretReference;
      try {
        password = toSecretReference(entry.login.password, `${where}.login.password`);
      } catch (error) {
        problems.push((error as Error).message);
        continue;
      }
      const caFile = entry.tls?.caFile ? path.resolve(baseDir, entry.tls.caFile) : undefined;
      const pem = caFile ? readCa(caFile, `${where}.tls.caFile`, problems) : undefined;
      result[server.toLowerCase()] = {
        userName: entry.login.userName,
        password,
        trustServerCertificate: entry.tls?.trustServerCertificate ?? false,
        ...(caFile && pem ? { ca: { pem, file: caFile } } : {}),
        ...(entry.tls?.port ? { port: entry.tls.port } : {}),
      };
    }
    return result;
  };
  return {
    configuredBy,
    sources: side(parsed.data.sources, 'sources'),
    targets: side(parsed.data.targets, 'targets'),
  };
}

function readCa(file: string, where: string, problems: string[]): string | undefined {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (error) {
    problems.push(`${where}: cannot read ${file}: ${(error as Error).message}`);
    return undefined;
  }
  try {
    new X509Certificate(pem);
  } catch {
    problems.push(`${where}: ${file} is not a PEM certificate`);
    return undefined;
  }
  return pem;
}

/** The Key Vault reads the servers need, each named by where it is configured. */
export function databaseServerSecrets(settings: DatabaseServersSettings): SecretRequest[] {
  return (['sources', 'targets'] as const).flatMap((kind) =>
    Object.entries(settings[kind]).map(([server, entry]) => ({
      reference: entry.password,
      setting: `${settings.configuredBy}: ${kind}.${server}.login.password`,
    })),
  );
}

/** Servers whose certificates are accepted unverified: the worker logs them at start-up. */
export function trustedWithoutVerification(settings: DatabaseServersSettings): string[] {
  return (['sources', 'targets'] as const).flatMap((kind) =>
    Object.entries(settings[kind])
      .filter(([, entry]) => entry.trustServerCertificate)
      .map(([server]) => `${kind}.${server}`),
  );
}

/** The activities' view: the same servers with their passwords resolved. */
export function resolvedDatabaseServers(
  settings: DatabaseServersSettings | undefined,
  secrets: ResolvedSecrets,
): DatabaseServers {
  const resolve = (entries: Record<string, ConfiguredServer>) =>
    Object.fromEntries(
      Object.entries(entries).map(([server, entry]): [string, DatabaseServerConnection] => [
        server,
        {
          login: { userName: entry.userName, password: secrets.get(entry.password) },
          trustServerCertificate: entry.trustServerCertificate,
          ...(entry.ca ? { ca: entry.ca } : {}),
          ...(entry.port ? { port: entry.port } : {}),
        },
      ]),
    );
  return {
    configuredBy: settings?.configuredBy ?? 'FACTORY_DATABASE_SERVERS (not set)',
    sources: settings ? resolve(settings.sources) : {},
    targets: settings ? resolve(settings.targets) : {},
  };
}
