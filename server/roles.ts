/**
 * Which roles may do what. Reads need any role; each action names the roles that may take it, and admin
 * may take every action. The workflows enforce the rest (state, windows, separation of duties).
 */
import type { Role } from '../contracts/operator-stamp.ts';

export const actionNames = [
  'start',
  'approve',
  'concurrency',
  'pause',
  'resume',
  'retry',
  'skip',
  'postpone',
  'cutover',
  'force-cutover',
  'sign-off',
  'rollback',
  'database-cutover',
  'force-database-cutover',
  'database-retry',
  'database-rollback',
  'cancel',
] as const;
export type ActionName = (typeof actionNames)[number];

const rules: Record<ActionName, Role[]> = {
  start: ['operator'],
  approve: ['approver'],
  concurrency: ['operator'],
  pause: ['operator'],
  resume: ['operator'],
  retry: ['operator'],
  skip: ['operator'],
  postpone: ['operator'],
  // A lead who may force a cutover may also open one in its window.
  cutover: ['operator', 'lead'],
  'force-cutover': ['lead'],
  'sign-off': ['approver'],
  rollback: ['lead'],
  'database-cutover': ['operator', 'lead'],
  'force-database-cutover': ['lead'],
  'database-retry': ['operator'],
  'database-rollback': ['lead'],
  // Cancelling a wave rolls back every batch that is not committed.
  cancel: ['lead'],
};

export const readerRoles: Role[] = ['viewer', 'operator', 'approver', 'lead', 'admin'];

/** Roles that may take an action (admin always among them). */
export const rolesFor = (action: ActionName): Role[] => [...rules[action], 'admin'];

export const mayRead = (roles: readonly Role[]) => roles.some((r) => readerRoles.includes(r));

export const mayAct = (action: ActionName, roles: readonly Role[]) =>
  rolesFor(action).some((r) => roles.includes(r));
