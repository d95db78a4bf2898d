/**
 * Recovery plans: groups of protected items (at most 100) failed over together. Plan operations act on
 * every item, group by group in order (Shutdown, Failover, then Boot groups), as one job with a task
 * per group.
 */
import {
  badRequest,
  conflict,
  idKey,
  objectBody,
  optionalEnum,
  optionalObject,
  optionalString,
  page,
  requiredEnum,
  requiredString,
  type ArmRequest,
  type ArmResponse,
  type ArmRoute,
} from '../arm.ts';
import { iso } from '../clock.ts';
import { accepted } from '../lro.ts';
import type { Simulation } from '../simulation.ts';
import { operationConflict } from './guards.ts';
import { allowedOperations } from './item-view.ts';
import { failoverDirections } from './item-operations.ts';
import {
  currentScenario,
  jobState,
  jobStateDescription,
  runningJob,
  startJob,
  type TaskSpec,
} from './jobs.ts';
import { findPlan, findVault, inVault, planId, resourceTypes, siteRecoveryApiVersions } from './resources.ts';
import type { ItemOperation, PlanOperation } from './states.ts';
import type {
  Effect,
  Job,
  ProtectedItem,
  RecoveryPlan,
  RecoveryPlanGroup,
  RecoveryPlanGroupType,
  Vault,
} from './types.ts';

export const maxItemsPerPlan = 100;
const groupTypes = ['Shutdown', 'Failover', 'Boot'] as const;
const recoveryPointTypes = [
  'Latest',
  'LatestApplicationConsistent',
  'LatestCrashConsistent',
  'LatestProcessed',
] as const;

const vaultPath =
  '/subscriptions/{subscriptionId}/resourceGroups/{resourceGroupName}/providers/Microsoft.RecoveryServices/vaults/{resourceName}';
const planPath = `${vaultPath}/replicationRecoveryPlans/{recoveryPlanName}`;

export function planItems(sim: Simulation, plan: RecoveryPlan): ProtectedItem[] {
  return plan.groups.flatMap((group) =>
    group.replicationProtectedItems.flatMap((member) => sim.state.items[idKey(member.id)] ?? []),
  );
}

const planToItemOperation: Record<PlanOperation, ItemOperation> = {
  TestFailover: 'TestFailover',
  TestFailoverCleanup: 'TestFailoverCleanup',
  UnplannedFailover: 'UnplannedFailover',
  Commit: 'Commit',
  CancelFailover: 'CancelFailover',
};

function planAllowedOperations(sim: Simulation, plan: RecoveryPlan): PlanOperation[] {
  if (runningJob(sim, plan.currentJobId)) return [];
  const items = planItems(sim, plan);
  if (items.length === 0) return [];
  return (Object.keys(planToItemOperation) as PlanOperation[]).filter((operation) =>
    items.every((item) => allowedOperations(sim, item).includes(planToItemOperation[operation])),
  );
}

export function planResource(sim: Simulation, plan: RecoveryPlan) {
  const last = plan.lastJobId === undefined ? undefined : sim.state.jobs[idKey(plan.lastJobId)];
  const lastState = last && jobState(last, sim.now());
  const fabric = sim.state.fabrics[idKey(plan.primaryFabricId)];
  return {
    id: plan.id,
    name: plan.name,
    type: resourceTypes.plan,
    location: sim.state.vaults[idKey(plan.vaultId)]?.location,
    properties: {
      friendlyName: plan.name,
      primaryFabricId: plan.primaryFabricId,
      primaryFabricFriendlyName: fabric?.name ?? plan.primaryFabricId,
      recoveryFabricId: plan.recoveryFabricId,
      recoveryFabricFriendlyName: 'Microsoft Azure',
      failoverDeploymentModel: plan.failoverDeploymentModel,
      replicationProviders: planItems(sim, plan).length > 0 ? ['InMageRcm'] : [],
      allowedOperations: planAllowedOperations(sim, plan),
      lastTestFailoverTime: plan.lastTestFailoverTime && iso(plan.lastTestFailoverTime),
      lastUnplannedFailoverTime: plan.lastUnplannedFailoverTime && iso(plan.lastUnplannedFailoverTime),
      currentScenario: currentScenario(sim, plan.vaultId, plan.lastJobId, { lastEnded: true }),
      // The last job's state: `Suspended` / `WaitingForStopTestFailover` after a test failover, as in
      // ReplicationRecoveryPlans_TestFailover's example, until test failover cleanup ends it.
      currentScenarioStatus: lastState ?? 'None',
      currentScenarioStatusDescription: lastState ? jobStateDescription(lastState) : 'None',
      groups: plan.groups,
      providerSpecificDetails: [],
    },
  };
}

/** Validates `groups` and returns them with the Shutdown and Failover groups ASR always keeps first. */
function parseGroups(sim: Simulation, vault: Vault, planName: string, raw: unknown): RecoveryPlanGroup[] {
  if (!Array.isArray(raw)) {
    throw badRequest('InvalidRequestContent', "The required field 'properties.groups' must be an array.");
  }
  const total = raw.reduce<number>((sum, entry) => {
    const members = (entry as { replicationProtectedItems?: unknown } | null)?.replicationProtectedItems;
    return sum + (Array.isArray(members) ? members.length : 0);
  }, 0);
  if (total > maxItemsPerPlan) {
    throw badRequest(
      'RecoveryPlanItemLimitExceeded',
      `A recovery plan can hold at most ${maxItemsPerPlan} protected items; ${total} were given.`,
    );
  }
  const seen = new Set<string>();
  const groups: RecoveryPlanGroup[] = raw.map((entry, index) => {
    const where = `properties.groups[${index}]`;
    const group = optionalObject(entry, where) ?? {};
    const groupType: RecoveryPlanGroupType = requiredEnum(group.groupType, `${where}.groupType`, groupTypes);
    const members = group.replicationProtectedItems ?? [];
    if (!Array.isArray(members)) {
      throw badRequest('InvalidRequestContent', `'${where}.replicationProtectedItems' must be an array.`);
    }
    return {
      groupType,
      replicationProtectedItems: members.map((member, memberIndex) => {
        const at = `${where}.replicationProtectedItems[${memberIndex}]`;
        const value = optionalObject(member, at) ?? {};
        const id = requiredString(value.id, `${at}.id`);
        const item = sim.state.items[idKey(id)];
        if (!item || idKey(item.vaultId) !== idKey(vault.id)) {
          throw badRequest(
            'ProtectedItemNotFound',
            `Protected item '${id}' (${at}) does not exist in vault '${vault.name}'.`,
          );
        }
        if (seen.has(idKey(id))) {
          throw badRequest(
            'DuplicateRecoveryPlanItem',
            `Protected item '${item.name}' appears twice in the recovery plan.`,
          );
        }
        seen.add(idKey(id));
        const other = Object.values(sim.state.plans).find(
          (plan) =>
            plan.name !== planName &&
            plan.groups.some((g) => g.replicationProtectedItems.some((m) => idKey(m.id) === idKey(id))),
        );
        if (other) {
          throw conflict(
            'ProtectedItemAlreadyInRecoveryPlan',
            `Protected item '${item.friendlyName}' (${item.name}) is already part of recovery plan '${other.name}'.`,
          );
        }
        return {
          id: item.id,
          virtualMachineId: optionalString(value.virtualMachineId, `${at}.virtualMachineId`) ?? item.name,
        };
      }),
      startGroupActions: Array.isArray(group.startGroupActions) ? group.startGroupActions : [],
      endGroupActions: Array.isArray(group.endGroupActions) ? group.endGroupActions : [],
    };
  });
  const withType = (type: RecoveryPlanGroupType) => groups.filter((group) => group.groupType === type);
  const ensure = (type: 'Shutdown' | 'Failover'): RecoveryPlanGroup[] =>
    withType(type).length > 0
      ? withType(type)
      : [{ groupType: type, replicationProtectedItems: [], startGroupActions: [], endGroupActions: [] }];
  const boot = withType('Boot');
  return [
    ...ensure('Shutdown'),
    ...ensure('Failover'),
    ...(boot.length > 0
      ? boot
      : [
          {
            groupType: 'Boot' as const,
            replicationProtectedItems: [],
            startGroupActions: [],
            endGroupActions: [],
          },
        ]),
  ];
}

const sameMembers = (a: RecoveryPlanGroup[], b: RecoveryPlanGroup[]): boolean =>
  JSON.stringify(
    a.map((group) => [group.groupType, group.replicationProtectedItems.map((m) => idKey(m.id))]),
  ) ===
  JSON.stringify(
    b.map((group) => [group.groupType, group.replicationProtectedItems.map((m) => idKey(m.id))]),
  );

function requirePlanIdle(sim: Simulation, plan: RecoveryPlan, what: string): void {
  const running = runningJob(sim, plan.currentJobId);
  if (running) {
    throw conflict(
      'OperationInProgress',
      `Cannot ${what} recovery plan '${plan.name}': job '${running.name}' (${running.scenarioName}) is still in progress.`,
    );
  }
}

/** Every item must allow the operation; the 409 names the first item that does not, with its state. */
function requirePlanOperation(
  sim: Simulation,
  plan: RecoveryPlan,
  operation: PlanOperation,
): ProtectedItem[] {
  requirePlanIdle(sim, plan, operation);
  const items = planItems(sim, plan);
  if (items.length === 0) {
    throw conflict('RecoveryPlanEmpty', `Recovery plan '${plan.name}' has no protected items.`);
  }
  for (const item of items) {
    const error = operationConflict(sim, item, planToItemOperation[operation]);
    if (error) {
      throw conflict(error.code, `Recovery plan '${plan.name}': ${error.message}`);
    }
  }
  return items;
}

/** One task per non-empty group, in order, carrying the effects for that group's items. */
function groupTasks(
  plan: RecoveryPlan,
  label: string,
  durationSeconds: number,
  effects: (itemId: string) => Effect[],
  failureEffects?: (itemId: string) => Effect[],
): TaskSpec[] {
  let bootIndex = 0;
  return plan.groups.flatMap((group) => {
    if (group.groupType === 'Boot') bootIndex += 1;
    if (group.replicationProtectedItems.length === 0) return [];
    const name = group.groupType === 'Boot' ? `Group ${bootIndex}` : `${group.groupType} group`;
    const ids = group.replicationProtectedItems.map((member) => member.id);
    return [
      {
        name: `${group.groupType}GroupTask`,
        friendlyName: `${name}: ${label}`,
        durationSeconds,
        effects: ids.flatMap(effects),
        ...(failureEffects ? { failureEffects: ids.flatMap(failureEffects) } : {}),
      },
    ];
  });
}

function planJob(
  sim: Simulation,
  plan: RecoveryPlan,
  items: ProtectedItem[],
  scenarioName: string,
  friendlyName: string,
  tasks: TaskSpec[],
  customInstanceType?: Job['customInstanceType'],
  waitsForCleanup = false,
): Job {
  const vault = sim.state.vaults[idKey(plan.vaultId)];
  if (!vault) throw new Error(`plan ${plan.id} belongs to an unknown vault`);
  return startJob(sim, {
    vault,
    scenarioName,
    friendlyName,
    target: { id: plan.id, name: plan.name, instanceType: 'RecoveryPlan' },
    itemIds: items.map((item) => item.id),
    planId: plan.id,
    tasks,
    ...(customInstanceType === undefined ? {} : { customInstanceType }),
    ...(scenarioName === 'CommitFailover' ? { faultScenario: 'Commit' as const } : {}),
    waitsForCleanup,
  });
}

function failoverProperties(body: unknown, what: string) {
  const properties = optionalObject(objectBody(body, what).properties, 'properties');
  if (!properties) throw badRequest('InvalidRequestContent', "The required field 'properties' is missing.");
  const direction = requiredEnum(
    properties.failoverDirection,
    'properties.failoverDirection',
    failoverDirections,
  );
  if (direction === 'RecoveryToPrimary') {
    throw badRequest(
      'UnsupportedFailoverDirection',
      'Failover from Azure back to VMware is not supported; use PrimaryToRecovery.',
    );
  }
  const details = properties.providerSpecificDetails ?? [];
  if (!Array.isArray(details)) {
    throw badRequest(
      'InvalidRequestContent',
      "'properties.providerSpecificDetails' must be an array for recovery plans.",
    );
  }
  details.forEach((entry, index) => {
    const where = `properties.providerSpecificDetails[${index}]`;
    const detail = optionalObject(entry, where) ?? {};
    const instanceType = requiredString(detail.instanceType, `${where}.instanceType`);
    if (instanceType === 'InMageRcm')
      requiredEnum(detail.recoveryPointType, `${where}.recoveryPointType`, recoveryPointTypes);
  });
  return properties;
}

export function recoveryPlanRoutes(sim: Simulation): ArmRoute[] {
  const v = siteRecoveryApiVersions;
  const action = (
    operation: string,
    run: (plan: RecoveryPlan, request: ArmRequest) => Job,
  ): ArmRoute['methods'] => ({
    POST: {
      operation,
      apiVersions: v,
      handle: (request) => {
        const plan = findPlan(sim, request.params);
        return accepted(sim, run(plan, request));
      },
    },
  });
  return [
    {
      pattern: `${vaultPath}/replicationRecoveryPlans`,
      methods: {
        GET: {
          operation: 'ReplicationRecoveryPlans_List',
          apiVersions: v,
          handle: (request) => {
            const plans = inVault(sim.state.plans, findVault(sim, request.params));
            const result = page(plans, request, sim.endpoint);
            return {
              status: 200,
              body: {
                value: result.value.map((plan) => planResource(sim, plan)),
                ...(result.nextLink ? { nextLink: result.nextLink } : {}),
              },
            };
          },
        },
      },
    },
    {
      pattern: planPath,
      methods: {
        GET: {
          operation: 'ReplicationRecoveryPlans_Get',
          apiVersions: v,
          handle: ({ params }) => ({ status: 200, body: planResource(sim, findPlan(sim, params)) }),
        },
        PUT: {
          operation: 'ReplicationRecoveryPlans_Create',
          apiVersions: v,
          handle: ({ params, body }) =>
            createOrUpdatePlan(sim, findVault(sim, params), params.recoveryPlanName ?? '', body),
        },
        PATCH: {
          operation: 'ReplicationRecoveryPlans_Update',
          apiVersions: v,
          handle: ({ params, body }) => {
            const plan = findPlan(sim, params);
            const properties =
              optionalObject(objectBody(body, 'recovery plan update').properties, 'properties') ?? {};
            requirePlanIdle(sim, plan, 'update');
            const vault = findVault(sim, params);
            plan.groups = parseGroups(sim, vault, plan.name, properties.groups);
            const job = planJob(sim, plan, [], 'UpdateRecoveryPlan', 'Update the recovery plan', [
              {
                name: 'UpdateRecoveryPlanTask',
                friendlyName: 'Update the recovery plan',
                durationSeconds: 10,
              },
            ]);
            return accepted(sim, job, { outcome: 'updated' });
          },
        },
        DELETE: {
          operation: 'ReplicationRecoveryPlans_Delete',
          apiVersions: v,
          handle: ({ params }) => {
            const plan = findPlan(sim, params);
            requirePlanIdle(sim, plan, 'delete');
            const job = planJob(sim, plan, [], 'DeleteRecoveryPlan', 'Delete a recovery plan', [
              {
                name: 'DeleteRecoveryPlanTask',
                friendlyName: 'Delete a recovery plan task',
                durationSeconds: 5,
              },
            ]);
            delete sim.state.plans[idKey(plan.id)];
            return { ...accepted(sim, job), outcome: 'deleted' };
          },
        },
      },
    },
    {
      pattern: `${planPath}/testFailover`,
      methods: action('ReplicationRecoveryPlans_TestFailover', (plan, { body }) => {
        const properties = failoverProperties(body, 'recovery plan test failover');
        requiredString(properties.networkType, 'properties.networkType');
        const networkId = optionalString(properties.networkId, 'properties.networkId');
        const items = requirePlanOperation(sim, plan, 'TestFailover');
        for (const item of items) item.testFailoverState = 'TestFailoverInitiated';
        return planJob(
          sim,
          plan,
          items,
          'TestFailover',
          'Test failover',
          [
            {
              name: 'PrerequisitesCheckTask',
              friendlyName: 'Prerequisites check for test failover',
              durationSeconds: 30,
            },
            ...groupTasks(
              plan,
              'Test failover',
              300,
              (itemId) => [{ type: 'testFailoverCompleted', itemId, ...(networkId ? { networkId } : {}) }],
              (itemId) => [{ type: 'testFailoverFailed', itemId }],
            ),
          ],
          'TestFailoverJobDetails',
          true,
        );
      }),
    },
    {
      pattern: `${planPath}/testFailoverCleanup`,
      methods: action('ReplicationRecoveryPlans_TestFailoverCleanup', (plan, { body }) => {
        const properties =
          optionalObject(objectBody(body, 'test failover cleanup').properties, 'properties') ?? {};
        optionalString(properties.comments, 'properties.comments');
        const items = requirePlanOperation(sim, plan, 'TestFailoverCleanup');
        for (const item of items) item.testFailoverState = 'MarkedForDeletion';
        return planJob(sim, plan, items, 'TestFailoverCleanup', 'Cleanup test failover', [
          ...groupTasks(plan, 'Delete test virtual machines', 150, (itemId) => [
            { type: 'testFailoverCleanedUp', itemId },
          ]),
        ]);
      }),
    },
    {
      pattern: `${planPath}/unplannedFailover`,
      methods: action('ReplicationRecoveryPlans_UnplannedFailover', (plan, { body }) => {
        const properties = failoverProperties(body, 'recovery plan unplanned failover');
        const shutdown =
          requiredEnum(properties.sourceSiteOperations, 'properties.sourceSiteOperations', [
            'Required',
            'NotRequired',
          ] as const) === 'Required';
        const items = requirePlanOperation(sim, plan, 'UnplannedFailover');
        for (const item of items) item.protectionState = 'UnplannedFailoverInitiated';
        const tasks: TaskSpec[] = [
          {
            name: 'PrerequisitesCheckTask',
            friendlyName: 'Prerequisites check for failover',
            durationSeconds: 30,
          },
        ];
        if (shutdown) {
          tasks.push({
            name: 'ShutdownSourceVmsTask',
            friendlyName: 'Shut down the source virtual machines',
            durationSeconds: 60,
            effects: items.map((item) => ({ type: 'powerOffSource', itemId: item.id })),
          });
        }
        tasks.push(
          ...groupTasks(
            plan,
            'Failover',
            300,
            (itemId) => [{ type: 'failoverCompleted', itemId }],
            (itemId) => [{ type: 'failoverFailed', itemId }],
          ),
        );
        return planJob(sim, plan, items, 'UnplannedFailover', 'Failover', tasks, 'FailoverJobDetails');
      }),
    },
    {
      pattern: `${planPath}/failoverCommit`,
      methods: action('ReplicationRecoveryPlans_FailoverCommit', (plan) => {
        const items = requirePlanOperation(sim, plan, 'Commit');
        for (const item of items) item.protectionState = 'CommitFailoverInProgressOnRecovery';
        return planJob(sim, plan, items, 'CommitFailover', 'Commit', [
          ...groupTasks(
            plan,
            'Commit failover',
            60,
            (itemId) => [{ type: 'commitCompleted', itemId }],
            (itemId) => [{ type: 'commitFailed', itemId }],
          ),
        ]);
      }),
    },
    {
      pattern: `${planPath}/failoverCancel`,
      methods: action('ReplicationRecoveryPlans_FailoverCancel', (plan) => {
        const items = requirePlanOperation(sim, plan, 'CancelFailover');
        for (const item of items) item.protectionState = 'CancelFailoverInProgressOnRecovery';
        return planJob(sim, plan, items, 'CancelFailover', 'Cancel failover', [
          ...groupTasks(plan, 'Delete the Azure virtual machines', 120, (itemId) => [
            { type: 'failoverCancelled', itemId },
          ]),
        ]);
      }),
    },
  ];
}

function createOrUpdatePlan(sim: Simulation, vault: Vault, name: string, body: unknown): ArmResponse {
  const properties = optionalObject(objectBody(body, 'recovery plan').properties, 'properties');
  if (!properties) throw badRequest('InvalidRequestContent', "The required field 'properties' is missing.");
  const primaryFabricId = requiredString(properties.primaryFabricId, 'properties.primaryFabricId');
  const recoveryFabricId = requiredString(properties.recoveryFabricId, 'properties.recoveryFabricId');
  const failoverDeploymentModel =
    optionalEnum(properties.failoverDeploymentModel, 'properties.failoverDeploymentModel', [
      'NotApplicable',
      'Classic',
      'ResourceManager',
    ] as const) ?? 'ResourceManager';
  if (!sim.state.fabrics[idKey(primaryFabricId)]) {
    throw badRequest(
      'FabricNotFound',
      `Primary fabric '${primaryFabricId}' does not exist in vault '${vault.name}'.`,
    );
  }
  const groups = parseGroups(sim, vault, name, properties.groups);
  const id = planId(vault, name);
  const existing = sim.state.plans[idKey(id)];
  if (existing) {
    if (sameMembers(existing.groups, groups) && idKey(existing.primaryFabricId) === idKey(primaryFabricId)) {
      return { status: 200, body: planResource(sim, existing), outcome: 'noop', resourceId: existing.id };
    }
    requirePlanIdle(sim, existing, 'update');
    existing.groups = groups;
    existing.primaryFabricId = primaryFabricId;
    existing.recoveryFabricId = recoveryFabricId;
    existing.failoverDeploymentModel = failoverDeploymentModel;
    const job = planJob(sim, existing, [], 'UpdateRecoveryPlan', 'Update the recovery plan', [
      { name: 'UpdateRecoveryPlanTask', friendlyName: 'Update the recovery plan', durationSeconds: 10 },
    ]);
    return accepted(sim, job, { outcome: 'updated' });
  }
  const plan: RecoveryPlan = {
    id,
    vaultId: vault.id,
    name,
    primaryFabricId,
    recoveryFabricId,
    failoverDeploymentModel,
    groups,
    createdAt: sim.now(),
  };
  sim.state.plans[idKey(id)] = plan;
  const job = planJob(sim, plan, [], 'CreateRecoveryPlan', 'Create a recovery plan', [
    { name: 'CreateRecoveryPlanTask', friendlyName: 'Create a recovery plan task', durationSeconds: 10 },
  ]);
  return accepted(sim, job, { outcome: 'created' });
}
