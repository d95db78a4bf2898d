/** Task queues the workers poll; every client that starts a wave names them from here. */
export const TASK_QUEUES = {
  /** Workflow tasks and cheap, non-ARM activities. */
  workflows: 'migration-factory',
  /** Every activity that calls Azure Resource Manager; rate-limited at the task queue. */
  azure: 'migration-factory-azure',
} as const;
