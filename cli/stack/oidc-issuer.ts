/**
 * A real OpenID Connect issuer (oidc-provider) for the embedded stack and the tests, so the factory
 * server verifies tokens the same way it does against Microsoft Entra ID: a few seeded users carrying a
 * `groups` claim, a public client for the CLI with the device-code flow, JWT access tokens for the
 * server's audience (resource indicators), and a minimal login form that a test can fill in without a
 * browser (`deviceCodeToken`).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type Configuration } from 'oidc-provider';

export interface SeededUser {
  username: string;
  password: string;
  name: string;
  /** Group ids, as Entra ID puts group object ids in the `groups` claim. */
  groups: string[];
}

/** The local stack's group ids; `localRoleGroups` maps them to roles. */
export const localGroups = {
  viewer: 'factory-viewers',
  operator: 'factory-operators',
  approver: 'factory-approvers',
  lead: 'factory-leads',
  admin: 'factory-admins',
} as const;

/** `FACTORY_ROLE_GROUPS` for the local issuer's groups. */
export const localRoleGroups = Object.entries(localGroups)
  .map(([role, group]) => `${role}=${group}`)
  .join(',');

/** One user per role; the password is the stack's, printed when it starts (local use only). */
export function seededUsers(password = 'factory'): SeededUser[] {
  const user = (username: string, name: string, groups: string[]) => ({ username, password, name, groups });
  return [
    user('viola', 'Viola Viewer', [localGroups.viewer]),
    user('oscar', 'Oscar Operator', [localGroups.operator]),
    user('april', 'April Approver', [localGroups.approver]),
    user('leo', 'Leo Lead', [localGroups.lead]),
    user('ada', 'Ada Admin', [localGroups.admin]),
  ];
}

export const LOCAL_CLI_CLIENT_ID = 'factory-cli';
export const LOCAL_AUDIENCE = 'api://migration-factory';

export interface OidcIssuerOptions {
  port: number;
  host?: string;
  users?: SeededUser[];
  /** The factory server's audience (resource indicator) the access tokens are for. */
  audience?: string;
  clientId?: string;
  accessTokenTtlSeconds?: number;
  /**
   * Where the public client may send browsers back after the authorization-code flow: the factory
   * server's dashboard callback (`FACTORY_DASHBOARD_REDIRECT_URL`). The issuer refuses any other.
   */
  redirectUris?: string[];
}

export interface RunningOidcIssuer {
  issuer: string;
  audience: string;
  clientId: string;
  users: SeededUser[];
  close(): Promise<void>;
}

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

const page = (title: string, body: string) =>
  `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > 16_384) throw new Error('form too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

export async function startOidcIssuer(options: OidcIssuerOptions): Promise<RunningOidcIssuer> {
  const host = options.host ?? '127.0.0.1';
  const users = options.users ?? seededUsers();
  const audience = options.audience ?? LOCAL_AUDIENCE;
  const clientId = options.clientId ?? LOCAL_CLI_CLIENT_ID;
  const byName = new Map(users.map((u) => [u.username, u]));
  // A fresh signing key per run: tokens of an earlier run are not valid against this one.
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), alg: 'RS256', use: 'sig', kid: `local-${Date.now()}` };

  const server: Server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const issuer = `http://${host}:${port}`;

  const configuration: Configuration = {
    clients: [
      {
        client_id: clientId,
        token_endpoint_auth_method: 'none',
        grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'authorization_code', 'refresh_token'],
        response_types: ['code'],
        redirect_uris: options.redirectUris?.length ? options.redirectUris : ['http://127.0.0.1/callback'],
      },
    ],
    jwks: { keys: [jwk] },
    findAccount(_ctx, sub) {
      const user = byName.get(sub);
      if (!user) return undefined;
      return {
        accountId: sub,
        claims: () => ({ sub, name: user.name, preferred_username: user.username, groups: user.groups }),
      };
    },
    claims: { openid: ['sub'], profile: ['name', 'preferred_username'], groups: ['groups'] },
    scopes: ['openid', 'profile', 'groups', 'offline_access'],
    features: {
      devInteractions: { enabled: false },
      deviceFlow: {
        enabled: true,
        // Plain pages with no external fonts or scripts: the stack runs without the internet.
        userCodeInputSource: (ctx, form) => {
          ctx.body = page('Enter the code shown by `factory login`', form);
        },
        userCodeConfirmSource: (ctx, form, client, _deviceInfo, userCode) => {
          ctx.body = page(
            `Sign in ${client.clientId} with code ${userCode}?`,
            form.replace('</form>', '<button type="submit">Continue</button></form>'),
          );
        },
        successSource: (ctx) => {
          ctx.body = page('Signed in', '<p>You can return to your terminal.</p>');
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => audience,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => {
          if (resource !== audience) throw new Error(`unknown resource ${resource}`);
          return {
            scope: 'api',
            audience,
            accessTokenFormat: 'jwt',
            accessTokenTTL: options.accessTokenTtlSeconds ?? 3600,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    // Entra ID puts `groups` and `name` in its access tokens; so do we, so the server reads the same claims.
    extraTokenClaims(_ctx, token) {
      const user = 'accountId' in token && token.accountId ? byName.get(token.accountId) : undefined;
      return user ? { name: user.name, preferred_username: user.username, groups: user.groups } : undefined;
    },
    // First-party client: the grant covers what it asks for, so there is no consent page.
    async loadExistingGrant(ctx) {
      const accountId = ctx.oidc.session?.accountId;
      const client = ctx.oidc.client;
      if (!accountId || !client) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId });
      grant.addOIDCScope('openid profile groups offline_access');
      grant.addOIDCClaims(['sub', 'name', 'preferred_username', 'groups']);
      grant.addResourceScope(audience, 'api');
      await grant.save();
      return grant;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    pkce: { required: () => false },
    ttl: {
      DeviceCode: 600,
      AccessToken: options.accessTokenTtlSeconds ?? 3600,
      Session: 8 * 3600,
      Interaction: 600,
      Grant: 8 * 3600,
    },
    cookies: { keys: [jwk.kid] },
  };
  const provider = new Provider(issuer, configuration);
  const callback = provider.callback();

  async function interaction(req: IncomingMessage, res: ServerResponse, uid: string, post: boolean) {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new Error('interaction does not match its cookie');
    if (!post) {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(
        page(
          'Sign in to Migration Factory',
          `<form method="post" action="/interaction/${escapeHtml(uid)}/login"><label>User <input name="username" autocomplete="username" required></label><label>Password <input type="password" name="password" autocomplete="current-password" required></label><button type="submit">Sign in</button></form>`,
        ),
      );
      return;
    }
    const form = await readForm(req);
    const user = byName.get(form.get('username') ?? '');
    if (!user || user.password !== form.get('password')) {
      res.writeHead(401, { 'content-type': 'text/html; charset=utf-8' });
      res.end(page('Sign in failed', '<p>Unknown user or wrong password.</p>'));
      return;
    }
    await provider.interactionFinished(req, res, { login: { accountId: user.username } });
  }

  server.on('request', (req, res) => {
    const match = /^\/interaction\/([\w-]+)(\/login)?$/.exec((req.url ?? '').split('?')[0] ?? '');
    if (!match) {
      void callback(req, res);
      return;
    }
    const post = req.method === 'POST' && match[2] === '/login';
    interaction(req, res, match[1] ?? '', post).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
      res.end(error instanceof Error ? error.message : String(error));
    });
  });

  return {
    issuer,
    audience,
    clientId,
    users,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A browser's cookies, for following the issuer's forms without a browser. */
class CookieJar {
  private readonly cookies = new Map<string, string>();
  store(response: Response) {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ''] = header.split(';');
      const at = pair.indexOf('=');
      if (at > 0) this.cookies.set(pair.slice(0, at).trim(), pair.slice(at + 1).trim());
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/** The first form of a page: its action and hidden inputs. */
function formOf(html: string, base: string): { action: string; fields: URLSearchParams } {
  const form = /<form[^>]*action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!form) throw new Error(`the issuer's page has no form:\n${html.slice(0, 500)}`);
  const fields = new URLSearchParams();
  for (const input of (form[2] ?? '').matchAll(/<input[^>]*type="hidden"[^>]*>/gi)) {
    const name = /name="([^"]*)"/.exec(input[0])?.[1];
    const value = /value="([^"]*)"/.exec(input[0])?.[1] ?? '';
    if (name)
      fields.set(
        name,
        value.replace(/&#(\d+);/g, (_m, code: string) => String.fromCharCode(+code)),
      );
  }
  return { action: new URL(form[1] ?? '', base).toString(), fields };
}

/**
 * Opens the verification URL (with the code in it), confirms the code and signs in. Resolves when the
 * issuer shows its success page; the CLI polling the token endpoint then gets its tokens.
 */
export async function completeDeviceSignIn(
  verificationUriComplete: string,
  username: string,
  password: string,
): Promise<void> {
  const jar = new CookieJar();
  const go = async (url: string, init: RequestInit = {}) => {
    let target = url;
    let request = init;
    for (let hops = 0; hops < 10; hops += 1) {
      const response = await fetch(target, {
        ...request,
        redirect: 'manual',
        headers: { ...(request.headers as Record<string, string>), cookie: jar.header() },
      });
      jar.store(response);
      const location = response.headers.get('location');
      if (response.status < 300 || response.status >= 400 || !location) return { response, url: target };
      target = new URL(location, target).toString();
      request = {};
    }
    throw new Error(`too many redirects from ${url}`);
  };
  const postForm = (url: string, fields: URLSearchParams) =>
    go(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: fields.toString(),
    });

  // The verification page posts the code, the issuer asks to confirm it, then sends us to sign in.
  let step = await go(verificationUriComplete);
  for (let i = 0; i < 3 && !step.url.includes('/interaction/'); i += 1) {
    const { action, fields } = formOf(await step.response.text(), step.url);
    step = await postForm(action, fields);
  }
  if (!step.url.includes('/interaction/'))
    throw new Error(`the issuer did not ask to sign in: ${await step.response.text()}`);
  const login = formOf(await step.response.text(), step.url);
  login.fields.set('username', username);
  login.fields.set('password', password);
  const signedIn = await postForm(login.action, login.fields);
  if (signedIn.response.status !== 200)
    throw new Error(`sign-in as ${username} failed: ${await signedIn.response.text()}`);
}

/**
 * Obtains an access token for a user through the real device-code flow, as `factory login` and a person
 * at a browser would: ask for a device code, open the verification page, confirm the code, sign in with
 * user and password, then poll the token endpoint. For tests and scripts against the local issuer.
 */
export async function deviceCodeToken(
  issuer: { issuer: string; clientId: string; audience: string },
  username: string,
  password: string,
): Promise<string> {
  const discovery = (await (await fetch(`${issuer.issuer}/.well-known/openid-configuration`)).json()) as {
    device_authorization_endpoint: string;
    token_endpoint: string;
  };
  const deviceResponse = await fetch(discovery.device_authorization_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      client_id: issuer.clientId,
      scope: 'openid profile groups api',
      resource: issuer.audience,
    }).toString(),
  });
  const device = (await deviceResponse.json()) as {
    device_code?: string;
    verification_uri_complete?: string;
    error_description?: string;
  };
  if (!device.device_code || !device.verification_uri_complete)
    throw new Error(`device authorization refused: ${device.error_description ?? deviceResponse.status}`);

  await completeDeviceSignIn(device.verification_uri_complete, username, password);

  const tokenResponse = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: device.device_code,
      client_id: issuer.clientId,
    }).toString(),
  });
  const token = (await tokenResponse.json()) as { access_token?: string; error?: string };
  if (!token.access_token) throw new Error(`no access token for ${username}: ${token.error ?? 'unknown'}`);
  return token.access_token;
}
