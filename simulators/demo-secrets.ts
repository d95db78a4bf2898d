/**
 * The demo's secrets, in the simulator's Key Vault: the vCenter password and one source and one target
 * database login for every server (`*`). The values are random per stack; the workers get references only.
 */
import { randomBytes } from 'node:crypto';
import type { SimulatorAdmin } from './admin-client.ts';

export const demoSecretNames = {
  vcenterPassword: 'vcenter-password',
  sourceLogin: 'database-source-login',
  targetLogin: 'database-target-login',
} as const;

export interface DemoSecrets {
  /** VCENTER_PASSWORD_SECRET and FACTORY_DATABASE_SERVERS for the workers. */
  workerEnv: Record<string, string>;
  /** The seeded values (tests search histories and logs for them). */
  values: string[];
}

export async function seedDemoSecrets(admin: SimulatorAdmin): Promise<DemoSecrets> {
  const values = Object.fromEntries(
    Object.values(demoSecretNames).map((name) => [name, `demo-${randomBytes(12).toString('base64url')}`]),
  );
  const { vaultUrl } = await admin.seedSecrets(values);
  const reference = (name: string) => `keyvault:${vaultUrl}/secrets/${name}`;
  const login = (name: string) => ({ login: { userName: 'migration-factory', password: reference(name) } });
  return {
    workerEnv: {
      VCENTER_PASSWORD_SECRET: reference(demoSecretNames.vcenterPassword),
      FACTORY_DATABASE_SERVERS: JSON.stringify({
        sources: { '*': login(demoSecretNames.sourceLogin) },
        targets: { '*': login(demoSecretNames.targetLogin) },
      }),
    },
    values: Object.values(values),
  };
}

/** The secret holding the payload codec key of a simulator-backed deployment (docker-compose.yml). */
export const demoCodecKeySecret = 'factory-codec-key';

/**
 * A payload codec key in the simulator's Key Vault, created once: a later start keeps it, since a new key
 * behind the same id would make every history already written with it unreadable (docs/security.md).
 * Returns the codec settings for the factory's processes.
 */
export async function seedDemoCodecKey(admin: SimulatorAdmin): Promise<Record<string, string>> {
  const { vaultUrl } = await admin.seedSecrets(
    { [demoCodecKeySecret]: randomBytes(32).toString('base64') },
    { keepExisting: true },
  );
  return { FACTORY_CODEC_KEYVAULT_URL: vaultUrl, FACTORY_CODEC_KEY_SECRETS: demoCodecKeySecret };
}
