import { ArmError } from './arm.ts';

export interface Caller {
  /** The `oid` claim: the principal that throttling buckets and the audit are keyed by. */
  principal: string;
  tenantId: string;
}

const authenticationFailed = (message: string) =>
  new ArmError(401, 'AuthenticationFailed', message, { 'WWW-Authenticate': 'Bearer' });

/**
 * Reads `Authorization: Bearer <jwt>`. The simulator does not verify signatures (local tokens are
 * unsigned, `alg: none`); it only needs the `oid` and `tid` claims.
 */
export function authenticate(authorization: string | undefined): Caller {
  if (!authorization) {
    throw authenticationFailed("Authentication failed. The 'Authorization' header is missing.");
  }
  const match = /^Bearer\s+(\S+)$/i.exec(authorization);
  if (!match?.[1]) {
    throw authenticationFailed("Authentication failed. The 'Authorization' header must be 'Bearer <token>'.");
  }
  const [, payload] = match[1].split('.');
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString('utf8'));
  } catch {
    throw authenticationFailed('Authentication failed. The access token is not a decodable JWT.');
  }
  if (claims === null || typeof claims !== 'object') {
    throw authenticationFailed('Authentication failed. The access token payload is not a JSON object.');
  }
  const { oid, tid } = claims as { oid?: unknown; tid?: unknown };
  if (typeof oid !== 'string' || oid === '') {
    throw authenticationFailed("Authentication failed. The access token has no 'oid' claim.");
  }
  return { principal: oid, tenantId: typeof tid === 'string' ? tid : '' };
}
