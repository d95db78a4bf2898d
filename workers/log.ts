/**
 * The factory's structured logs: one JSON object per line (pino), the same shape for workers, the factory
 * server and the simulator, so one log pipeline parses all three. Keys that hold secrets are replaced by
 * `[Redacted]` wherever they appear (pino's `redact`), and the Temporal SDK's log calls, with the workflow
 * and activity ids it adds to their metadata, become fields of the JSON line (`TemporalPinoLogger`).
 */
import type { LogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import { pino, stdSerializers, type DestinationStream, type Level, type Logger } from 'pino';

export const logLevels = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type FactoryLogLevel = (typeof logLevels)[number];

/**
 * Keys whose values are secrets or credentials, redacted at the top level of a log call's object and up to
 * three levels down (pino's redact paths name each level; `*` matches one key).
 * `taskToken`: the SDK puts each activity's task token in its log metadata; anyone holding it can complete
 * the activity.
 */
const secretKeys = [
  'password',
  'passwd',
  'secret',
  'clientSecret',
  'token',
  'accessToken',
  'refreshToken',
  'idToken',
  'apiKey',
  'authorization',
  'Authorization',
  'cookie',
  'privateKey',
  'connectionString',
  'sasToken',
  'taskToken',
];
export const redactedPaths = secretKeys.flatMap((key) => [
  key,
  `*.${key}`,
  `*.*.${key}`,
  `*.*.*.${key}`,
  // Header names arrive lower-case and carry dashes: bracket notation reaches them.
  ...(key === 'authorization' || key === 'cookie' ? [`req.headers["${key}"]`] : []),
]);

/** Bearer tokens and JWTs inside free text (an error message quoting a header) are redacted too. */
const tokenInText =
  /\b(Bearer\s+)[A-Za-z0-9._~+/=-]+|\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g;
export const redactText = (text: string): string =>
  text.replace(tokenInText, (_match, bearer: string | undefined) => `${bearer ?? ''}[Redacted]`);

export interface FactoryLoggerOptions {
  /** `service` field of every line: worker, server, simulator. */
  service: string;
  level?: FactoryLogLevel;
  /** Where lines go; standard output by default. Tests pass a stream that collects them. */
  destination?: DestinationStream;
}

/** A pino logger writing JSON lines with the factory's redaction. */
export function factoryLogger(options: FactoryLoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: { service: options.service },
      // ISO time: readable in a terminal and parsed by every log store.
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: redactedPaths },
      serializers: { err: stdSerializers.err, error: stdSerializers.err },
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((arg) => (typeof arg === 'string' ? redactText(arg) : arg)) as Parameters<typeof method>,
          );
        },
      },
    },
    options.destination,
  );
}

/** The log level from FACTORY_LOG_LEVEL, failing with the variable's name on anything else. */
export function parseLogLevel(
  value: string | undefined,
  fallback: FactoryLogLevel = 'info',
): FactoryLogLevel {
  const level = value?.trim().toLowerCase();
  if (!level) return fallback;
  if (!(logLevels as readonly string[]).includes(level))
    throw new Error(`FACTORY_LOG_LEVEL '${value}': expected one of ${logLevels.join(', ')}`);
  return level as FactoryLogLevel;
}

const pinoLevel: Record<LogLevel, Level> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  ERROR: 'error',
};

/**
 * The Temporal SDK's logger interface on pino: workflow (`log` from @temporalio/workflow) and activity
 * (`log` from @temporalio/activity) calls arrive here with workflowId, runId, activityId, activityType and
 * the like in `meta`, and become fields of the line. Error objects in meta are serialised with their stack.
 */
export class TemporalPinoLogger implements TemporalLogger {
  constructor(private readonly logger: Logger) {}

  log(level: LogLevel, message: string, meta?: LogMetadata): void {
    const fields: Record<string, unknown> = {};
    // Core's forwarded logs carry a symbol-keyed timestamp: only string keys become fields.
    for (const [key, value] of Object.entries(meta ?? {}))
      fields[key] = typeof value === 'bigint' ? value.toString() : value;
    this.logger[pinoLevel[level]](fields, message);
  }

  trace(message: string, meta?: LogMetadata): void {
    this.log('TRACE', message, meta);
  }
  debug(message: string, meta?: LogMetadata): void {
    this.log('DEBUG', message, meta);
  }
  info(message: string, meta?: LogMetadata): void {
    this.log('INFO', message, meta);
  }
  warn(message: string, meta?: LogMetadata): void {
    this.log('WARN', message, meta);
  }
  error(message: string, meta?: LogMetadata): void {
    this.log('ERROR', message, meta);
  }
}
