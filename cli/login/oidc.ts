/**
 * Signing in to the factory server's OpenID Connect issuer with `openid-client`: the device-code flow
 * (RFC 8628) for `factory login`, and the refresh-token grant when a cached access token has expired.
 * Access tokens are asked for the server's audience with a resource indicator (RFC 8707); Entra ID takes
 * the audience from the scope (`api://…/.default`), which the server advertises in its auth config.
 */
import * as client from 'openid-client';
import { CliError, ExitCode } from '../operate/exit-codes.ts';
import type { ServerSession } from './credentials.ts';

/** What the CLI needs to sign in, from the server's `GET /api/auth-config` and the environment. */
export interface SignInSettings {
  issuer: string;
  clientId: string;
  audience: string;
  scope: string;
}

const loopback = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Discovery of the issuer; plain http only for an issuer on this machine (the embedded stack's). */
async function discover(settings: Pick<SignInSettings, 'issuer' | 'clientId'>) {
  const issuer = new URL(settings.issuer);
  const insecure = issuer.protocol === 'http:';
  if (insecure && !loopback.has(issuer.hostname))
    throw new CliError(
      `the OpenID Connect issuer ${settings.issuer} is plain http on another machine; only https is accepted there (FACTORY_OIDC_ISSUER)`,
      ExitCode.usage,
    );
  try {
    return await client.discovery(
      issuer,
      settings.clientId,
      undefined,
      client.None(),
      insecure ? { execute: [client.allowInsecureRequests] } : undefined,
    );
  } catch (error) {
    throw new CliError(
      `cannot read the OpenID Connect discovery document of ${settings.issuer}: ${messageOf(error)}`,
      ExitCode.connection,
    );
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The scope asked for always includes offline_access: the refresh token keeps the CLI signed in. */
export const withOfflineAccess = (scope: string) =>
  scope.split(/\s+/).includes('offline_access') ? scope.trim() : `${scope.trim()} offline_access`;

function sessionOf(
  settings: SignInSettings,
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers,
  previousRefreshToken?: string,
): ServerSession {
  // An issuer that does not say how long the token lives: assume the common hour; the server decides anyway.
  const expiresIn = tokens.expiresIn() ?? 3600;
  const refreshToken = tokens.refresh_token ?? previousRefreshToken;
  const name = tokens.claims()?.name;
  return {
    issuer: settings.issuer,
    clientId: settings.clientId,
    audience: settings.audience,
    scope: settings.scope,
    accessToken: tokens.access_token,
    expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    ...(refreshToken ? { refreshToken } : {}),
    ...(typeof name === 'string' ? { name } : {}),
  };
}

export interface DeviceSignInPrompt {
  verificationUri: string;
  verificationUriComplete?: string;
  userCode: string;
  expiresInSeconds: number;
}

/**
 * The device-code flow: asks the issuer for a code, shows the person where to enter it (`prompt`), and
 * polls the token endpoint at the interval the issuer asks for until they have signed in, refused, or
 * the code expired.
 */
export async function deviceCodeSignIn(
  settings: SignInSettings,
  prompt: (p: DeviceSignInPrompt) => void,
): Promise<ServerSession> {
  const config = await discover(settings);
  const scope = withOfflineAccess(settings.scope);
  const parameters = { scope, resource: settings.audience };
  let device: client.DeviceAuthorizationResponse;
  try {
    device = await client.initiateDeviceAuthorization(config, parameters);
  } catch (error) {
    throw new CliError(
      `${settings.issuer} refused the device sign-in for client ${settings.clientId}: ${messageOf(error)}`,
      ExitCode.refused,
    );
  }
  prompt({
    verificationUri: device.verification_uri,
    ...(device.verification_uri_complete
      ? { verificationUriComplete: device.verification_uri_complete }
      : {}),
    userCode: device.user_code,
    expiresInSeconds: device.expires_in,
  });
  try {
    const tokens = await client.pollDeviceAuthorizationGrant(config, device, {
      resource: settings.audience,
    });
    return sessionOf(settings, tokens);
  } catch (error) {
    throw new CliError(`sign-in did not complete: ${messageOf(error)}`, ExitCode.refused);
  }
}

/** A fresh access token from the refresh token; undefined when the issuer no longer accepts it. */
export async function refreshSession(session: ServerSession): Promise<ServerSession | undefined> {
  if (!session.refreshToken) return undefined;
  const config = await discover(session);
  try {
    const tokens = await client.refreshTokenGrant(config, session.refreshToken, {
      resource: session.audience,
    });
    const refreshed = sessionOf(session, tokens, session.refreshToken);
    return refreshed.name || !session.name ? refreshed : { ...refreshed, name: session.name };
  } catch (error) {
    // The issuer's answer (expired, revoked): the person signs in again. Anything else is a real failure.
    if (error instanceof client.ResponseBodyError) return undefined;
    throw error;
  }
}
