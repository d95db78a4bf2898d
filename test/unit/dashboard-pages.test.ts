/**
 * The dashboard's HTML and role logic without a browser: which actions each decision offers, buttons
 * enabled or disabled by role (with the role needed in words), the API request each action makes, the
 * shared cache (one refresh for many readers), and the session cookie (sealed, tamper-evident, scoped).
 */
import { describe, expect, it } from 'vitest';
import type { Role } from '../../contracts/operator-stamp.ts';
import { actionButton, actionsFor, decisionItem, programLive } from '../../server/dashboard/pages.ts';
import { SharedCache, type DashboardDecision } from '../../server/dashboard/program-data.ts';
import { apiRequestFor } from '../../server/dashboard/routes.ts';
import { rolesFor } from '../../server/roles.ts';
import { openLogin, openSession, safeReturnPath, sealLogin, sealSession } from '../../server/session.ts';

const held: DashboardDecision = {
  kind: 'held-batch',
  subject: 'w1-batch-01',
  waveId: 'w1',
  batchId: 'w1-batch-01',
  detail: '1 VM(s) parked: app-01',
  command: '',
  parkedVms: ['app-01'],
};

describe('dashboard pages', () => {
  it('enables an action for the roles that may take it and says which role is needed otherwise', () => {
    for (const role of ['viewer', 'operator', 'approver', 'lead', 'admin'] as Role[]) {
      const html = actionButton('retry', { roles: [role] }, 'x');
      const allowed = rolesFor('retry').includes(role);
      expect(html.includes('disabled'), role).toBe(!allowed);
      if (!allowed) expect(html).toContain(`Needs the operator or admin role; you have ${role}.`);
    }
    expect(actionButton('rollback', { roles: ['operator'] }, 'x')).toContain('Needs the lead or admin role');
  });

  it('offers each kind of decision its actions, with a required reason and the subject in hidden fields', () => {
    expect(actionsFor(held)).toEqual(['retry', 'skip', 'rollback']);
    expect(actionsFor({ ...held, parkedVms: [] })).toEqual(['retry', 'rollback']);
    expect(actionsFor({ ...held, kind: 'failed-database' })).toEqual(['database-retry', 'database-rollback']);
    expect(actionsFor({ ...held, kind: 'sign-off' })).toEqual(['sign-off', 'reject']);
    const html = decisionItem(held, { name: 'Oscar', roles: ['operator'], csrf: 'c' }, 3);
    expect(html).toContain('<h3 id="decision-3-title">Batch held: w1-batch-01</h3>');
    expect(html).toContain('<input name="reason" required');
    expect(html).toContain('name="vmNames" value="app-01"');
    expect(html).toMatch(/<button type="submit" name="action" value="retry">Retry<\/button>/);
    expect(html).toMatch(/value="rollback" disabled/);
  });

  it('escapes what workflows report', () => {
    const html = decisionItem(
      { ...held, detail: '<script>alert(1)</script>' },
      { name: 'x', roles: ['viewer'], csrf: 'c' },
      0,
    );
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;');
  });

  it('polls the program at the configured interval, with captioned tables', () => {
    const html = programLive(
      {
        takenAt: '2026-01-05T10:00:00.000Z',
        waves: [],
        wavesByState: { 'running-batches': 2 },
        vmsByStage: { replicating: 40 },
        databasesByStage: {},
        decisions: [],
        vmCount: 40,
        unreadable: [],
      },
      3,
    );
    expect(html).toContain('hx-trigger="every 3s"');
    expect(html).not.toContain('did not answer');
    expect(html).toContain('<caption>VMs by stage</caption>');
    expect(html).toContain('<th scope="row">replicating</th><td class="n">40</td>');
    expect(html).toContain('No plan and no finished batch yet');
  });

  it('says which workflows did not answer instead of failing the page', () => {
    const html = programLive(
      {
        takenAt: '2026-01-05T10:00:00.000Z',
        waves: [],
        wavesByState: {},
        vmsByStage: {},
        databasesByStage: {},
        decisions: [],
        vmCount: 0,
        unreadable: ['wave-w1', 'batch-<b>', 'wave-w3', 'wave-w4'],
      },
      3,
    );
    expect(html).toContain('4 workflow(s) did not answer in time (wave-w1, batch-&#60;b&#62;, wave-w3, …)');
  });
});

describe('dashboard actions', () => {
  it('maps each action to the API route and body the CLI would send', () => {
    const form = { waveId: 'w1', batchId: 'b1', reason: 'why', ticket: 'CHG-1', vmNames: 'a b' };
    expect(apiRequestFor('retry', form)).toEqual({
      url: '/api/waves/w1/retry',
      body: { reason: 'why', ticket: 'CHG-1', batchId: 'b1', vmNames: ['a', 'b'] },
    });
    expect(apiRequestFor('force-cutover', form).body).toMatchObject({ force: true, batchId: 'b1' });
    expect(apiRequestFor('reject', form)).toMatchObject({
      url: '/api/waves/w1/sign-off',
      body: { approved: false },
    });
    expect(
      apiRequestFor('approve-waiving', { waveId: 'w1', reason: 'pilot', waive: 'vm1 vm2' }).body,
    ).toEqual({
      reason: 'pilot',
      waivers: [
        { server: 'vm1', reason: 'pilot' },
        { server: 'vm2', reason: 'pilot' },
      ],
      preflightWaivers: [],
    });
    expect(apiRequestFor('database-retry', { databaseId: 'd/1', reason: 'r' }).url).toBe(
      '/api/databases/d%2F1/retry',
    );
  });
});

describe('shared cache', () => {
  it('serves many concurrent readers with one refresh and keeps the value for its time to live', async () => {
    const cache = new SharedCache<number>(60_000);
    let loads = 0;
    let release: (n: number) => void = () => {};
    const load = () => {
      loads += 1;
      return new Promise<number>((resolve) => (release = resolve));
    };
    const readers = Array.from({ length: 50 }, () => cache.get('program', load));
    release(7);
    expect(await Promise.all(readers)).toEqual(Array(50).fill(7));
    expect(await cache.get('program', load)).toBe(7);
    expect(loads).toBe(1);
  });

  it('forgets a failed refresh so the next reader tries again', async () => {
    const cache = new SharedCache<number>(60_000);
    await expect(cache.get('k', () => Promise.reject(new Error('down')))).rejects.toThrow('down');
    expect(await cache.get('k', () => Promise.resolve(2))).toBe(2);
  });
});

describe('session cookie', () => {
  const key = crypto.getRandomValues(new Uint8Array(32));

  it('opens only with its key, not after expiry, and not as a login cookie', async () => {
    const session = { accessToken: 'token', csrf: 'c', expiresAt: Date.now() + 60_000 };
    const sealed = await sealSession(session, key);
    expect(sealed).not.toContain('token');
    expect(await openSession(sealed, key)).toEqual(session);
    expect(await openSession(sealed, crypto.getRandomValues(new Uint8Array(32)))).toBeUndefined();
    expect(await openSession(`${sealed.slice(0, -4)}AAAA`, key)).toBeUndefined();
    expect(await openLogin(sealed, key)).toBeUndefined();
    const login = await sealLogin({ state: 's', codeVerifier: 'v', returnTo: '/dashboard' }, key);
    expect(await openSession(login, key)).toBeUndefined();
    expect(await openLogin(login, key)).toEqual({ state: 's', codeVerifier: 'v', returnTo: '/dashboard' });
  });

  it('returns only to dashboard paths after sign-in', () => {
    expect(safeReturnPath('/dashboard/waves/wave-01')).toBe('/dashboard/waves/wave-01');
    for (const bad of [
      'https://evil.example/',
      '//evil.example',
      '/dashboard/../api',
      '/api/waves',
      undefined,
    ])
      expect(safeReturnPath(bad)).toBe('/dashboard');
  });
});
