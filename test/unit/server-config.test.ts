/** The factory server's configuration, role mapping and refusal caps, without a network. */
import { describe, expect, it } from 'vitest';
import { generateStampKeyPair, publicKeyOf } from '../../contracts/operator-stamp.ts';
import { cappedRefusal, REFUSAL_TEXT_LIMITS } from '../../contracts/refusal-audit.ts';
import { describeConfig, loadServerConfig, parseRoleGroups, ServerConfigError } from '../../server/config.ts';
import { rolesOf } from '../../server/identity.ts';
import { mayAct, rolesFor } from '../../server/roles.ts';

const keys = generateStampKeyPair();
const env = {
  FACTORY_OIDC_ISSUER: 'https://login.microsoftonline.com/contoso-tenant/v2.0',
  FACTORY_OIDC_AUDIENCE: 'api://migration-factory',
  FACTORY_ROLE_GROUPS: 'viewer=grp-a,operator=grp-b;grp-c,lead=grp-c',
  FACTORY_STAMP_KEY_ID: 'k2',
  FACTORY_STAMP_PRIVATE_KEY: keys.privateKey,
};

describe('server configuration', () => {
  it('maps groups to roles, several roles per group and several groups per role', () => {
    const map = parseRoleGroups(env.FACTORY_ROLE_GROUPS);
    expect(rolesOf(['grp-c', 'unknown'], map)).toEqual(['operator', 'lead']);
    expect(rolesOf(['grp-a', 'grp-b'], map)).toEqual(['viewer', 'operator']);
    expect(rolesOf(undefined, map)).toEqual([]);
    expect(() => parseRoleGroups('owner=grp-x')).toThrow(/role one of viewer, operator/);
  });

  it('trusts its own key and the previous ones, and never shows the private key', () => {
    const previous = generateStampKeyPair();
    const config = loadServerConfig({ ...env, FACTORY_STAMP_TRUSTED_KEYS: `k1=${previous.publicKey}` });
    expect(config.stamp.trustedKeys).toEqual({ k1: previous.publicKey, k2: publicKeyOf(keys.privateKey) });
    expect(JSON.stringify(describeConfig(config))).not.toContain(keys.privateKey);
    expect(config.oidc.groupsClaim).toBe('groups');
  });

  it('names the variable, not the secret, when the private key is wrong', () => {
    const bad = 'x'.repeat(20);
    let error: unknown;
    try {
      loadServerConfig({ ...env, FACTORY_STAMP_PRIVATE_KEY: bad });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ServerConfigError);
    expect((error as Error).message).toMatch(/^FACTORY_STAMP_PRIVATE_KEY: expected/);
    expect((error as Error).message).not.toContain(bad);
    expect(() => loadServerConfig({ ...env, FACTORY_OIDC_ISSUER: '' })).toThrow(
      /FACTORY_OIDC_ISSUER is not set/,
    );
  });
});

describe('roles', () => {
  it('lets admin do everything and keeps forcing and rolling back to leads', () => {
    expect(mayAct('rollback', ['admin'])).toBe(true);
    expect(mayAct('force-cutover', ['operator'])).toBe(false);
    expect(mayAct('cutover', ['operator'])).toBe(true);
    expect(mayAct('approve', ['operator', 'lead'])).toBe(false);
    expect(rolesFor('approve')).toEqual(['approver', 'admin']);
  });
});

describe('refusal records', () => {
  it('caps free text so a caller cannot grow the audit without bound', () => {
    const record = cappedRefusal({
      at: '2026-01-01T00:00:00.000Z',
      by: 'b'.repeat(5000),
      roles: Array.from({ length: 50 }, () => 'viewer'),
      action: 'approve',
      refusedBy: 'server',
      reason: 'r'.repeat(5000),
      statedReason: 's'.repeat(5000),
    });
    expect(record.by).toHaveLength(REFUSAL_TEXT_LIMITS.by);
    expect(record.reason).toHaveLength(REFUSAL_TEXT_LIMITS.reason);
    expect(record.statedReason).toHaveLength(REFUSAL_TEXT_LIMITS.reason);
    expect(record.roles).toHaveLength(10);
  });
});
