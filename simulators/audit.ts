import type { AuditOutcome, HttpMethod } from './arm.ts';

/** One mutating ARM call, as recorded by the simulator (rejected and throttled calls included). */
export interface AuditEntry {
  seq: number;
  /** Simulated time, ISO 8601. */
  time: string;
  principal: string;
  method: HttpMethod;
  path: string;
  /** REST operation id, e.g. `ReplicationProtectedItems_Create`; `Unknown` for unrouted paths. */
  operation: string;
  resourceId: string;
  status: number;
  outcome: AuditOutcome;
  /** ARM error code for rejected calls. */
  errorCode?: string;
}

export const isMutating = (method: HttpMethod): boolean => method !== 'GET';

/** Append-only audit log; sequence numbers start at 1 and survive restarts (they live in the snapshot). */
export class AuditLog {
  constructor(
    private readonly entries: AuditEntry[],
    private readonly onAppend: () => void,
  ) {}

  get lastSeq(): number {
    return this.entries.at(-1)?.seq ?? 0;
  }

  append(entry: Omit<AuditEntry, 'seq'>): AuditEntry {
    const full = { seq: this.lastSeq + 1, ...entry };
    this.entries.push(full);
    this.onAppend();
    return full;
  }

  /** Entries with seq greater than `since`. */
  since(since: number): AuditEntry[] {
    // Entries are ordered by seq: binary search for the first one after `since`.
    let low = 0;
    let high = this.entries.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if ((this.entries[mid]?.seq ?? 0) <= since) low = mid + 1;
      else high = mid;
    }
    return this.entries.slice(low);
  }
}
