/** Who acts and why: every operator action carries it, and the workflow history keeps it as the audit trail. */
import { userInfo } from 'node:os';
import type { OperatorAction } from '../../contracts/messages.ts';
import { CliError, ExitCode } from './exit-codes.ts';

export interface ActorFlags {
  by?: string;
  reason: string;
  ticket?: string;
}

/** `$FACTORY_OPERATOR`, else the OS user. */
export function defaultOperator(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FACTORY_OPERATOR?.trim()) return env.FACTORY_OPERATOR.trim();
  try {
    return userInfo().username;
  } catch {
    return env.USER ?? env.USERNAME ?? 'unknown';
  }
}

export function operatorAction(flags: ActorFlags): OperatorAction {
  const by = (flags.by ?? defaultOperator()).trim();
  const reason = flags.reason.trim();
  if (!by) throw new CliError('--by is empty: say who is acting (or set FACTORY_OPERATOR).', ExitCode.usage);
  if (!reason) throw new CliError('--reason is empty: say why.', ExitCode.usage);
  return { by, reason, ...(flags.ticket ? { ticket: flags.ticket } : {}) };
}
