/**
 * Site Recovery's error envelope. The service answers with a generic top-level code (`BadRequest`,
 * `NotFound`, `Conflict`) and puts the specific code in `error.details[]` with a message, possible causes
 * and a recommended action (the swagger declares no error schema; recorded responses, e.g.
 * azure-rest-api-specs#12759 and terraform-provider-azurerm#11180, show this shape):
 *
 *   {"error":{"code":"BadRequest","message":"…","details":[{"code":"FabricArmEntityMissing",
 *     "message":"…","possibleCauses":"…","recommendedAction":"…","activityId":"…"}]}}
 *
 * The handlers keep throwing `ArmError`s with the specific code; `withSiteRecoveryErrors` turns them into
 * this envelope at the route boundary. The audit keeps recording the specific code.
 */
import { randomUUID } from 'node:crypto';
import { ArmError, type ArmRoute } from '../arm.ts';

const genericCodes: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  503: 'ServiceUnavailable',
};

interface Guidance {
  possibleCauses: string;
  recommendedAction: string;
}

/** Possible causes and recommended action per specific code; `default*` when none is listed. */
const guidance: Record<string, Guidance> = {
  OperationInProgress: {
    possibleCauses: 'Another operation is running on the same protected item or recovery plan.',
    recommendedAction: "Wait for the running job to finish (see the vault's Site Recovery jobs), then retry.",
  },
  TestFailoverAlreadyActive: {
    possibleCauses: 'A test failover was run and its test environment has not been cleaned up.',
    recommendedAction: 'Run test failover cleanup, then start the test failover again.',
  },
  TestFailoverCleanupRequired: {
    possibleCauses: 'A test failover is waiting for its cleanup.',
    recommendedAction: 'Run test failover cleanup first.',
  },
  FailoverNotCompleted: {
    possibleCauses: 'The protected item has not been failed over.',
    recommendedAction: 'Fail the item over before committing.',
  },
  CompleteMigrationNotAllowed: {
    possibleCauses: 'The failover of the protected item has not been committed.',
    recommendedAction: 'Commit the failover, then complete the migration.',
  },
  OperationNotAllowed: {
    possibleCauses: 'The protected item is not in a state that allows the operation.',
    recommendedAction: "Check the item's allowed operations and protection state, then retry.",
  },
  FabricArmEntityMissing: {
    possibleCauses: 'The fabric might have been unregistered from the Microsoft Azure Site Recovery vault.',
    recommendedAction: 'Retry the operation with a valid site.',
  },
  ProtectionContainerNotFound: {
    possibleCauses: 'The protection container does not exist in the fabric, or the fabric was re-registered.',
    recommendedAction: 'List the protection containers of the fabric and retry with an existing one.',
  },
  ReplicationProtectedItemNotFound: {
    possibleCauses: 'Replication was never enabled for the machine, or it has been disabled.',
    recommendedAction: 'Enable replication for the machine, or retry with an existing protected item.',
  },
  RecoveryPlanNotFound: {
    possibleCauses: 'The recovery plan does not exist or has been deleted.',
    recommendedAction: 'Create the recovery plan, or retry with an existing one.',
  },
  JobNotFound: {
    possibleCauses: 'The job does not exist in the vault or has expired from its history.',
    recommendedAction: "List the vault's jobs and retry with an existing job.",
  },
};
const defaultGuidance = (status: number): Guidance =>
  status >= 500
    ? {
        possibleCauses: 'The operation failed due to an internal error.',
        recommendedAction: 'Retry the last action. If the issue persists, contact Support.',
      }
    : {
        possibleCauses: 'The request is not valid for the resource in its current state.',
        recommendedAction: 'Correct the request as the message describes and retry.',
      };

/** Errors ARM itself answers (before Site Recovery sees the request) keep ARM's flat envelope. */
const armLevelCodes = new Set(['ResourceNotFound', 'ResourceGroupNotFound', 'AuthenticationFailed']);

export class SiteRecoveryError extends ArmError {
  readonly activityId = randomUUID();

  constructor(
    status: number,
    code: string,
    message: string,
    readonly guidance: Guidance = defaultGuidance(status),
    headers: Record<string, string> = {},
  ) {
    super(status, code, message, headers);
  }

  override toBody() {
    return {
      error: {
        code: genericCodes[this.status] ?? `Http${this.status}`,
        message: this.message,
        details: [
          {
            code: this.code,
            message: this.message,
            possibleCauses: this.guidance.possibleCauses,
            recommendedAction: this.guidance.recommendedAction,
            activityId: this.activityId,
          },
        ],
      },
    };
  }
}

export function asSiteRecoveryError(error: ArmError): ArmError {
  if (error instanceof SiteRecoveryError || armLevelCodes.has(error.code)) return error;
  return new SiteRecoveryError(
    error.status,
    error.code,
    error.message,
    guidance[error.code] ?? defaultGuidance(error.status),
    error.headers,
  );
}

/** The routes with every error their handlers throw in Site Recovery's envelope. */
export function withSiteRecoveryErrors(routes: ArmRoute[]): ArmRoute[] {
  return routes.map((route) => ({
    ...route,
    methods: Object.fromEntries(
      Object.entries(route.methods).map(([method, operation]) => [
        method,
        {
          ...operation,
          handle: (request: Parameters<typeof operation.handle>[0]) => {
            try {
              return operation.handle(request);
            } catch (error) {
              throw error instanceof ArmError ? asSiteRecoveryError(error) : error;
            }
          },
        },
      ]),
    ),
  }));
}
