/**
 * Exit codes of the `factory` command and the one mapper from any error to a code and a message a person
 * can act on. Documented in docs/cli.md; scripts rely on them.
 */
import { ApplicationFailure } from '@temporalio/common';
import { CommanderError, InvalidArgumentError } from 'commander';
import { ErrorType } from '../../contracts/errors.ts';
import { UserDateError } from '../../domain/calendar-date.ts';
import { StaleWorkspaceError } from '../../workspace/chain.ts';

export const ExitCode = {
  ok: 0,
  /** Anything else that went wrong (a failed wave, an unexpected error). */
  failure: 1,
  usage: 2,
  notFound: 3,
  /** Refused by state: a workflow's refusal, a failed preflight, a stale workspace file. */
  refused: 4,
  connection: 5,
  /** The factory server did not accept the sign-in (none, expired, not refreshable): run `factory login`. */
  notSignedIn: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the CLI raises on purpose, with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const GRPC_UNAVAILABLE = 14;

function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (code === GRPC_UNAVAILABLE) return true;
  return error.cause !== undefined && error.cause !== error && isUnavailable(error.cause);
}

/** The workflow's refusal of an operator action (a validator's ApplicationFailure), if that is what this is. */
export function refusalMessage(error: unknown): string | undefined {
  if (!(error instanceof Error) || error.name !== 'WorkflowUpdateFailedError') return undefined;
  const cause = error.cause;
  return cause instanceof ApplicationFailure && cause.type === ErrorType.operatorActionRefused
    ? cause.message
    : undefined;
}

/** Maps any error to an exit code and the message to print (empty when commander already printed it). */
export function toExit(error: unknown): { exitCode: ExitCode; message: string } {
  if (error instanceof CliError) return { exitCode: error.exitCode, message: error.message };
  // A date the user typed that is not one (it names the option or setting and the value).
  if (error instanceof UserDateError) return { exitCode: ExitCode.usage, message: error.message };
  // Thrown by an action after parsing, so commander has not printed it (its own parse errors are plain
  // CommanderErrors with the same code, printed already).
  if (error instanceof InvalidArgumentError) return { exitCode: ExitCode.usage, message: error.message };
  if (error instanceof StaleWorkspaceError) return { exitCode: ExitCode.refused, message: error.message };
  if (error instanceof CommanderError) {
    const helpShown = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code);
    // Commander printed its own message (and the help) already.
    return { exitCode: helpShown ? ExitCode.ok : ExitCode.usage, message: '' };
  }
  const refusal = refusalMessage(error);
  if (refusal !== undefined) return { exitCode: ExitCode.refused, message: `refused: ${refusal}` };
  if (error instanceof Error && error.name === 'WorkflowUpdateFailedError' && error.cause instanceof Error) {
    return { exitCode: ExitCode.failure, message: `the workflow failed the action: ${error.cause.message}` };
  }
  if (error instanceof Error && error.name === 'WorkflowNotFoundError') {
    return { exitCode: ExitCode.notFound, message: error.message };
  }
  if (error instanceof Error && error.name === 'WorkflowExecutionAlreadyStartedError') {
    return { exitCode: ExitCode.refused, message: error.message };
  }
  if (isUnavailable(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return {
      exitCode: ExitCode.connection,
      message: `lost the connection to Temporal (${message}); start the embedded stack with \`npm run stack\``,
    };
  }
  return { exitCode: ExitCode.failure, message: error instanceof Error ? error.message : String(error) };
}
