/** ASR jobs: a sequence of timed tasks whose effects apply when each task ends on the simulated clock. */
import { idKey } from '../arm.ts';
import { iso } from '../clock.ts';
import { faultableScenarios, type FaultableScenario } from '../faults.ts';
import type { ScheduledEvent } from '../scheduler.ts';
import type { Simulation } from '../simulation.ts';
import { applyEffect } from './effects.ts';
import { jobId, operationStatusPath, resourceTypes } from './resources.ts';
import type { JobState } from './states.ts';
import type { Effect, Job, JobFailure, Vault } from './types.ts';

export interface TaskSpec {
  name: string;
  friendlyName: string;
  durationSeconds: number;
  effects?: Effect[];
  /** Effects applied instead when this task fails (an injected fault or `fails`; defaults to none). */
  failureEffects?: Effect[];
  /** The task fails with this error whatever the faults say (e.g. no agent to replicate with). */
  fails?: Omit<JobFailure, 'taskIndex' | 'effects'>;
}

export interface JobSpec {
  vault: Vault;
  scenarioName: string;
  friendlyName: string;
  target: { id: string; name: string; instanceType: Job['targetInstanceType'] };
  customInstanceType?: Job['customInstanceType'];
  tasks: TaskSpec[];
  itemIds: string[];
  planId?: string;
  /** The fault-injection scenario, when it differs from ASR's scenario name (commit: `CommitFailover`). */
  faultScenario?: FaultableScenario;
  /** Test failover: the job waits `Suspended` after its tasks until cleanup ends it. */
  waitsForCleanup?: boolean;
}

/** The job holding an item or plan that is still running (not ended, not suspended), if any. */
export function runningJob(sim: Simulation, id: string | undefined): Job | undefined {
  const job = id === undefined ? undefined : sim.state.jobs[idKey(id)];
  return job && !job.finished && !job.suspended ? job : undefined;
}

/**
 * Ends the suspended test failover jobs that hold these items or this plan: test failover cleanup (or a
 * purge) resumes them, and they complete before the new job takes the items.
 */
function endSuspendedJobs(sim: Simulation, itemIds: string[], planId: string | undefined, at: number): void {
  const holders = [
    ...itemIds.map((id) => sim.state.items[idKey(id)]?.currentJobId),
    planId === undefined ? undefined : sim.state.plans[idKey(planId)]?.currentJobId,
  ];
  for (const id of holders) {
    const job = id === undefined ? undefined : sim.state.jobs[idKey(id)];
    if (job?.suspended && !job.finished) {
      job.endTime = at;
      finishJob(sim, job);
    }
  }
}

export function startJob(sim: Simulation, spec: JobSpec): Job {
  const now = sim.now();
  endSuspendedJobs(sim, spec.itemIds, spec.planId, now);
  const name = sim.newGuid();
  let cursor = now;
  const extraSeconds = sim.faults.extraJobSeconds(spec.scenarioName);
  const tasks = spec.tasks.map((task, index) => {
    const startTime = cursor;
    cursor += (task.durationSeconds + (index === 0 ? extraSeconds : 0)) * 1000;
    return {
      taskId: sim.newGuid(),
      name: task.name,
      friendlyName: task.friendlyName,
      startTime,
      endTime: cursor,
      effects: task.effects ?? [],
    };
  });
  const job: Job = {
    id: jobId(spec.vault, name),
    vaultId: spec.vault.id,
    name,
    activityId: `${sim.newGuid()} ActivityId: ${sim.newGuid()}`,
    scenarioName: spec.scenarioName,
    friendlyName: spec.friendlyName,
    targetObjectId: spec.target.id,
    targetObjectName: spec.target.name,
    targetInstanceType: spec.target.instanceType,
    customInstanceType: spec.customInstanceType ?? 'AsrJobDetails',
    startTime: now,
    endTime: cursor,
    tasks,
    itemIds: spec.itemIds,
    ...(spec.planId === undefined ? {} : { planId: spec.planId }),
    ...(spec.waitsForCleanup ? { waitsForCleanup: true } : {}),
    finished: false,
  };
  const failure = plannedFailure(spec) ?? injectedFailure(sim, spec, name);
  if (failure) {
    job.failure = failure;
    job.endTime = tasks[failure.taskIndex]?.endTime ?? cursor;
  }
  sim.state.jobs[idKey(job.id)] = job;
  for (const id of spec.itemIds) {
    const item = sim.state.items[idKey(id)];
    if (item) {
      item.currentJobId = job.id;
      item.lastJobId = job.id;
    }
  }
  const plan = spec.planId === undefined ? undefined : sim.state.plans[idKey(spec.planId)];
  if (plan) {
    plan.currentJobId = job.id;
    plan.lastJobId = job.id;
  }
  const lastTask = failure ? failure.taskIndex : tasks.length - 1;
  tasks.forEach((task, taskIndex) => {
    if (taskIndex <= lastTask) sim.schedule({ kind: 'taskEnd', at: task.endTime, jobId: job.id, taskIndex });
  });
  if (tasks.length === 0) finishJob(sim, job);
  sim.changed();
  return job;
}

/** Later tasks never run: their items fail too (each effect once). */
function failureEffectsFrom(tasks: TaskSpec[], taskIndex: number): Effect[] {
  const effects = new Map<string, Effect>();
  for (const effect of tasks.slice(taskIndex).flatMap((task) => task.failureEffects ?? []))
    effects.set(JSON.stringify(effect), effect);
  return [...effects.values()];
}

function plannedFailure(spec: JobSpec): JobFailure | undefined {
  const taskIndex = spec.tasks.findIndex((task) => task.fails !== undefined);
  const error = spec.tasks[taskIndex]?.fails;
  if (!error) return undefined;
  return { taskIndex, ...error, effects: failureEffectsFrom(spec.tasks, taskIndex) };
}

function injectedFailure(sim: Simulation, spec: JobSpec, jobName: string): JobFailure | undefined {
  const scenario = spec.faultScenario ?? spec.scenarioName;
  if (!(scenario in faultableScenarios)) return undefined;
  const vms = spec.itemIds.flatMap((id) => sim.state.items[idKey(id)]?.friendlyName ?? []);
  if (!sim.faults.operationFails(scenario, jobName, { vms })) return undefined;
  const taskIndex = spec.tasks.findLastIndex((task) => task.failureEffects !== undefined);
  if (taskIndex < 0) return undefined;
  const error = faultableScenarios[scenario as FaultableScenario];
  return { taskIndex, ...error, effects: failureEffectsFrom(spec.tasks, taskIndex) };
}

/** Applies one due event (called by Simulation.advance in time order). */
export function processEvent(sim: Simulation, event: ScheduledEvent): void {
  switch (event.kind) {
    case 'taskEnd': {
      const job = sim.state.jobs[idKey(event.jobId)];
      if (!job || job.finished) return;
      const task = job.tasks[event.taskIndex];
      if (!task) return;
      if (job.failure?.taskIndex === event.taskIndex) {
        for (const effect of job.failure.effects) applyEffect(sim, effect, event.at);
        finishJob(sim, job);
        return;
      }
      for (const effect of task.effects) applyEffect(sim, effect, event.at);
      if (event.taskIndex !== job.tasks.length - 1) return;
      if (job.waitsForCleanup) {
        job.suspended = true;
        sim.changed();
      } else {
        finishJob(sim, job);
      }
      return;
    }
    case 'transfersDue': {
      for (const item of sim.replication.transfersDue(event.fabricId, event.version, event.at)) {
        if (item.protectionState === 'InitialReplicationInProgress') {
          item.protectionState = 'Protected';
        }
      }
      return;
    }
  }
}

function finishJob(sim: Simulation, job: Job): void {
  job.finished = true;
  for (const id of job.itemIds) {
    const item = sim.state.items[idKey(id)];
    if (item?.currentJobId === job.id) delete item.currentJobId;
  }
  const plan = job.planId === undefined ? undefined : sim.state.plans[idKey(job.planId)];
  if (plan?.currentJobId === job.id) {
    delete plan.currentJobId;
    if (!job.failure && job.scenarioName === 'TestFailover') plan.lastTestFailoverTime = job.endTime;
    if (!job.failure && job.scenarioName === 'UnplannedFailover')
      plan.lastUnplannedFailoverTime = job.endTime;
  }
  sim.changed();
}

export function jobState(job: Job, now: number): JobState {
  if (job.finished) return job.failure ? 'Failed' : 'Succeeded';
  if (job.suspended) return 'Suspended';
  return now < job.startTime ? 'NotStarted' : 'InProgress';
}

const stateDescriptions: Record<JobState, string> = {
  NotStarted: 'Not started',
  InProgress: 'In progress',
  Succeeded: 'Completed',
  Failed: 'Failed',
  Cancelled: 'Cancelled',
  // What the spec examples (ReplicationJobs_Resume, ReplicationRecoveryPlans_TestFailover) show.
  Suspended: 'WaitingForStopTestFailover',
  Other: 'Other',
};

export const jobStateDescription = (state: JobState): string => stateDescriptions[state];

type TaskState = JobState | 'Skipped';

function taskState(job: Job, index: number, now: number): TaskState {
  const task = job.tasks[index];
  if (!task) return 'NotStarted';
  if (job.failure) {
    if (index > job.failure.taskIndex) return 'Skipped';
    if (index === job.failure.taskIndex && job.finished) return 'Failed';
  }
  if (now >= task.endTime) return 'Succeeded';
  return now >= task.startTime ? 'InProgress' : 'NotStarted';
}

/** The ARM representation of a job (replicationJobs GET). */
export function jobResource(sim: Simulation, job: Job) {
  const now = sim.now();
  const state = jobState(job, now);
  const failure = job.failure;
  const failedTask = failure ? job.tasks[failure.taskIndex] : undefined;
  const errors =
    failure && job.finished
      ? [
          {
            serviceErrorDetails: {
              code: failure.code,
              message: failure.message,
              possibleCauses: failure.possibleCauses,
              recommendedAction: failure.recommendedAction,
              activityId: job.activityId,
            },
            errorLevel: 'Error',
            creationTime: iso(job.endTime),
            taskId: failedTask?.taskId,
          },
        ]
      : [];
  return {
    id: job.id,
    name: job.name,
    type: resourceTypes.job,
    properties: {
      activityId: job.activityId,
      scenarioName: job.scenarioName,
      friendlyName: job.friendlyName,
      state,
      stateDescription: stateDescriptions[state],
      tasks: job.tasks.map((task, index) => {
        const current = taskState(job, index, now);
        return {
          taskId: task.taskId,
          name: task.name,
          friendlyName: task.friendlyName,
          startTime: current === 'NotStarted' || current === 'Skipped' ? undefined : iso(task.startTime),
          endTime: current === 'Succeeded' || current === 'Failed' ? iso(task.endTime) : undefined,
          allowedActions: [],
          state: current,
          stateDescription: current === 'Skipped' ? 'Skipped' : stateDescriptions[current],
          taskType: 'TaskDetails',
          customDetails: { instanceType: 'JobTaskDetails' },
          errors: current === 'Failed' ? errors : [],
        };
      }),
      errors,
      startTime: iso(job.startTime),
      endTime: job.finished ? iso(job.endTime) : undefined,
      allowedActions: [],
      targetObjectId: job.targetObjectId,
      targetObjectName: job.targetObjectName,
      targetInstanceType: job.targetInstanceType,
      customDetails: {
        instanceType: job.customInstanceType,
        affectedObjectDetails: { TargetObjectId: job.targetObjectId, TargetObjectName: job.targetObjectName },
      },
    },
  };
}

/**
 * Body of GET …/replicationOperationStatus/{name}: the Azure-AsyncOperation status of a job. A suspended
 * test failover has done what was asked (the test machines run): its operation has succeeded.
 */
export function operationStatus(sim: Simulation, job: Job) {
  const state = jobState(job, sim.now());
  const done = state === 'Succeeded' || state === 'Suspended';
  const status = done ? 'Succeeded' : state === 'Failed' ? 'Failed' : 'InProgress';
  return {
    id: operationStatusPath(job.vaultId, job.name),
    name: job.name,
    status,
    startTime: iso(job.startTime),
    ...(job.finished || job.suspended ? { endTime: iso(job.endTime) } : {}),
    ...(state === 'Failed' && job.failure
      ? { error: { code: job.failure.code, message: job.failure.message } }
      : {}),
  };
}

/**
 * `currentScenario` of an item (its running or suspended job, or ASR's idle value) or of a plan (its last
 * job, ended or not: the recovery plan examples show `CommitFailover` / `Succeeded` after a commit).
 */
export function currentScenario(
  sim: Simulation,
  vaultIdValue: string,
  jobIdValue: string | undefined,
  options: { lastEnded?: boolean } = {},
) {
  const job = jobIdValue === undefined ? undefined : sim.state.jobs[idKey(jobIdValue)];
  if (!job || (job.finished && !options.lastEnded)) {
    return { scenarioName: 'None', jobId: jobId(vaultIdValue, 'None'), startTime: '1753-01-01T01:01:01Z' };
  }
  return { scenarioName: job.scenarioName, jobId: job.id, startTime: iso(job.startTime) };
}
