/**
 * The operations dashboard on the factory server: browser sign-in through OpenID Connect (authorization
 * code with PKCE, openid-client), an encrypted HttpOnly SameSite=Strict session cookie, server-rendered
 * pages polled by htmx, and actions that go through the API's own routes (same role checks, stamps and
 * audit) with the session's token. Dashboard POSTs need the session's CSRF token in a header.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import * as oidc from 'openid-client';
import type { VerifiedIdentity } from '../../contracts/operator-stamp.ts';
import type { Temporal } from '../../cli/operate/connection.ts';
import { planCapacityCharts, planGantt } from '../../cli/plan/plan-charts.ts';
import type { DashboardConfig, ServerConfig } from '../config.ts';
import type { TokenVerifier } from '../identity.ts';
import { mayRead } from '../roles.ts';
import {
  CSRF_HEADER,
  LOGIN_COOKIE,
  LOGIN_TTL_MS,
  SESSION_COOKIE,
  cookiesOf,
  openLogin,
  openSession,
  safeReturnPath,
  sealLogin,
  sealSession,
  setCookie,
  type Session,
} from '../session.ts';
import {
  actionResult,
  batchLive,
  dashboardActions,
  decisionCount,
  decisionsPage,
  isDashboardAction,
  layout,
  loadFooter,
  messagePage,
  programLive,
  waveLive,
  type DashboardAction,
  type Viewer,
} from './pages.ts';
import { createProgramData } from './program-data.ts';

/** Sessions never outlive this, even with a longer-lived token. */
const MAX_SESSION_MS = 8 * 3600_000;

/** The API call a dashboard action makes, from the action form's fields. */
export function apiRequestFor(
  action: DashboardAction,
  form: Record<string, string | undefined>,
): { url: string; body: Record<string, unknown> } {
  const words = (text: string | undefined) => (text ?? '').split(/\s+/).filter(Boolean);
  const intent = {
    reason: form.reason ?? '',
    ...(form.ticket?.trim() ? { ticket: form.ticket.trim() } : {}),
  };
  const wave = `/api/waves/${encodeURIComponent(form.waveId ?? '')}`;
  const database = `/api/databases/${encodeURIComponent(form.databaseId ?? '')}`;
  const onBatch = { ...intent, batchId: form.batchId ?? '' };
  const vmNames = words(form.vmNames);
  switch (action) {
    case 'approve':
      return { url: `${wave}/approve`, body: intent };
    case 'approve-waiving':
      // The person approving states one reason for every waiver they grant here.
      return {
        url: `${wave}/approve`,
        body: {
          ...intent,
          waivers: words(form.waive).map((server) => ({ server, reason: intent.reason })),
          preflightWaivers: words(form.waiveChecks).map((check) => ({ check, reason: intent.reason })),
          ...(form.acceptCapacity === 'true' ? { acceptCapacityViolations: true } : {}),
        },
      };
    case 'retry':
      return { url: `${wave}/retry`, body: { ...onBatch, ...(vmNames.length ? { vmNames } : {}) } };
    case 'skip':
      return { url: `${wave}/skip`, body: { ...onBatch, vmNames } };
    case 'rollback':
      return { url: `${wave}/rollback`, body: onBatch };
    case 'cutover':
      return { url: `${wave}/cutover`, body: onBatch };
    case 'force-cutover':
      return { url: `${wave}/cutover`, body: { ...onBatch, force: true } };
    case 'postpone':
      return { url: `${wave}/postpone`, body: { ...onBatch, until: form.until ?? '' } };
    case 'sign-off':
    case 'reject':
      return { url: `${wave}/sign-off`, body: { ...onBatch, approved: action === 'sign-off' } };
    case 'database-retry':
      return { url: `${database}/retry`, body: intent };
    case 'database-rollback':
      return { url: `${database}/rollback`, body: intent };
  }
}

const sameToken = (a: string | undefined, b: string) =>
  a !== undefined && a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b));

export async function registerDashboard(
  app: FastifyInstance,
  deps: { config: ServerConfig; temporal: Temporal; verifyToken: TokenVerifier },
) {
  const { config, temporal, verifyToken } = deps;
  const dashboard: DashboardConfig | undefined = config.dashboard;
  const data = createProgramData({
    temporal,
    ...(config.workspace ? { workspace: config.workspace } : {}),
    refreshSeconds: dashboard?.refreshSeconds ?? 3,
  });

  // Reads of the dashboard's load on Temporal, for people and scripts with a token (behind the API's hook).
  // The dashboard's routes are HTML for browsers, not part of the API's OpenAPI document.
  app.get('/api/dashboard/load', { schema: { hide: true } }, () => data.load());

  if (!dashboard) {
    const off = (_request: FastifyRequest, reply: FastifyReply) =>
      reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send(
          messagePage(
            'Dashboard not configured',
            'Set FACTORY_DASHBOARD_CLIENT_ID (and FACTORY_DASHBOARD_REDIRECT_URL) to the OpenID Connect client browsers sign in with; see docs/dashboard.md.',
          ),
        );
    app.get('/dashboard', { schema: { hide: true } }, off);
    app.get('/login', { schema: { hide: true } }, off);
    return;
  }

  const secure = new URL(dashboard.redirectUrl).protocol === 'https:';
  const htmxPath = createRequire(import.meta.url).resolve('htmx.org/dist/htmx.min.js');
  let htmx: Buffer | undefined;
  let issuer: Promise<oidc.Configuration> | undefined;
  const discovered = () => {
    issuer ??= oidc
      .discovery(
        new URL(config.oidc.issuer),
        dashboard.clientId,
        undefined,
        oidc.None(),
        // A plain-http issuer is the local stack's; production issuers (Entra ID) are https.
        new URL(config.oidc.issuer).protocol === 'http:' ? { execute: [oidc.allowInsecureRequests] } : {},
      )
      .catch((error: unknown) => {
        issuer = undefined;
        throw error;
      });
    return issuer;
  };

  const html = (reply: FastifyReply, body: string, code = 200) =>
    reply.code(code).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  /** The signed-in viewer: the session's token verified exactly as the API verifies a bearer token. */
  async function signedIn(
    request: FastifyRequest,
  ): Promise<{ session: Session; identity: VerifiedIdentity } | undefined> {
    const session = await openSession(
      cookiesOf(request.headers.cookie).get(SESSION_COOKIE),
      dashboard!.sessionKey,
    );
    if (!session) return undefined;
    try {
      return { session, identity: await verifyToken(`Bearer ${session.accessToken}`) };
    } catch {
      return undefined;
    }
  }

  /** Runs a page handler for a signed-in reader; sends others to sign in (or says why they may not read). */
  async function page(
    request: FastifyRequest,
    reply: FastifyReply,
    render: (viewer: Viewer, identity: VerifiedIdentity) => Promise<string | undefined>,
  ) {
    const who = await signedIn(request);
    const fragment = request.url.startsWith('/dashboard/fragments/');
    if (!who) {
      const login = `/login?returnTo=${encodeURIComponent(fragment ? '/dashboard' : request.url)}`;
      // htmx follows HX-Redirect with a full navigation; a plain browser follows the 303.
      return fragment ? reply.code(401).header('hx-redirect', login).send() : reply.redirect(login, 303);
    }
    if (!mayRead(who.identity.roles))
      return html(
        reply,
        messagePage('No factory role', `${who.identity.name} has no factory role: ask for the viewer group.`),
        403,
      );
    data.pageView();
    const body = await render(
      { name: who.identity.name, roles: who.identity.roles, csrf: who.session.csrf },
      who.identity,
    );
    return body === undefined
      ? html(
          reply,
          messagePage('Not found', `Nothing at ${request.url}.`, { href: '/dashboard', text: 'Program' }),
          404,
        )
      : html(reply, body);
  }

  await app.register((scope, _options, done) => {
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, hide: true };
    });
    scope.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: 64 * 1024 },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    scope.get('/dashboard/assets/htmx.min.js', async (_request, reply) => {
      htmx ??= await readFile(htmxPath);
      return reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .send(htmx);
    });

    scope.get('/login', async (request, reply) => {
      const client = await discovered();
      const codeVerifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const returnTo = safeReturnPath((request.query as { returnTo?: string }).returnTo);
      const url = oidc.buildAuthorizationUrl(client, {
        redirect_uri: dashboard.redirectUrl,
        scope: dashboard.scope,
        code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state,
        ...(dashboard.resource ? { resource: dashboard.resource } : {}),
      });
      const sealed = await sealLogin({ state, codeVerifier, returnTo }, dashboard.sessionKey);
      return reply
        .header(
          'set-cookie',
          setCookie(LOGIN_COOKIE, sealed, {
            sameSite: 'Lax',
            path: '/auth',
            maxAge: LOGIN_TTL_MS / 1000,
            secure,
          }),
        )
        .redirect(url.href, 303);
    });

    scope.get('/auth/callback', async (request, reply) => {
      const login = await openLogin(
        cookiesOf(request.headers.cookie).get(LOGIN_COOKIE),
        dashboard.sessionKey,
      );
      const clearLogin = setCookie(LOGIN_COOKIE, '', { sameSite: 'Lax', path: '/auth', maxAge: 0, secure });
      if (!login)
        return html(
          reply.header('set-cookie', clearLogin),
          messagePage('Sign-in expired', 'The sign-in took too long or started elsewhere.', {
            href: '/login',
            text: 'Sign in again',
          }),
          400,
        );
      let accessToken: string;
      let expiresIn: number | undefined;
      try {
        const tokens = await oidc.authorizationCodeGrant(
          await discovered(),
          new URL(request.url, dashboard.redirectUrl),
          { pkceCodeVerifier: login.codeVerifier, expectedState: login.state, idTokenExpected: true },
          dashboard.resource ? { resource: dashboard.resource } : undefined,
        );
        accessToken = tokens.access_token;
        expiresIn = tokens.expiresIn();
      } catch (error) {
        request.log.warn({ error: error instanceof Error ? error.message : String(error) }, 'sign-in failed');
        return html(
          reply.header('set-cookie', clearLogin),
          messagePage(
            'Sign-in failed',
            error instanceof Error ? error.message : 'the issuer refused the sign-in',
            {
              href: '/login',
              text: 'Sign in again',
            },
          ),
          400,
        );
      }
      let identity: VerifiedIdentity;
      try {
        identity = await verifyToken(`Bearer ${accessToken}`);
      } catch (error) {
        return html(
          reply.header('set-cookie', clearLogin),
          messagePage(
            'Sign-in refused',
            `The issuer's access token is not one this server accepts: ${error instanceof Error ? error.message : String(error)}`,
          ),
          403,
        );
      }
      const expiresAt = Date.now() + Math.min((expiresIn ?? 3600) * 1000, MAX_SESSION_MS);
      const csrf = Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url');
      const sealed = await sealSession({ accessToken, csrf, expiresAt }, dashboard.sessionKey);
      request.log.info({ user: identity.name, roles: identity.roles }, 'dashboard sign-in');
      // A page, not a redirect: the browser then navigates from this site, so it sends the Strict cookie
      // even though the sign-in began on the issuer's site.
      return html(
        reply.header('set-cookie', [
          clearLogin,
          setCookie(SESSION_COOKIE, sealed, {
            sameSite: 'Strict',
            path: '/',
            maxAge: (expiresAt - Date.now()) / 1000,
            secure,
          }),
        ]),
        `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${login.returnTo}"><title>Signed in</title></head><body><main><h1>Signed in as ${identity.name.replace(/[&<>"']/g, '')}</h1><p><a href="${login.returnTo}">Continue to the dashboard</a></p></main></body></html>`,
      );
    });

    scope.post('/logout', async (request, reply) => {
      const who = await signedIn(request);
      const form = (request.body ?? {}) as Record<string, string>;
      if (who && !sameToken(form.csrf ?? request.headers[CSRF_HEADER]?.toString(), who.session.csrf))
        return html(
          reply,
          messagePage('Refused', 'The sign-out form did not come from this dashboard.'),
          403,
        );
      return html(
        reply.header(
          'set-cookie',
          setCookie(SESSION_COOKIE, '', { sameSite: 'Strict', path: '/', maxAge: 0, secure }),
        ),
        messagePage(
          'Signed out',
          'Your dashboard session has ended. The issuer may still remember you; sign out there too on a shared computer.',
          { href: '/login', text: 'Sign in' },
        ),
      );
    });

    const refresh = dashboard.refreshSeconds;
    const params = (request: FastifyRequest) => request.params as Record<string, string>;

    scope.get('/dashboard', (request, reply) =>
      page(request, reply, async (viewer) =>
        layout('Program', viewer, programLive(await data.program(), refresh), data.load()),
      ),
    );
    scope.get('/dashboard/fragments/program', (request, reply) =>
      page(
        request,
        reply,
        async () => programLive(await data.program(), refresh) + loadFooterSwap(data.load()),
      ),
    );
    scope.get('/dashboard/waves/:waveId', (request, reply) =>
      page(request, reply, async (viewer) => {
        const wave = await data.wave(params(request).waveId ?? '');
        return wave && layout(`Wave ${wave.waveId}`, viewer, waveLive(wave, refresh), data.load());
      }),
    );
    scope.get('/dashboard/fragments/waves/:waveId', (request, reply) =>
      page(request, reply, async () => {
        const wave = await data.wave(params(request).waveId ?? '');
        return wave && waveLive(wave, refresh);
      }),
    );
    scope.get('/dashboard/batches/:batchId', (request, reply) =>
      page(request, reply, async (viewer) => {
        const batch = await data.batch(params(request).batchId ?? '');
        return (
          batch && layout(`Batch ${batch.progress.batchId}`, viewer, batchLive(batch, refresh), data.load())
        );
      }),
    );
    scope.get('/dashboard/fragments/batches/:batchId', (request, reply) =>
      page(request, reply, async () => {
        const batch = await data.batch(params(request).batchId ?? '');
        return batch && batchLive(batch, refresh);
      }),
    );
    scope.get('/dashboard/decisions', (request, reply) =>
      page(request, reply, async (viewer) =>
        layout(
          'Needs a decision now',
          viewer,
          decisionsPage(await data.program(), viewer, refresh),
          data.load(),
        ),
      ),
    );
    scope.get('/dashboard/fragments/decision-count', (request, reply) =>
      page(request, reply, async () =>
        decisionCount(
          (await data.program()).decisions.length,
          Number((request.query as { shown?: string }).shown ?? 0),
          refresh,
        ),
      ),
    );
    let planHtml: { plan: object; html: string } | undefined;
    scope.get('/dashboard/plan', (request, reply) =>
      page(request, reply, async (viewer) => {
        const plan = await data.plan();
        if (!plan)
          return layout(
            'Plan',
            viewer,
            '<p>This server has no workspace plan (FACTORY_WORKSPACE).</p>',
            data.load(),
          );
        // ECharts rendering is the expensive part: once per plan, not per viewer.
        if (planHtml?.plan !== plan)
          planHtml = {
            plan,
            html: `<p>${plan.summary.waves} waves, ${plan.summary.batches} batches, ${plan.summary.vms} VMs from ${plan.options.start}. All times UTC.</p><h2>Schedule</h2>${planGantt(plan)}<h2>Capacity</h2>${planCapacityCharts(plan).join('\n')}`,
          };
        return layout('Plan', viewer, planHtml.html, data.load());
      }),
    );
    scope.get('/dashboard/load.json', async (request, reply) => {
      if (!(await signedIn(request)))
        return reply.code(401).send({ error: 'unauthorized', reason: 'sign in' });
      return data.load();
    });

    scope.post('/dashboard/actions', async (request, reply) => {
      const who = await signedIn(request);
      if (!who) return html(reply, actionResult(false, 'your session has ended: sign in again'), 401);
      if (!sameToken(request.headers[CSRF_HEADER]?.toString(), who.session.csrf))
        return html(
          reply,
          actionResult(false, 'the request did not come from this dashboard (CSRF token)'),
          403,
        );
      const form = (request.body ?? {}) as Record<string, string>;
      const action = form.action ?? '';
      if (!isDashboardAction(action))
        return html(reply, actionResult(false, `unknown action '${action}'`), 400);
      const { url, body } = apiRequestFor(action, form);
      // Through the API itself: the same role check, signed stamp, workflow validation and audit.
      const response = await app.inject({
        method: 'POST',
        url,
        headers: { authorization: `Bearer ${who.session.accessToken}`, 'content-type': 'application/json' },
        payload: JSON.stringify(body),
      });
      const answer = response.json<{ message?: string; reason?: string }>();
      const ok = response.statusCode === 200;
      request.log.info(
        { user: who.identity.name, action: dashboardActions[action].api, status: response.statusCode },
        'dashboard action',
      );
      return html(
        reply,
        actionResult(ok, (ok ? answer.message : answer.reason) ?? response.body),
        response.statusCode,
      );
    });
    done();
  });
}

/** The footer's load line, replaced out of band with each program poll. */
const loadFooterSwap = (load: ReturnType<ReturnType<typeof createProgramData>['load']>) =>
  loadFooter(load).replace('<p id="load">', '<p id="load" hx-swap-oob="true">');
