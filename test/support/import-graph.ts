// The import graph of a source folder, read from the text of its files (no compiler, no dependency), and the
// circles in it. Every relative specifier counts: `import`, `import type`, `export ... from`, `import()` and
// `typeof import()`, because a circle through type imports is still two files that cannot be read apart.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Every relative module a file names, whatever the form of the import. */
const SPECIFIER = /(?:\bimport\s+(?:type\s+)?(?:[\w*{}\s,$]+?\s+from\s+)?|\bexport\s+(?:type\s+)?(?:\*(?:\s+as\s+\w+)?|\{[^}]*\})\s+from\s+|\bimport\s*\(\s*)(['"])(\.{1,2}\/[^'"]+)\1/g;

/** The relative specifiers of one file's source, comments left out (a commented-out import is not an edge). */
export function relativeImports(source: string): string[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  return [...code.matchAll(SPECIFIER)].map((m) => m[2]!);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return listFiles(full);
    return /\.(ts|mts)$/.test(name) && !name.endsWith('.d.ts') ? [full] : [];
  });
}

/** file -> the files under root it imports (paths relative to root, '/'-separated). */
export function importGraph(root: string): Map<string, string[]> {
  const files = listFiles(root);
  const known = new Set(files);
  const rel = (file: string) => path.relative(root, file).split(path.sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const targets = relativeImports(readFileSync(file, 'utf8'))
      .map((spec) => path.resolve(path.dirname(file), spec))
      // NodeNext imports name the .ts file; an extensionless or .js specifier is resolved the way tsx would.
      .map((target) => [target, `${target}.ts`, target.replace(/\.js$/, '.ts'), path.join(target, 'index.ts')].find((t) => known.has(t)))
      .filter((target): target is string => target !== undefined);
    graph.set(rel(file), [...new Set(targets.map(rel))]);
  }
  return graph;
}

/**
 * Every elementary circle's smallest witness: for each strongly connected component with more than one file (or a
 * file importing itself), one shortest cycle through it, as the list of files it passes, first file repeated last.
 */
export function findCircles(graph: Map<string, string[]>): string[][] {
  // Tarjan's strongly connected components, iteratively (a deep import chain must not overflow the stack).
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  for (const start of graph.keys()) {
    if (index.has(start)) continue;
    const work: { node: string; next: number }[] = [{ node: start, next: 0 }];
    index.set(start, counter); low.set(start, counter++); stack.push(start); onStack.add(start);
    while (work.length > 0) {
      const frame = work.at(-1)!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.next < edges.length) {
        const to = edges[frame.next++]!;
        if (!index.has(to)) {
          index.set(to, counter); low.set(to, counter++); stack.push(to); onStack.add(to);
          work.push({ node: to, next: 0 });
        } else if (onStack.has(to)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        continue;
      }
      work.pop();
      const parent = work.at(-1);
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do { member = stack.pop()!; onStack.delete(member); component.push(member); } while (member !== frame.node);
        if (component.length > 1 || (graph.get(frame.node) ?? []).includes(frame.node)) components.push(component.sort());
      }
    }
  }
  return components.map((component) => shortestCycle(graph, component));
}

/** A shortest cycle through the component's first file, by breadth-first search inside the component. */
function shortestCycle(graph: Map<string, string[]>, component: string[]): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const to of graph.get(node) ?? []) {
      if (!inside.has(to)) continue;
      if (to === start) {
        const back: string[] = [];
        for (let at = node; at !== start; at = previous.get(at)!) back.push(at);
        return [start, ...back.reverse(), start];
      }
      if (!previous.has(to)) { previous.set(to, node); queue.push(to); }
    }
  }
  return [...component, start];
}
