/**
 * Move groups: applications that must share a wave. Two applications are one group when they call
 * each other and at least one direction is strong (Azure Migrate's "keep strong two-way dependencies
 * together"), or when they list the same server (a server cannot move twice).
 */
import type { PlanApplication } from './plan-schema.ts';

export interface MoveGroups {
  /** Application → group id (the group's first application by name). */
  groupOf: Map<string, string>;
  members: Map<string, string[]>;
  /** Application → why it is grouped with the others. */
  why: Map<string, string[]>;
}

export function moveGroups(
  applications: readonly PlanApplication[],
  sharedServers: readonly { a: string; b: string; server: string }[],
): MoveGroups {
  const parent = new Map(applications.map((a) => [a.name, a.name]));
  const find = (name: string): string => {
    let root = name;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(name, root);
    return root;
  };
  const why = new Map<string, string[]>();
  const note = (app: string, text: string) => why.set(app, [...(why.get(app) ?? []), text]);
  const union = (a: string, b: string, text: (other: string) => string) => {
    if (!parent.has(a) || !parent.has(b)) return;
    note(a, text(b));
    note(b, text(a));
    const [ra, rb] = [find(a), find(b)];
    if (ra !== rb) parent.set(ra < rb ? rb : ra, ra < rb ? ra : rb);
  };

  const edges = new Map<string, string>();
  for (const app of applications)
    for (const d of app.dependsOn) edges.set(`${app.name}\u0000${d.application}`, d.strength);
  for (const app of applications) {
    for (const d of app.dependsOn) {
      if (app.name >= d.application) continue;
      const back = edges.get(`${d.application}\u0000${app.name}`);
      if (back === undefined || (back !== 'strong' && d.strength !== 'strong')) continue;
      union(app.name, d.application, (other) => `moves with ${other}: strong two-way dependency`);
    }
  }
  for (const s of sharedServers)
    union(s.a, s.b, (other) => `moves with ${other}: both list server ${s.server}`);

  const members = new Map<string, string[]>();
  const groupOf = new Map<string, string>();
  for (const app of applications) {
    const root = find(app.name);
    groupOf.set(app.name, root);
    members.set(root, [...(members.get(root) ?? []), app.name]);
  }
  return { groupOf, members, why };
}
