/**
 * Delivers notification events (contracts/notifications.ts) to the channels configured on the worker: a
 * generic JSON webhook, a Microsoft Teams incoming webhook (an Adaptive Card in a message, as Teams'
 * incoming webhooks and Workflows accept it:
 * https://learn.microsoft.com/en-us/microsoftteams/platform/webhooks-and-connectors/how-to/connectors-using),
 * a Slack incoming webhook (`{ text, blocks }`: https://docs.slack.dev/messaging/sending-messages-using-incoming-webhooks)
 * and e-mail over SMTP.
 *
 * Once per event and channel: a durable ledger (create-only blobs in the artifact store) records each
 * delivery; a retried activity finds the record and sends nothing. Between the receiver's answer and the
 * ledger write the delivery is at-least-once: a worker killed exactly there sends again on retry, with the
 * same `Idempotency-Key` header (webhooks) or `Message-ID` (e-mail), so a receiver that honours them keeps
 * one. The window is one blob write long; docs/notifications.md says so.
 *
 * Secrets stay here: the webhook URLs (Teams and Slack URLs embed tokens) and the SMTP password come from
 * the worker's configuration, never from the workflow; event text is scrubbed before it is sent, and
 * failures never name a URL.
 */
import { Context, ApplicationFailure } from '@temporalio/activity';
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import {
  notificationChannels,
  type DeliveryOutcome,
  type NotificationChannel,
  type NotificationEvent,
  type NotificationKind,
} from '../contracts/notifications.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  /** smtps:// (TLS from the first byte); smtp:// upgrades with STARTTLS when the server offers it. */
  secure: boolean;
  user?: string;
  password?: string;
  from: string;
  to: string[];
}

/** The worker's channels (workers/config.ts). Everything but `dashboardUrl` and the addresses is secret. */
export interface NotificationSettings {
  dashboardUrl: string;
  webhookUrl?: string;
  teamsUrl?: string;
  slackUrl?: string;
  smtp?: SmtpSettings;
}

/** Where deliveries are recorded: `record` must be create-only, so two attempts cannot both record. */
export interface NotificationLedger {
  has(key: string): Promise<boolean>;
  record(key: string, value: unknown): Promise<void>;
}

export interface NotifyDeps {
  /** Undefined when no channel is configured: nothing is sent, nothing fails. */
  settings: NotificationSettings | undefined;
  ledger: NotificationLedger;
  /** How long one send may take; shorter than the activity's start-to-close so attempts never overlap. */
  sendTimeoutMs?: number;
}

export const configuredChannels = (settings: NotificationSettings): NotificationChannel[] =>
  notificationChannels.filter((channel) =>
    channel === 'webhook'
      ? settings.webhookUrl !== undefined
      : channel === 'teams'
        ? settings.teamsUrl !== undefined
        : channel === 'slack'
          ? settings.slackUrl !== undefined
          : settings.smtp !== undefined,
  );

/** The per-channel key a receiver deduplicates on; derived from the event id only, so retries repeat it. */
export const deliveryKey = (eventId: string, channel: NotificationChannel) =>
  createHash('sha256').update(`${eventId}\n${channel}`).digest('hex').slice(0, 32);

/** The ledger's record of one delivery. */
export const ledgerKey = (eventId: string, channel: NotificationChannel) =>
  `notifications/${deliveryKey(eventId, channel)}.json`;

/** The deterministic Message-ID of an event's e-mail (RFC 5322 msg-id). */
export const emailMessageId = (eventId: string) => `<${deliveryKey(eventId, 'email')}@migration-factory>`;

const titles: Record<NotificationKind, (event: NotificationEvent) => string> = {
  'gate-refused': (e) => `Wave ${e.waveId}: the gate refuses the wave`,
  'approval-due': (e) => `Wave ${e.waveId} is waiting for an approval`,
  'batch-held': (e) => `Batch ${e.batchId} (wave ${e.waveId}) is held for an operator`,
  'cutover-window-open': (e) => `Batch ${e.batchId} (wave ${e.waveId}): the cutover window is open`,
  'sign-off-due': (e) => `Batch ${e.batchId} (wave ${e.waveId}): validation sign-off due`,
  'rolled-back': (e) => `Batch ${e.batchId} (wave ${e.waveId}) was rolled back`,
};

const MAX_DETAIL = 2000;

/**
 * Removes what looks like a credential from free text (Azure error messages can quote URLs): URL query
 * strings (SAS tokens), user info in URLs, key=value secrets of connection strings, bearer tokens, and
 * any configured secret verbatim.
 */
export function scrubSecrets(text: string, known: readonly string[] = []): string {
  let scrubbed = text;
  for (const secret of known) if (secret.length >= 4) scrubbed = scrubbed.split(secret).join('***');
  return scrubbed
    .replace(/\b(https?:\/\/)[^\s/@]+@/gi, '$1***@')
    .replace(/\b(https?:\/\/[^\s?#]+)\?[^\s#)"'>]*/gi, '$1?***')
    .replace(
      /\b(AccountKey|SharedAccessSignature|SharedAccessKey|Password|Pwd|Secret|ClientSecret|client_secret|Token|sig|api[-_]?key)=[^;&\s]+/gi,
      '$1=***',
    )
    .replace(/\bBearer\s+[A-Za-z0-9._~+/-]+=*/g, 'Bearer ***');
}

/** What every channel says: title, detail, the dashboard link. Built from the event and the dashboard URL only. */
export interface NotificationMessage {
  eventId: string;
  kind: NotificationKind;
  title: string;
  detail: string;
  waveId: string;
  batchId?: string;
  url: string;
  raisedAt: string;
}

export function notificationMessage(
  event: NotificationEvent,
  dashboardUrl: string,
  knownSecrets: readonly string[] = [],
): NotificationMessage {
  const base = dashboardUrl.replace(/\/+$/, '');
  const url =
    event.batchId === undefined
      ? `${base}/waves/${encodeURIComponent(event.waveId)}`
      : `${base}/batches/${encodeURIComponent(event.batchId)}`;
  const detail = scrubSecrets(event.detail ?? '', knownSecrets);
  return {
    eventId: event.eventId,
    kind: event.kind,
    title: scrubSecrets(titles[event.kind](event), knownSecrets),
    detail: detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL - 1)}…` : detail,
    waveId: event.waveId,
    ...(event.batchId === undefined ? {} : { batchId: event.batchId }),
    url,
    raisedAt: event.raisedAt,
  };
}

/** The generic webhook's body: a stable, versioned JSON document. */
export const webhookPayload = (m: NotificationMessage) => ({
  source: 'migration-factory',
  version: 1,
  eventId: m.eventId,
  kind: m.kind,
  title: m.title,
  detail: m.detail,
  waveId: m.waveId,
  ...(m.batchId === undefined ? {} : { batchId: m.batchId }),
  url: m.url,
  raisedAt: m.raisedAt,
});

/** A Teams message with one Adaptive Card (version 1.4: Teams renders up to 1.5). */
export const teamsPayload = (m: NotificationMessage) => ({
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
          { type: 'TextBlock', text: m.title, weight: 'Bolder', size: 'Medium', wrap: true },
          ...(m.detail ? [{ type: 'TextBlock', text: m.detail, wrap: true }] : []),
          {
            type: 'FactSet',
            facts: [
              { title: 'Wave', value: m.waveId },
              ...(m.batchId === undefined ? [] : [{ title: 'Batch', value: m.batchId }]),
              { title: 'Event', value: m.kind },
              { title: 'Raised', value: m.raisedAt },
            ],
          },
        ],
        actions: [{ type: 'Action.OpenUrl', title: 'Open in the dashboard', url: m.url }],
      },
    },
  ],
});

/** Slack's mrkdwn reserves &, < and >. */
const slackEscape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** Slack: `text` is the notification fallback; the blocks carry the title, the detail and the link. */
export const slackPayload = (m: NotificationMessage) => ({
  text: `${slackEscape(m.title)}: <${m.url}|open in the dashboard>`,
  blocks: [
    // Header blocks take plain text of at most 150 characters.
    { type: 'header', text: { type: 'plain_text', text: m.title.slice(0, 150) } },
    ...(m.detail ? [{ type: 'section', text: { type: 'mrkdwn', text: slackEscape(m.detail) } }] : []),
    {
      type: 'section',
      text: { type: 'mrkdwn', text: `<${m.url}|Open in the dashboard> · ${m.kind} · ${m.raisedAt}` },
    },
  ],
});

/** The e-mail (nodemailer message fields). */
export const emailMessage = (m: NotificationMessage, smtp: Pick<SmtpSettings, 'from' | 'to'>) => ({
  from: smtp.from,
  to: smtp.to,
  subject: m.title,
  messageId: emailMessageId(m.eventId),
  headers: { 'X-Factory-Event-Id': m.eventId, 'X-Factory-Event-Kind': m.kind },
  text: `${m.title}\n\n${m.detail ? `${m.detail}\n\n` : ''}Open in the dashboard: ${m.url}\n\nEvent ${m.eventId}, raised ${m.raisedAt}.\n`,
});

/** The configured values that must never leave the worker: URLs (with their tokens) and the password. */
export function secretsOf(settings: NotificationSettings): string[] {
  const secrets: string[] = [];
  for (const url of [settings.webhookUrl, settings.teamsUrl, settings.slackUrl]) {
    if (!url) continue;
    secrets.push(url);
    const parsed = new URL(url);
    // The path and query of an incoming-webhook URL are its token.
    if (parsed.pathname.length > 1) secrets.push(parsed.pathname);
    if (parsed.search) secrets.push(parsed.search);
  }
  if (settings.smtp?.password) secrets.push(settings.smtp.password);
  return secrets;
}

/** 408, 425 and 429 and every 5xx may pass; other 4xx answers will not change by sending again. */
const retryableStatus = (status: number) => status >= 500 || [408, 425, 429].includes(status);

export function createNotifyActivities(deps: NotifyDeps) {
  const settings = deps.settings ?? { dashboardUrl: '' };
  const { ledger } = deps;
  const sendTimeoutMs = deps.sendTimeoutMs ?? 20_000;
  const knownSecrets = secretsOf(settings);

  const postJson = async (channel: NotificationChannel, url: string, body: unknown, key: string) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify(body),
        redirect: 'error',
        signal: AbortSignal.any([AbortSignal.timeout(sendTimeoutMs), Context.current().cancellationSignal]),
      });
    } catch (error) {
      // undici's errors can quote the URL: name the channel and the cause's code only.
      const cause = error instanceof Error ? (error.cause as { code?: string } | undefined) : undefined;
      const why = error instanceof Error && error.name === 'TimeoutError' ? 'timed out' : 'failed';
      throw ApplicationFailure.create({
        type: 'NotificationSendFailed',
        message: `The ${channel} notification ${why}${cause?.code ? ` (${cause.code})` : ''}.`,
      });
    }
    const answer = scrubSecrets((await response.text().catch(() => '')).slice(0, 300), knownSecrets);
    if (response.ok) return;
    throw ApplicationFailure.create({
      type: 'NotificationRefused',
      message: `The ${channel} endpoint answered ${response.status}${answer ? `: ${answer}` : ''}.`,
      nonRetryable: !retryableStatus(response.status),
    });
  };

  const sendEmail = async (smtp: SmtpSettings, message: NotificationMessage) => {
    const transport = nodemailer.createTransport({
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      ...(smtp.user ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
      connectionTimeout: sendTimeoutMs,
      greetingTimeout: sendTimeoutMs,
      socketTimeout: sendTimeoutMs,
    });
    try {
      await transport.sendMail(emailMessage(message, smtp));
    } catch (error) {
      const code = (error as { responseCode?: number }).responseCode;
      throw ApplicationFailure.create({
        type: 'NotificationSendFailed',
        message: `The e-mail notification failed: ${scrubSecrets(error instanceof Error ? error.message : String(error), knownSecrets)}`,
        // A permanent SMTP refusal (5xx other than a busy server) will not pass on retry.
        nonRetryable: code !== undefined && code >= 500 && code !== 554,
      });
    } finally {
      transport.close();
    }
  };

  const send = async (channel: NotificationChannel, message: NotificationMessage) => {
    const key = deliveryKey(message.eventId, channel);
    if (channel === 'webhook') return postJson(channel, settings.webhookUrl!, webhookPayload(message), key);
    if (channel === 'teams') return postJson(channel, settings.teamsUrl!, teamsPayload(message), key);
    if (channel === 'slack') return postJson(channel, settings.slackUrl!, slackPayload(message), key);
    return sendEmail(settings.smtp!, message);
  };

  return {
    /** The channels this worker sends to (names only: the workflow never sees a URL). */
    configuredNotificationChannels(): Promise<NotificationChannel[]> {
      return Promise.resolve(configuredChannels(settings));
    },

    /** Sends one event to one channel unless the ledger says it was sent. */
    async deliverNotification(input: {
      event: NotificationEvent;
      channel: NotificationChannel;
    }): Promise<DeliveryOutcome> {
      const { event, channel } = input;
      if (!configuredChannels(settings).includes(channel)) return 'not-configured';
      const key = ledgerKey(event.eventId, channel);
      if (await ledger.has(key)) return 'already-sent';
      // Sends and SMTP dialogues can take seconds: heartbeat so a killed worker is noticed in one timeout.
      const context = Context.current();
      const beat = setInterval(() => context.heartbeat(), 2000);
      try {
        await send(channel, notificationMessage(event, settings.dashboardUrl, knownSecrets));
      } finally {
        clearInterval(beat);
      }
      // Recorded at once: the only duplicate window is a worker dying between the answer and this write.
      await ledger.record(key, { eventId: event.eventId, channel, kind: event.kind });
      return 'sent';
    },
  };
}

export type NotifyActivities = ReturnType<typeof createNotifyActivities>;

/** A ledger in memory, for tests. */
export class MemoryNotificationLedger implements NotificationLedger {
  readonly records = new Map<string, unknown>();
  has(key: string) {
    return Promise.resolve(this.records.has(key));
  }
  record(key: string, value: unknown) {
    if (!this.records.has(key)) this.records.set(key, value);
    return Promise.resolve();
  }
}

/** The ledger as create-only records in the artifact store the workers already use. */
export const artifactStoreLedger = (store: {
  hasRecord(name: string): Promise<boolean>;
  recordOnce(name: string, value: unknown): Promise<unknown>;
}): NotificationLedger => ({
  has: (key) => store.hasRecord(key),
  record: async (key, value) => {
    await store.recordOnce(key, value);
  },
});
