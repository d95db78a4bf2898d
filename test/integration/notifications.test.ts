/**
 * Notifications end to end: a batch held by a seeded simulator fault notifies a local webhook receiver
 * (generic, Teams and Slack paths) and a local SMTP server exactly once per channel, with a link to the
 * batch page and no secret in any payload or workflow history; and a worker SIGKILLed while a send is in
 * flight still leaves exactly one delivered notification per channel (the retried send repeats the
 * Idempotency-Key / Message-ID the receiver deduplicates on). The webhook URLs and the SMTP password come
 * from the simulator's Key Vault by reference; a missing secret, or one that is not a URL, stops the start
 * naming the reference, never the value.
 */
import type { ChildProcess } from 'node:child_process';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  approveWaveUpdate,
  retryUpdate,
  rollbackUpdate,
  signOffUpdate,
  waveProgressQuery,
} from '../../contracts/messages.ts';
import {
  notificationEventId,
  notificationWorkflowId,
  type NotificationEvent,
} from '../../contracts/notifications.ts';
import { loadWorkerConfig } from '../../workers/config.ts';
import { startWorkers, type RunningWorkers } from '../../workers/run.ts';
import { notifyEvent } from '../../workflows/notify.ts';
import { emailMessageId } from '../../activities/notify.ts';
import {
  operator,
  spawnWorkerProcess,
  startBatch,
  startHarness,
  startInProcessWorkers,
  waitFor,
  waitForBatchProgress,
  type Harness,
  demoBatchSettings,
  startDemoWave,
} from './harness.ts';
import { demoScope } from '../../domain/demo.ts';

/** `refuse` answers 400, as Teams does to a payload it does not accept. */
type HttpChannel = 'webhook' | 'teams' | 'slack' | 'refuse';
interface Received {
  channel: HttpChannel;
  key: string | undefined;
  body: string;
}

/** The webhook endpoints: records every request; can hold the next request of a channel unanswered. */
class Receiver {
  readonly requests: Received[] = [];
  private holdNext = new Set<HttpChannel>();
  private held: ServerResponse[] = [];
  private server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const channel = (req.url ?? '').split('/')[1] as HttpChannel;
      this.requests.push({ channel, key: req.headers['idempotency-key'] as string | undefined, body });
      if (channel === 'refuse') {
        res.statusCode = 400;
        res.end('Summary or Text is required.');
        return;
      }
      if (this.holdNext.delete(channel)) {
        this.held.push(res);
        return;
      }
      res.end('1');
    });
  });
  base = '';

  async start() {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  hold(channel: HttpChannel) {
    this.holdNext.add(channel);
  }
  heldCount() {
    return this.held.length;
  }
  release() {
    for (const res of this.held.splice(0)) res.end('1');
  }
  of(channel: HttpChannel) {
    return this.requests.filter((r) => r.channel === channel);
  }
  close() {
    this.release();
    this.server.closeAllConnections();
    return new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

interface Mail {
  user: string | undefined;
  messageId: string | undefined;
  raw: string;
}

const SMTP_PASSWORD = 'smtp-secret-Pa55';
const TOKEN = 'tok-3f9a1c';

describe('notifications: once per event and channel', () => {
  let harness: Harness;
  const receiver = new Receiver();
  const mails: Mail[] = [];
  let smtp: SMTPServer;
  const reference = (name: string) => `keyvault:${harness.simulator.endpoint}/secrets/${name}`;

  beforeAll(async () => {
    harness = await startHarness('notify', { speed: 2000 });
    await receiver.start();
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        if (auth.username === 'factory' && auth.password === SMTP_PASSWORD)
          callback(null, { user: auth.username });
        else callback(new Error('Invalid username or password'));
      },
      onData(stream, session, callback) {
        let raw = '';
        stream.on('data', (chunk: Buffer) => (raw += chunk.toString()));
        stream.on('end', () => {
          const user = typeof session.user === 'string' ? session.user : undefined;
          mails.push({ user, messageId: /^Message-ID:\s*(\S+)/im.exec(raw)?.[1], raw });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const smtpPort = (smtp.server.address() as AddressInfo).port;
    await harness.admin.seedSecrets({
      'notify-webhook': `${receiver.base}/webhook/${TOKEN}`,
      'notify-teams': `${receiver.base}/teams/webhookb2/${TOKEN}`,
      'notify-slack': `${receiver.base}/slack/services/${TOKEN}`,
      'notify-slack-refusing': `${receiver.base}/refuse/services/${TOKEN}`,
      'notify-smtp-password': SMTP_PASSWORD,
      'notify-not-a-url': `hooks.test/${TOKEN}`,
    });
    Object.assign(harness.workerEnv, {
      FACTORY_DASHBOARD_URL: 'https://factory.test',
      FACTORY_NOTIFY_WEBHOOK_URL_SECRET: reference('notify-webhook'),
      FACTORY_NOTIFY_TEAMS_URL_SECRET: reference('notify-teams'),
      FACTORY_NOTIFY_SLACK_URL_SECRET: reference('notify-slack'),
      FACTORY_NOTIFY_SMTP_URL: `smtp://factory@127.0.0.1:${smtpPort}`,
      FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: reference('notify-smtp-password'),
      FACTORY_NOTIFY_EMAIL_FROM: 'factory@contoso.test',
      FACTORY_NOTIFY_EMAIL_TO: 'ops@contoso.test,change@contoso.test',
    });
  });
  afterEach(async () => {
    await harness.admin.configureFaults({});
  });
  afterAll(async () => {
    await receiver.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
    await harness?.close();
  });

  /** The notification workflow of the event the webhook saw, and its history (searched for secrets). */
  const eventOf = (received: Received) => {
    const { eventId } = JSON.parse(received.body) as { eventId: string };
    const handle = harness.client.workflow.getHandle<typeof notifyEvent>(notificationWorkflowId(eventId));
    return { eventId, handle };
  };
  const eventFromWebhook = (received: Received): NotificationEvent => {
    const body = JSON.parse(received.body) as NotificationEvent;
    return {
      eventId: body.eventId,
      kind: body.kind,
      waveId: body.waveId,
      ...(body.batchId ? { batchId: body.batchId } : {}),
      ...(body.detail ? { detail: body.detail } : {}),
      raisedAt: body.raisedAt,
    };
  };
  /** The generic webhook's events since request number `from`. */
  const webhookEvents = (from: number) =>
    receiver.requests
      .slice(from)
      .filter((r) => r.channel === 'webhook')
      .map((r) => JSON.parse(r.body) as NotificationEvent & { url: string });
  const mailsOf = (eventId: string) => mails.filter((m) => m.messageId === emailMessageId(eventId));
  const expectNoSecrets = (text: string) => {
    expect(text).not.toContain(TOKEN);
    expect(text).not.toContain(SMTP_PASSWORD);
  };

  it('a missing secret, or a webhook secret that is not a URL, stops the start naming its reference only', async () => {
    const start = startWorkers(
      loadWorkerConfig({
        ...harness.workerEnv,
        FACTORY_NOTIFY_TEAMS_URL_SECRET: reference('notify-gone'),
        FACTORY_NOTIFY_SMTP_PASSWORD_SECRET: reference('notify-gone-too'),
      }),
      { workflowBundle: { codePath: inject('workflowBundlePath') }, quiet: true },
    );
    await expect(start).rejects.toThrow(
      `${reference('notify-gone')} (FACTORY_NOTIFY_TEAMS_URL_SECRET): no such secret (or version) in the vault`,
    );
    await expect(start).rejects.toThrow(
      `${reference('notify-gone-too')} (FACTORY_NOTIFY_SMTP_PASSWORD_SECRET): no such secret (or version) in the vault`,
    );
    const notUrl = await startWorkers(
      loadWorkerConfig({
        ...harness.workerEnv,
        FACTORY_NOTIFY_WEBHOOK_URL_SECRET: reference('notify-not-a-url'),
      }),
      { workflowBundle: { codePath: inject('workflowBundlePath') }, quiet: true },
    ).then(
      () => new Error('the workers started'),
      (error: unknown) => error as Error,
    );
    expect(notUrl.message).toContain(
      `${reference('notify-not-a-url')} (FACTORY_NOTIFY_WEBHOOK_URL_SECRET): the secret is not an http(s) URL`,
    );
    expectNoSecrets(notUrl.message);
  });

  it('a held batch notifies every channel exactly once, with the batch link and no secret', async () => {
    let workers: RunningWorkers | undefined;
    try {
      workers = await startInProcessWorkers(harness);
      await harness.admin.configureFaults({
        targeted: [{ vm: 'reporting-db-01', fault: 'EnableDr', count: 1 }],
      });
      const batch = await startBatch(harness, 'notify-held', ['reporting-db-01', 'reporting-app-02']);
      await waitForBatchProgress(batch, 'the batch held', (p) => p.phase === 'awaiting-operator');
      const webhook = await waitFor('the webhook notification', () =>
        Promise.resolve(receiver.of('webhook')[0]),
      );
      const { eventId, handle } = eventOf(webhook);
      expect(await handle.result()).toEqual({
        webhook: 'sent',
        teams: 'sent',
        slack: 'sent',
        email: 'sent',
      });

      expect(JSON.parse(webhook.body)).toMatchObject({
        kind: 'batch-held',
        waveId: 'tests',
        batchId: 'notify-held',
        url: 'https://factory.test/batches/notify-held',
      });
      expect((JSON.parse(webhook.body) as { detail: string }).detail).toContain('reporting-db-01');
      for (const channel of ['webhook', 'teams', 'slack'] as const) {
        expect(receiver.of(channel), channel).toHaveLength(1);
        expect(receiver.of(channel)[0]?.body).toContain('https://factory.test/batches/notify-held');
      }
      const teams = JSON.parse(receiver.of('teams')[0]!.body) as { attachments: { contentType: string }[] };
      expect(teams.attachments[0]?.contentType).toBe('application/vnd.microsoft.card.adaptive');
      expect(Object.keys(JSON.parse(receiver.of('slack')[0]!.body) as object)).toEqual(['text', 'blocks']);
      const mail = mailsOf(eventId);
      expect(mail).toHaveLength(1);
      expect(mail[0]?.user).toBe('factory');
      expect(mail[0]?.raw).toContain('https://factory.test/batches/notify-held');
      expect(mail[0]?.raw).toMatch(/^To: ops@contoso\.test, change@contoso\.test/m);

      // The ledger is durable: the same event delivered again (a second notification workflow) sends nothing.
      const again = await harness.client.workflow.execute(notifyEvent, {
        workflowId: `${notificationWorkflowId(eventId)}/again`,
        taskQueue: harness.taskQueue,
        args: [eventFromWebhook(webhook)],
      });
      expect(again).toEqual({
        webhook: 'already-sent',
        teams: 'already-sent',
        slack: 'already-sent',
        email: 'already-sent',
      });

      // The operator retries; the batch completes and nothing is sent again.
      await batch.executeUpdate(retryUpdate, { args: [{ ...operator, vmNames: ['reporting-db-01'] }] });
      const result = await batch.result();
      expect(result.vms.map((vm) => vm.outcome)).toEqual(['migrated', 'migrated']);
      for (const channel of ['webhook', 'teams', 'slack'] as const)
        expect(receiver.of(channel)).toHaveLength(1);
      expect(mailsOf(eventId)).toHaveLength(1);

      for (const text of [
        ...receiver.requests.map((r) => r.body),
        ...mails.map((m) => m.raw),
        JSON.stringify((await handle.fetchHistory()).events),
        JSON.stringify((await batch.fetchHistory()).events),
      ])
        expectNoSecrets(text);
    } finally {
      await workers?.shutdown();
    }
  }, 240_000);

  it('a channel that refuses does not hold or fail the batch; a rollback is notified too', async () => {
    harness.workerEnv.FACTORY_NOTIFY_SLACK_URL_SECRET = reference('notify-slack-refusing');
    let workers: RunningWorkers | undefined;
    try {
      workers = await startInProcessWorkers(harness);
      const before = receiver.requests.length;
      await harness.admin.configureFaults({
        targeted: [{ vm: 'crm-app-04', fault: 'TestFailover', count: 1 }],
      });
      const batch = await startBatch(harness, 'notify-refused', ['crm-app-04']);
      await waitForBatchProgress(batch, 'the batch held', (p) => p.phase === 'awaiting-operator');
      const held = await waitFor('the held notification', () =>
        Promise.resolve(receiver.requests.slice(before).find((r) => r.channel === 'webhook')),
      );
      // The refusing channel fails its own notification workflow (4xx is not retried), nothing else.
      const failure = await eventOf(held)
        .handle.result()
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(String((failure as { cause?: unknown } | undefined)?.cause)).toContain('not delivered to slack');
      expect(receiver.requests.slice(before).filter((r) => r.channel === 'refuse')).toHaveLength(1);

      await batch.executeUpdate(rollbackUpdate, { args: [{ ...operator, reason: 'test failover refused' }] });
      expect((await batch.result()).phase).toBe('rolled-back');
      const rolledBack = await waitFor('the rollback notification', () =>
        Promise.resolve(
          receiver.requests
            .slice(before)
            .map((r) => JSON.parse(r.body) as { kind?: string; url?: string; detail?: string })
            .find((body) => body.kind === 'rolled-back'),
        ),
      );
      expect(rolledBack).toMatchObject({
        url: 'https://factory.test/batches/notify-refused',
        detail: `Rolled back by ${operator.by}: test failover refused`,
      });
    } finally {
      harness.workerEnv.FACTORY_NOTIFY_SLACK_URL_SECRET = reference('notify-slack');
      await workers?.shutdown();
    }
  }, 240_000);

  it('sign-offs due and the cutover window opening are notified, each once', async () => {
    let workers: RunningWorkers | undefined;
    try {
      workers = await startInProcessWorkers(harness);
      const before = receiver.requests.length;
      const hour = 3_600_000;
      const batch = await startBatch(harness, 'notify-signoff', ['payroll-web-05'], {
        requireValidationSignOff: true,
        // Open since an hour, for a day: the batch reaches it at once.
        cutoverWindow: {
          start: new Date(Date.now() - hour).toISOString(),
          end: new Date(Date.now() + 24 * hour).toISOString(),
        },
      });
      for (const phase of ['validating', 'validating-cutover'] as const) {
        await waitForBatchProgress(
          batch,
          phase,
          (p) => p.phase === phase && p.detail === 'Waiting for an operator sign-off',
        );
        await waitFor(`the sign-off notification in ${phase}`, () =>
          Promise.resolve(
            webhookEvents(before).filter((e) => e.kind === 'sign-off-due').length ===
              (phase === 'validating' ? 1 : 2)
              ? true
              : undefined,
          ),
        );
        await batch.executeUpdate(signOffUpdate, { args: [{ ...operator, approved: true }] });
      }
      expect((await batch.result()).phase).toBe('completed');
      const events = webhookEvents(before);
      expect(events.map((e) => [e.kind, e.detail])).toEqual([
        ['sign-off-due', 'Test failover validation awaits a sign-off'],
        ['cutover-window-open', expect.stringMatching(/^The cutover window opened at /) as unknown],
        ['sign-off-due', 'Cutover validation awaits a sign-off'],
      ]);
      expect(events.map((e) => e.eventId.split('/').slice(2).join('/'))).toEqual([
        'sign-off-due/1',
        'cutover-window-open/1',
        'sign-off-due/2',
      ]);
      expect(new Set(events.map((e) => e.url))).toEqual(
        new Set(['https://factory.test/batches/notify-signoff']),
      );
    } finally {
      await workers?.shutdown();
    }
  }, 240_000);

  it('a worker killed while a send is in flight still delivers exactly once per channel', async () => {
    let worker: ChildProcess | undefined;
    const killWorker = async () => {
      if (!worker || worker.exitCode !== null || worker.signalCode !== null) return;
      const exited = new Promise((resolve) => worker?.once('exit', resolve));
      worker?.kill('SIGKILL');
      await exited;
    };
    try {
      const before = receiver.requests.length;
      const mailsBefore = mails.length;
      receiver.hold('webhook');
      worker = await spawnWorkerProcess(harness);
      await harness.admin.configureFaults({
        targeted: [{ vm: 'crm-app-03', fault: 'EnableDr', count: 1 }],
      });
      const batch = await startBatch(harness, 'notify-crash', ['crm-app-03']);
      // The receiver has the webhook request and does not answer: the send is in flight.
      await waitFor('the webhook send in flight', () =>
        Promise.resolve(receiver.heldCount() > 0 ? true : undefined),
      );
      await killWorker();
      receiver.release();
      worker = await spawnWorkerProcess(harness);

      const first = receiver.requests.slice(before).find((r) => r.channel === 'webhook')!;
      const { eventId, handle } = eventOf(first);
      const outcome = await handle.result();
      expect(outcome.webhook).toBe('sent');
      expect(Object.keys(outcome).sort()).toEqual(['email', 'slack', 'teams', 'webhook']);

      const requests = receiver.requests.slice(before);
      // The killed attempt's request arrived; the retry repeated it with the same key and body.
      const webhook = requests.filter((r) => r.channel === 'webhook');
      expect(webhook).toHaveLength(2);
      expect(webhook[1]).toEqual(webhook[0]);
      // Delivered = distinct idempotency keys per channel (what a deduplicating receiver keeps).
      for (const channel of ['webhook', 'teams', 'slack'] as const) {
        const ofChannel = requests.filter((r) => r.channel === channel);
        expect(new Set(ofChannel.map((r) => r.key)).size, channel).toBe(1);
        expect(ofChannel.length, channel).toBeLessThanOrEqual(2);
      }
      // Every e-mail of the event carries its one Message-ID (a retried send repeats it).
      const eventMails = mails.slice(mailsBefore);
      expect(eventMails.length).toBeGreaterThanOrEqual(1);
      expect(new Set(eventMails.map((m) => m.messageId))).toEqual(new Set([emailMessageId(eventId)]));

      // Replays after the kill raised nothing new: one notification workflow for the one hold.
      await batch.executeUpdate(retryUpdate, { args: [{ ...operator, vmNames: ['crm-app-03'] }] });
      expect((await batch.result()).vms[0]?.outcome).toBe('migrated');
      const events = new Set(
        receiver.requests.slice(before).map((r) => (JSON.parse(r.body) as { eventId?: string }).eventId),
      );
      expect([...events].filter(Boolean)).toHaveLength(1);
    } finally {
      await killWorker();
    }
  }, 240_000);

  it('a held batch of a wave started without a channel starts no notification workflow', async () => {
    let workers: RunningWorkers | undefined;
    try {
      // The workers have channels; the starter had none (`notifications: false`): the input decides.
      workers = await startInProcessWorkers(harness);
      const before = receiver.requests.length;
      await harness.admin.configureFaults({
        targeted: [{ vm: 'intranet-app-02', fault: 'EnableDr', count: 1 }],
      });
      const batch = await startBatch(harness, 'notify-off', ['intranet-app-02'], {}, undefined, {
        notifications: false,
      });
      await waitForBatchProgress(batch, 'the batch held', (p) => p.phase === 'awaiting-operator');
      const { runId } = await batch.describe();
      await batch.executeUpdate(retryUpdate, { args: [{ ...operator, vmNames: ['intranet-app-02'] }] });
      expect((await batch.result()).vms[0]?.outcome).toBe('migrated');

      // The run that held raised nothing: no child in its history, no workflow for its batch-held event.
      const held = harness.client.workflow.getHandle(batch.workflowId, runId);
      const events = (await held.fetchHistory()).events ?? [];
      expect(events.length).toBeGreaterThan(0);
      expect(events.filter((e) => e.startChildWorkflowExecutionInitiatedEventAttributes)).toEqual([]);
      const eventId = notificationEventId(batch.workflowId, runId, 'batch-held', 1);
      const notification = await harness.client.workflow
        .getHandle(notificationWorkflowId(eventId))
        .describe()
        .then(
          () => 'started',
          (error: unknown) => (error instanceof Error ? error.name : String(error)),
        );
      expect(notification).toBe('WorkflowNotFoundError');
      expect(receiver.requests.slice(before)).toEqual([]);
    } finally {
      await workers?.shutdown();
    }
  }, 240_000);

  // Last: it leaves the simulator's vCPU quota exhausted.
  it('a wave whose gate refuses notifies with the wave link', async () => {
    let workers: RunningWorkers | undefined;
    try {
      workers = await startInProcessWorkers(harness);
      const before = receiver.requests.length;
      // The demo wave's database VMs are Standard_E8s_v5: leave the ESv5 family no room.
      await harness.admin.setQuotaLimit(demoScope.location, 'standardESv5Family', 8);
      const wave = await startDemoWave(
        harness.client,
        'it-notify-gate',
        { ...demoBatchSettings, azureTaskQueue: harness.azureTaskQueue },
        harness.taskQueue,
      );
      await waitFor('the gate to refuse', async () =>
        (await wave.query(waveProgressQuery)).phase === 'gate-refused' ? true : undefined,
      );
      const [refused] = await waitFor('the gate notification', () =>
        Promise.resolve(webhookEvents(before).length > 0 ? webhookEvents(before) : undefined),
      );
      expect(refused).toMatchObject({
        kind: 'gate-refused',
        waveId: 'it-notify-gate',
        url: 'https://factory.test/waves/it-notify-gate',
      });
      expect(refused?.batchId).toBeUndefined();
      expect(refused?.detail).toContain('vcpu-quota');

      // An approval that does not fix the gate re-evaluates it: a second, distinct event.
      await wave.executeUpdate(approveWaveUpdate, { args: [operator] });
      await waitFor('the second gate notification', () =>
        Promise.resolve(webhookEvents(before).length > 1 ? true : undefined),
      );
      expect(webhookEvents(before).map((e) => e.eventId.split('/').slice(2).join('/'))).toEqual([
        'gate-refused/1',
        'gate-refused/2',
      ]);
      await wave.terminate('notification test done');
    } finally {
      await workers?.shutdown();
    }
  }, 240_000);
});
