/**
 * Database assessment: which targets accept the engine/version/size, the recommended target and
 * whether to migrate online (continuous sync, short cutover) or offline (one copy inside downtime).
 */
import { targetRules, type TargetRule } from '../data/database-targets.ts';
import type { Database, DbTarget } from '../inventory/estate-schema.ts';

export interface DatabaseOptions {
  /** Assumed offline copy speed, MB/s. Not published by Microsoft; set it from a pilot migration. */
  offlineCopyMBps: number;
  /** Longest downtime an offline migration may take, hours. */
  maxOfflineHours: number;
}

export const defaultDatabaseOptions: DatabaseOptions = { offlineCopyMBps: 100, maxOfflineHours: 4 };

export interface DatabaseAssessment {
  databaseId: string;
  compatibleTargets: DbTarget[];
  recommendedTarget?: DbTarget;
  mode?: 'offline' | 'online';
  /** Estimated hours an offline copy would take. */
  offlineHours: number;
  reasons: string[];
}

/** "2008 R2" → 2008, "8.0.32" → 8, "5.7" → 5.7, "12" → 12; undefined when no number. */
export function majorVersion(version: string): number | undefined {
  const match = /(\d+)(?:\.(\d+))?/.exec(version);
  if (match?.[1] === undefined) return undefined;
  const major = Number(match[1]);
  // MySQL 5.x is distinguished by its minor version (5.6 vs 5.7); elsewhere the major decides.
  return major === 5 && match[2] !== undefined ? Number(`5.${match[2]}`) : major;
}

const compatible = (db: Database, version: number | undefined) => (rule: TargetRule) =>
  rule.engine === db.engine &&
  version !== undefined &&
  version >= rule.minVersion &&
  db.sizeGB <= rule.maxSizeGB;

export function assessDatabase(db: Database, options: DatabaseOptions): DatabaseAssessment {
  const version = majorVersion(db.version);
  const reasons: string[] = [];
  const rules = targetRules.filter(compatible(db, version));
  const compatibleTargets = rules.map((r) => r.target);
  const offlineHours = Math.round(((db.sizeGB * 1024) / options.offlineCopyMBps / 3600) * 10) / 10;
  if (version === undefined) reasons.push(`version "${db.version}" not understood`);
  if (rules.length === 0) {
    const minimum = targetRules.filter((r) => r.engine === db.engine).map((r) => r.minVersion);
    reasons.push(
      `${db.engine} ${db.version} (${db.sizeGB} GB) has no DMS-supported target: upgrade to ${Math.min(...minimum)} or later first, or move it by backup/restore to a VM`,
    );
    return { databaseId: db.id, compatibleTargets, offlineHours, reasons };
  }
  let rule: TargetRule | undefined;
  if (db.wantedTarget !== undefined) {
    rule = rules.find((r) => r.target === db.wantedTarget);
    if (rule === undefined) reasons.push(`wanted target ${db.wantedTarget} does not accept this database`);
    else reasons.push('wanted target from the inventory');
  }
  // SQL Managed Instance keeps instance-level features (Agent jobs, cross-database queries), so it is
  // the lift-and-shift default; the first compatible rule is otherwise the preferred one by order.
  rule ??= rules[0];
  if (rule === undefined) return { databaseId: db.id, compatibleTargets, offlineHours, reasons };
  const tooLongOffline = offlineHours > options.maxOfflineHours;
  const busy = (db.logRateMBps ?? 0) > 0 || (db.changeRateGBPerDay ?? 0) > 0;
  let mode: 'offline' | 'online';
  if (!rule.modes.includes('offline')) {
    mode = 'online';
    reasons.push(`${rule.target} migrations run online only`);
  } else if (!rule.modes.includes('online')) {
    mode = 'offline';
    if (tooLongOffline)
      reasons.push(
        `offline copy ≈ ${offlineHours} h exceeds the ${options.maxOfflineHours} h window; consider SQL Managed Instance for online sync`,
      );
  } else if (tooLongOffline) {
    mode = 'online';
    reasons.push(`offline copy ≈ ${offlineHours} h exceeds the ${options.maxOfflineHours} h window`);
  } else {
    mode = 'offline';
    reasons.push(
      busy
        ? `offline copy ≈ ${offlineHours} h fits the window despite ongoing changes`
        : `offline copy ≈ ${offlineHours} h fits the window`,
    );
  }
  return {
    databaseId: db.id,
    compatibleTargets,
    recommendedTarget: rule.target,
    mode,
    offlineHours,
    reasons,
  };
}
