/**
 * The simulator's log lines: JSON (pino) like the factory's services, so one pipeline reads all of them.
 * Request headers that carry credentials are redacted (the simulator is handed bearer tokens and vCenter
 * sessions).
 */
import { pino } from 'pino';

export const simulatorLog = pino({
  level: process.env.SIMULATOR_LOG_LEVEL?.trim() || 'info',
  base: { service: 'simulator' },
  timestamp: pino.stdTimeFunctions.isoTime,
  formatters: { level: (label) => ({ level: label }) },
  redact: {
    paths: [
      'authorization',
      'headers.authorization',
      'headers["vmware-api-session-id"]',
      '*.headers.authorization',
      '*.headers["vmware-api-session-id"]',
      'password',
      '*.password',
      'token',
      '*.token',
    ],
  },
  serializers: { err: pino.stdSerializers.err },
});
