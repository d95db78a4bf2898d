/**
 * Strongly connected components (Tarjan, iterative so a long dependency chain cannot overflow the
 * stack). Groups that depend on each other in a cycle cannot all have their dependencies in the same
 * or an earlier wave unless they share one; the planner places each cycle consecutively and flags
 * the edges it could not honour.
 */
export function stronglyConnected(nodes: readonly string[], next: ReadonlyMap<string, readonly string[]>) {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const componentOf = new Map<string, number>();
  let counter = 0;
  let components = 0;
  for (const start of nodes) {
    if (index.has(start)) continue;
    const work: { node: string; child: number }[] = [{ node: start, child: 0 }];
    index.set(start, counter);
    low.set(start, counter++);
    stack.push(start);
    onStack.add(start);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      if (frame === undefined) break;
      const children = next.get(frame.node) ?? [];
      const child = children[frame.child++];
      if (child !== undefined) {
        if (!index.has(child)) {
          index.set(child, counter);
          low.set(child, counter++);
          stack.push(child);
          onStack.add(child);
          work.push({ node: child, child: 0 });
        } else if (onStack.has(child)) {
          low.set(frame.node, Math.min(low.get(frame.node) ?? 0, index.get(child) ?? 0));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent !== undefined)
        low.set(parent.node, Math.min(low.get(parent.node) ?? 0, low.get(frame.node) ?? 0));
      if (low.get(frame.node) === index.get(frame.node)) {
        let member: string | undefined;
        do {
          member = stack.pop();
          if (member === undefined) break;
          onStack.delete(member);
          componentOf.set(member, components);
        } while (member !== frame.node);
        components += 1;
      }
    }
  }
  return { componentOf, count: components };
}
