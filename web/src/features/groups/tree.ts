import type { Group } from "./api";

export interface GroupNode {
  group: Group;
  children: GroupNode[];
  depth: number;
}

const byName = (a: GroupNode, b: GroupNode) => a.group.name.localeCompare(b.group.name);

/**
 * Groups as a tree (regions holding their depots), each level by name. A group whose parent
 * is not in the list (not loaded, or a loop written outside the API) stands at the top, so
 * every group shows exactly once.
 */
export function groupTree(groups: readonly Group[]): GroupNode[] {
  const nodes = new Map(groups.map((group) => [group.id, { group, children: [], depth: 0 } as GroupNode]));
  const roots: GroupNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.group.parent_id ? nodes.get(node.group.parent_id) : undefined;
    if (parent && !isAncestor(node, parent, nodes)) parent.children.push(node);
    else roots.push(node);
  }
  const settle = (level: GroupNode[], depth: number) => {
    level.sort(byName);
    for (const node of level) {
      node.depth = depth;
      settle(node.children, depth + 1);
    }
  };
  settle(roots, 0);
  return roots;
}

/** Whether `node` is `other` or one of its ancestors (a parent link that would close a loop). */
function isAncestor(node: GroupNode, other: GroupNode, nodes: Map<string, GroupNode>): boolean {
  const seen = new Set<string>();
  for (let at: GroupNode | undefined = other; at; ) {
    if (at === node) return true;
    if (seen.has(at.group.id)) return false;
    seen.add(at.group.id);
    at = at.group.parent_id ? nodes.get(at.group.parent_id) : undefined;
  }
  return false;
}

/** The group and everything under it: what it may not be moved under. */
export function subtreeIds(groups: readonly Group[], groupId: string): Set<string> {
  const children = new Map<string, string[]>();
  for (const group of groups) {
    if (group.parent_id) children.set(group.parent_id, [...(children.get(group.parent_id) ?? []), group.id]);
  }
  const found = new Set<string>();
  const stack = [groupId];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (found.has(id)) continue;
    found.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  return found;
}

/** The tree in reading order (each group, then its subgroups). */
export function flatten(nodes: readonly GroupNode[]): GroupNode[] {
  return nodes.flatMap((node) => [node, ...flatten(node.children)]);
}
