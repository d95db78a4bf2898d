/** Future happenings of the simulated world, processed in simulated-time order when a request arrives. */
export type ScheduledEvent =
  | { at: number; seq: number; kind: 'taskEnd'; jobId: string; taskIndex: number }
  | { at: number; seq: number; kind: 'transfersDue'; fabricId: string; version: number }
  | { at: number; seq: number; kind: 'dataOperationDue'; operationId: string }
  | { at: number; seq: number; kind: 'syncDue'; sync: SyncRef };

/** A data sync: a SQL database migration (by key) or a database of a classic DMS task. */
export type SyncRef = { migration: string } | { task: string; database: number };

const before = (a: ScheduledEvent, b: ScheduledEvent): boolean =>
  a.at < b.at || (a.at === b.at && a.seq < b.seq);

/**
 * A binary min-heap of events by (time, sequence). The heap array is the `events` array of the
 * persisted state, so a snapshot always holds the pending events.
 */
export class EventQueue {
  constructor(private readonly heap: ScheduledEvent[]) {
    for (let index = (heap.length >> 1) - 1; index >= 0; index -= 1) this.down(index);
  }

  get size(): number {
    return this.heap.length;
  }

  push(event: ScheduledEvent): void {
    this.heap.push(event);
    this.up(this.heap.length - 1);
  }

  /** Removes and returns the earliest event due at or before `now`. */
  popDue(now: number): ScheduledEvent | undefined {
    const first = this.heap[0];
    if (!first || first.at > now) return undefined;
    const last = this.heap.pop();
    if (last && this.heap.length > 0) {
      this.heap[0] = last;
      this.down(0);
    }
    return first;
  }

  private up(index: number): void {
    let child = index;
    while (child > 0) {
      const parent = (child - 1) >> 1;
      if (!before(this.at(child), this.at(parent))) return;
      this.swap(child, parent);
      child = parent;
    }
  }

  private down(index: number): void {
    let parent = index;
    for (;;) {
      const left = parent * 2 + 1;
      const right = left + 1;
      let smallest = parent;
      if (left < this.heap.length && before(this.at(left), this.at(smallest))) smallest = left;
      if (right < this.heap.length && before(this.at(right), this.at(smallest))) smallest = right;
      if (smallest === parent) return;
      this.swap(parent, smallest);
      parent = smallest;
    }
  }

  private at(index: number): ScheduledEvent {
    const event = this.heap[index];
    if (!event) throw new Error(`event queue index ${index} out of range`);
    return event;
  }

  private swap(a: number, b: number): void {
    const first = this.at(a);
    this.heap[a] = this.at(b);
    this.heap[b] = first;
  }
}
