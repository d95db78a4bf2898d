/**
 * Notifications: the payload each channel gets (exact JSON), that no configured secret or credential-looking
 * text reaches a payload or an error, deterministic event ids and keys, the ledger's once-per-channel
 * delivery, and the worker configuration of the channels.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createNotifyActivities,
  deliveryKey,
  emailMessage,
  emailMessageId,
  ledgerKey,
  MemoryNotificationLedger,
  notificationMessage,
  scrubSecrets,
  secretsOf,
  slackPayload,
  teamsPayload,
  webhookPayload,
  type NotificationSettings,
} from '../../activities/notify.ts';
import {
  notificationEventId,
  notificationWorkflowId,
  type NotificationEvent,
} from '../../contracts/notifications.ts';
import { configuredNotificationChannels, loadWorkerConfig, notificationEnv } from '../../workers/config.ts';

const eventId = notificationEventId('batch-w1-b2', '5f0c1e2a-run', 'batch-held', 1);
const held: NotificationEvent = {
  eventId,
  kind: 'batch-held',
  waveId: 'w1',
  batchId: 'w1-b2',
  detail: '1 VM(s) parked: crm-db-01 (EnableProtectionFailed: agent <unreachable> & retry)',
  raisedAt: '2026-12-05T10:00:00.000Z',
};
const dashboard = 'https://factory.contoso.com/';

describe('notification payloads', () => {
  const message = notificationMessage(held, dashboard);

  it('links to the batch page for batch events and to the wave page for wave events', () => {
    expect(message.url).toBe('https://factory.contoso.com/batches/w1-b2');
    const gate = notificationMessage(
      { eventId: 'x', kind: 'gate-refused', waveId: 'wave 7', raisedAt: held.raisedAt },
      dashboard,
    );
    expect(gate.url).toBe('https://factory.contoso.com/waves/wave%207');
    expect(gate.title).toBe('Wave wave 7: the gate refuses the wave');
  });

  it('the generic webhook gets the versioned event document', () => {
    expect(webhookPayload(message)).toEqual({
      source: 'migration-factory',
      version: 1,
      eventId: 'batch-w1-b2/5f0c1e2a-run/batch-held/1',
      kind: 'batch-held',
      title: 'Batch w1-b2 (wave w1) is held for an operator',
      detail: '1 VM(s) parked: crm-db-01 (EnableProtectionFailed: agent <unreachable> & retry)',
      waveId: 'w1',
      batchId: 'w1-b2',
      url: 'https://factory.contoso.com/batches/w1-b2',
      raisedAt: '2026-12-05T10:00:00.000Z',
    });
  });

  it('Teams gets a message with one Adaptive Card and an Open URL action', () => {
    expect(teamsPayload(message)).toEqual({
      type: 'message',
      attachments: [
        {
          contentType: 'application/vnd.microsoft.card.adaptive',
          contentUrl: null,
          content: {
            $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
            type: 'AdaptiveCard',
            version: '1.4',
            body: [
              {
                type: 'TextBlock',
                text: 'Batch w1-b2 (wave w1) is held for an operator',
                weight: 'Bolder',
                size: 'Medium',
                wrap: true,
              },
              {
                type: 'TextBlock',
                text: '1 VM(s) parked: crm-db-01 (EnableProtectionFailed: agent <unreachable> & retry)',
                wrap: true,
              },
              {
                type: 'FactSet',
                facts: [
                  { title: 'Wave', value: 'w1' },
                  { title: 'Batch', value: 'w1-b2' },
                  { title: 'Event', value: 'batch-held' },
                  { title: 'Raised', value: '2026-12-05T10:00:00.000Z' },
                ],
              },
            ],
            actions: [
              {
                type: 'Action.OpenUrl',
                title: 'Open in the dashboard',
                url: 'https://factory.contoso.com/batches/w1-b2',
              },
            ],
          },
        },
      ],
    });
  });

  it('Slack gets text and blocks, with mrkdwn escaped', () => {
    expect(slackPayload(message)).toEqual({
      text: 'Batch w1-b2 (wave w1) is held for an operator: <https://factory.contoso.com/batches/w1-b2|open in the dashboard>',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: 'Batch w1-b2 (wave w1) is held for an operator' },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '1 VM(s) parked: crm-db-01 (EnableProtectionFailed: agent &lt;unreachable&gt; &amp; retry)',
          },
        },
        {
          type: 'section',
          text: {
            type: 'mrkdwn',
            text: '<https://factory.contoso.com/batches/w1-b2|Open in the dashboard> · batch-held · 2026-12-05T10:00:00.000Z',
          },
        },
      ],
    });
  });

  it('the e-mail has a deterministic Message-ID and the link', () => {
    const mail = emailMessage(message, { from: 'factory@contoso.com', to: ['ops@contoso.com'] });
    expect(mail).toEqual({
      from: 'factory@contoso.com',
      to: ['ops@contoso.com'],
      subject: 'Batch w1-b2 (wave w1) is held for an operator',
      messageId: emailMessageId(eventId),
      headers: { 'X-Factory-Event-Id': eventId, 'X-Factory-Event-Kind': 'batch-held' },
      text:
        'Batch w1-b2 (wave w1) is held for an operator\n\n' +
        '1 VM(s) parked: crm-db-01 (EnableProtectionFailed: agent <unreachable> & retry)\n\n' +
        'Open in the dashboard: https://factory.contoso.com/batches/w1-b2\n\n' +
        `Event ${eventId}, raised 2026-12-05T10:00:00.000Z.\n`,
    });
    expect(mail.messageId).toMatch(/^<[0-9a-f]{32}@migration-factory>$/);
  });
});

describe('no secrets in notifications', () => {
  const settings: NotificationSettings = {
    dashboardUrl: dashboard,
    webhookUrl: 'https://hooks.contoso.com/factory/T0KEN-webhook',
    teamsUrl: 'https://contoso.webhook.office.com/webhookb2/abc@def/IncomingWebhook/0123456789abcdef/guid',
    slackUrl: 'https://hooks.slack.com/services/T0123456789/B1001010101/7IsoQTrixdUtE971O1xQTm4T',
    smtp: {
      host: 'smtp.contoso.com',
      port: 587,
      secure: false,
      user: 'factory',
      password: 'smtp-Pa55word!',
      from: 'factory@contoso.com',
      to: ['ops@contoso.com'],
    },
  };
  const leaky: NotificationEvent = {
    ...held,
    detail:
      'Upload to https://acct.blob.core.windows.net/c/b?sv=2024&sig=SASsignature123 failed; ' +
      'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=KEYKEYKEY==;EndpointSuffix=core.windows.net; ' +
      'Authorization: Bearer eyJhbGciOi.payload.sig; https://admin:hunter22@vcenter.local/api; ' +
      `echo ${settings.slackUrl} and the password smtp-Pa55word! and /factory/T0KEN-webhook`,
  };

  it('scrubs SAS tokens, account keys, bearer tokens, URL credentials and every configured secret', () => {
    const message = notificationMessage(leaky, dashboard, secretsOf(settings));
    const everything = JSON.stringify([
      webhookPayload(message),
      teamsPayload(message),
      slackPayload(message),
      emailMessage(message, settings.smtp!),
    ]);
    for (const secret of [
      'SASsignature123',
      'KEYKEYKEY',
      'eyJhbGciOi',
      'hunter22',
      '7IsoQTrixdUtE971O1xQTm4T',
      'smtp-Pa55word!',
      'T0KEN-webhook',
      'IncomingWebhook/0123456789abcdef',
    ])
      expect(everything).not.toContain(secret);
    expect(message.detail).toContain('https://acct.blob.core.windows.net/c/b?***');
    expect(message.detail).toContain('AccountKey=***');
    expect(message.detail).toContain('Bearer ***');
  });

  it('keeps text without secrets as it is', () => {
    expect(scrubSecrets('crm-db-01 (EnableProtectionFailed: retry later)')).toBe(
      'crm-db-01 (EnableProtectionFailed: retry later)',
    );
  });
});

describe('deterministic ids', () => {
  it('event ids come from the run and a per-kind counter; keys from the event id and the channel', () => {
    expect(notificationEventId('wave-w1', 'r1', 'gate-refused', 2)).toBe('wave-w1/r1/gate-refused/2');
    expect(notificationWorkflowId('wave-w1/r1/gate-refused/2')).toBe('notify/wave-w1/r1/gate-refused/2');
    expect(deliveryKey(eventId, 'webhook')).toBe(deliveryKey(eventId, 'webhook'));
    expect(deliveryKey(eventId, 'webhook')).toMatch(/^[0-9a-f]{32}$/);
    const keys = (['webhook', 'teams', 'slack', 'email'] as const).map((c) => ledgerKey(eventId, c));
    expect(new Set(keys).size).toBe(4);
    expect(
      deliveryKey(notificationEventId('batch-w1-b2', '5f0c1e2a-run', 'batch-held', 2), 'webhook'),
    ).not.toBe(deliveryKey(eventId, 'webhook'));
  });
});

describe('delivery once per event and channel', () => {
  let server: Server;
  const received: { path: string; key: string | undefined; body: unknown }[] = [];
  let status = 200;
  let base = '';
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        received.push({
          path: req.url ?? '',
          key: req.headers['idempotency-key'] as string | undefined,
          body: JSON.parse(body),
        });
        res.statusCode = status;
        res.end(status === 200 ? 'ok' : `refused for ${req.url}`);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends once, records it, and a retried delivery sends nothing', async () => {
    const settings = { dashboardUrl: dashboard, webhookUrl: `${base}/hook-secret-1` };
    const ledger = new MemoryNotificationLedger();
    const activities = createNotifyActivities({ settings, ledger });
    const env = new MockActivityEnvironment();
    expect(await env.run(() => activities.configuredNotificationChannels())).toEqual(['webhook']);
    expect(await env.run(() => activities.deliverNotification({ event: held, channel: 'webhook' }))).toBe(
      'sent',
    );
    expect(await env.run(() => activities.deliverNotification({ event: held, channel: 'webhook' }))).toBe(
      'already-sent',
    );
    expect(await env.run(() => activities.deliverNotification({ event: held, channel: 'slack' }))).toBe(
      'not-configured',
    );
    expect(received).toEqual([
      {
        path: '/hook-secret-1',
        key: deliveryKey(eventId, 'webhook'),
        body: webhookPayload(notificationMessage(held, dashboard)),
      },
    ]);
    expect([...ledger.records.keys()]).toEqual([ledgerKey(eventId, 'webhook')]);
  });

  it('a refused send is not recorded, names the status, never the URL, and 4xx is not retried', async () => {
    status = 400;
    try {
      const ledger = new MemoryNotificationLedger();
      const activities = createNotifyActivities({
        settings: { dashboardUrl: dashboard, teamsUrl: `${base}/teams-secret-2` },
        ledger,
      });
      const error = await new MockActivityEnvironment()
        .run(() => activities.deliverNotification({ event: held, channel: 'teams' }))
        .catch((e: unknown) => e);
      expect(error).toMatchObject({
        message: 'The teams endpoint answered 400: refused for ***.',
        nonRetryable: true,
      });
      expect(ledger.records.size).toBe(0);
    } finally {
      status = 200;
    }
  });

  it('an unreachable endpoint fails retryably without naming it', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const activities = createNotifyActivities({
      settings: { dashboardUrl: dashboard, slackUrl: `http://127.0.0.1:${port}/services/SECRET` },
      ledger: new MemoryNotificationLedger(),
    });
    const error = await new MockActivityEnvironment()
      .run(() => activities.deliverNotification({ event: held, channel: 'slack' }))
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      message: 'The slack notification failed (ECONNREFUSED).',
      nonRetryable: false,
    });
  });

  it('no channel configured: nothing to deliver', async () => {
    const activities = createNotifyActivities({
      settings: undefined,
      ledger: new MemoryNotificationLedger(),
    });
    expect(
      await new MockActivityEnvironment().run(() => activities.configuredNotificationChannels()),
    ).toEqual([]);
  });
});

describe('notification configuration', () => {
  const simulator = { FACTORY_PROFILE: 'simulator', AZURE_CREDENTIAL: 'local' };
  const vault = 'https://kv-factory.vault.azure.net';
  const ref = (name: string) => `keyvault:${vault}/secrets/${name}`;

  it('no channel configured means no notifications and no error (empty variables count as unset)', () => {
    expect(loadWorkerConfig(simulator).notifications).toBeUndefined();
    const empty = {
      FACTORY_DASHBOARD_URL: '',
      FACTORY_NOTIFY_WEBHOOK_URL_SECRET: '',
      FACTORY_NOTIFY_TEAMS_URL_SECRET: '',
      FACTORY_NOTIFY_SLACK_URL_SECRET: '',
      FACTORY_NOTIFY_SMTP_URL: '',
      FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: '',
      FACTORY_NOTIFY_EMAIL_FROM: '',
      FACTORY_NOTIFY_EMAIL_TO: '',
      // The former value variables, left empty by compose: unset, not refused.
      FACTORY_NOTIFY_SLACK_URL: '',
      FACTORY_NOTIFY_SMTP_PASSWORD: '',
    };
    expect(loadWorkerConfig({ ...simulator, ...empty }).notifications).toBeUndefined();
  });

  it('reads every channel: the secret parts as Key Vault references, the SMTP user from the URL', () => {
    const config = loadWorkerConfig({
      ...simulator,
      FACTORY_DASHBOARD_URL: 'https://factory.contoso.com',
      FACTORY_NOTIFY_WEBHOOK_URL_SECRET: ref('notify-webhook'),
      FACTORY_NOTIFY_TEAMS_URL_SECRET: ref('notify-teams'),
      FACTORY_NOTIFY_SLACK_URL_SECRET: `${ref('notify-slack')}/0123456789abcdef0123456789abcdef`,
      FACTORY_NOTIFY_SMTP_URL: 'smtp://factory%40contoso.com@smtp.contoso.com:2525',
      FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: ref('notify-smtp-password'),
      FACTORY_NOTIFY_EMAIL_FROM: 'factory@contoso.com',
      FACTORY_NOTIFY_EMAIL_TO: 'ops@contoso.com, change@contoso.com',
    });
    expect(config.notifications).toEqual({
      dashboardUrl: 'https://factory.contoso.com',
      webhookUrl: { vaultUrl: vault, name: 'notify-webhook' },
      teamsUrl: { vaultUrl: vault, name: 'notify-teams' },
      slackUrl: { vaultUrl: vault, name: 'notify-slack', version: '0123456789abcdef0123456789abcdef' },
      smtp: {
        host: 'smtp.contoso.com',
        port: 2525,
        secure: false,
        user: 'factory@contoso.com',
        password: { vaultUrl: vault, name: 'notify-smtp-password' },
        from: 'factory@contoso.com',
        to: ['ops@contoso.com', 'change@contoso.com'],
      },
    });
    expect(configuredNotificationChannels(config.notifications!)).toEqual([
      'webhook',
      'teams',
      'slack',
      'email',
    ]);
  });

  it('refuses the former value variables on every profile, naming the reference to set instead', () => {
    for (const profile of [simulator, { ...simulator, FACTORY_PROFILE: 'azure' }]) {
      const message = errorOf(() =>
        loadWorkerConfig({
          ...profile,
          FACTORY_DASHBOARD_URL: 'https://factory.contoso.com',
          FACTORY_NOTIFY_SLACK_URL: 'https://hooks.slack.com/services/T0/B0/S3CR3T',
          FACTORY_NOTIFY_SMTP_URL: 'smtp://factory@smtp.contoso.com:25',
          FACTORY_NOTIFY_SMTP_PASSWORD: 'PA55',
          FACTORY_NOTIFY_EMAIL_FROM: 'factory@contoso.com',
          FACTORY_NOTIFY_EMAIL_TO: 'ops@contoso.com',
        }),
      );
      expect(message).toContain(
        'FACTORY_NOTIFY_SLACK_URL: secret values are not read from the environment; store the value in Key Vault and set FACTORY_NOTIFY_SLACK_URL_SECRET',
      );
      expect(message).toContain(
        'FACTORY_NOTIFY_SMTP_PASSWORD: secret values are not read from the environment',
      );
      expect(message).not.toContain('S3CR3T');
      expect(message).not.toContain('PA55');
    }
  });

  it('refuses a URL where a reference belongs, without echoing it', () => {
    const message = errorOf(() =>
      loadWorkerConfig({
        ...simulator,
        FACTORY_DASHBOARD_URL: 'https://factory.contoso.com',
        FACTORY_NOTIFY_TEAMS_URL_SECRET: 'https://contoso.webhook.office.com/webhookb2/S3CR3T',
        FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: ref('notify-smtp-password'),
      }),
    );
    expect(message).toContain('FACTORY_NOTIFY_TEAMS_URL_SECRET: expected a Key Vault reference');
    expect(message).toContain('FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: set without FACTORY_NOTIFY_SMTP_URL');
    expect(message).not.toContain('S3CR3T');
  });

  it('the embedded stack passes on exactly the notification variables', () => {
    expect(
      notificationEnv({
        FACTORY_DASHBOARD_URL: 'http://127.0.0.1:8080',
        FACTORY_NOTIFY_SLACK_URL_SECRET: ref('notify-slack'),
        FACTORY_PROFILE: 'azure',
        HOME: '/root',
      }),
    ).toEqual({
      FACTORY_DASHBOARD_URL: 'http://127.0.0.1:8080',
      FACTORY_NOTIFY_SLACK_URL_SECRET: ref('notify-slack'),
    });
  });

  it('refuses a password in the SMTP URL, missing addresses and a missing dashboard, without echoing secrets', () => {
    let message = errorOf(() =>
      loadWorkerConfig({
        ...simulator,
        FACTORY_NOTIFY_SLACK_URL_SECRET: 'ftp://hooks.slack.com/services/T0/B0/S3CR3T',
        FACTORY_NOTIFY_SMTP_URL: 'smtp://factory:PA55@smtp.contoso.com:25',
        FACTORY_NOTIFY_EMAIL_TO: 'ops@contoso.com, not-an-address',
      }),
    );
    expect(message).toContain('FACTORY_NOTIFY_SLACK_URL_SECRET');
    expect(message).not.toContain('S3CR3T');
    expect(message).not.toContain('PA55');

    message = errorOf(() =>
      loadWorkerConfig({
        ...simulator,
        FACTORY_NOTIFY_SMTP_URL: 'smtp://factory:PA55@smtp.contoso.com:25',
        FACTORY_NOTIFY_EMAIL_TO: 'ops@contoso.com, not-an-address',
      }),
    );
    expect(message).toContain('FACTORY_NOTIFY_SMTP_URL: carries a password');
    expect(message).toContain('FACTORY_NOTIFY_EMAIL_FROM: required with FACTORY_NOTIFY_SMTP_URL');
    expect(message).toContain("FACTORY_NOTIFY_EMAIL_TO: 'not-an-address' is not an e-mail address");
    expect(message).toContain('FACTORY_DASHBOARD_URL: required with a notification channel');
    expect(message).not.toContain('PA55');
  });
});

function errorOf(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error('expected an error');
}
