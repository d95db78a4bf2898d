/**
 * Who is calling: the bearer access token verified against the OpenID Connect issuer's keys (JWKS from its
 * discovery document), its issuer and audience checked with a little clock tolerance, and its group
 * claims mapped to the factory's roles.
 */
import { createRemoteJWKSet, errors, jwtVerify, type JWTPayload } from 'jose';
import { roles as allRoles, type Role, type VerifiedIdentity } from '../contracts/operator-stamp.ts';
import type { ServerConfig } from './config.ts';

export class AuthenticationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export type TokenVerifier = (authorization: string | undefined) => Promise<VerifiedIdentity>;

/** The roles a token's groups grant, in the factory's order. */
export function rolesOf(groups: unknown, roleGroups: Map<string, Role[]>): Role[] {
  const granted = new Set<Role>();
  for (const group of Array.isArray(groups) ? groups : [])
    for (const role of roleGroups.get(String(group)) ?? []) granted.add(role);
  return allRoles.filter((r) => granted.has(r));
}

function nameOf(payload: JWTPayload): string {
  for (const claim of ['name', 'preferred_username', 'upn', 'email'])
    if (typeof payload[claim] === 'string' && payload[claim]) return payload[claim];
  return payload.sub ?? 'unknown';
}

/** The issuer's jwks_uri from its discovery document, fetched once (retried after a failure). */
function discoveredJwks(issuer: string) {
  let jwks: ReturnType<typeof createRemoteJWKSet> | undefined;
  return async () => {
    if (jwks) return jwks;
    const url = `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
    const response = await fetch(url);
    if (!response.ok) throw new Error(`OpenID discovery at ${url} answered ${response.status}`);
    const document = (await response.json()) as { issuer?: string; jwks_uri?: string };
    if (!document.jwks_uri) throw new Error(`OpenID discovery at ${url} has no jwks_uri`);
    jwks = createRemoteJWKSet(new URL(document.jwks_uri));
    return jwks;
  };
}

export function createTokenVerifier(config: Pick<ServerConfig, 'oidc' | 'roleGroups'>): TokenVerifier {
  const keys = discoveredJwks(config.oidc.issuer);
  return async (authorization) => {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization?.trim() ?? '');
    if (!match?.[1]) throw new AuthenticationError('no bearer access token: sign in with `factory login`');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], await keys(), {
        issuer: config.oidc.issuer,
        audience: config.oidc.audience,
        clockTolerance: config.oidc.clockToleranceSeconds,
      }));
    } catch (error) {
      if (error instanceof errors.JOSEError)
        throw new AuthenticationError(
          error instanceof errors.JWTExpired
            ? 'the access token has expired: sign in again'
            : `the access token is not valid (${error.code})`,
        );
      throw error;
    }
    if (!payload.sub) throw new AuthenticationError('the access token has no subject');
    return {
      subject: payload.sub,
      name: nameOf(payload),
      roles: rolesOf(payload[config.oidc.groupsClaim], config.roleGroups),
    };
  };
}
