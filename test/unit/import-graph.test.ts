import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { findCircles, importGraph, relativeImports } from '../support/import-graph.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

describe('the import graph of src/', () => {
  it('has no circle, through run-time or type-only imports', () => {
    const graph = importGraph(SRC);
    assert.ok(graph.size > 100, `read ${graph.size} files`);
    const circles = findCircles(graph);
    assert.deepEqual(circles.map((c) => c.join(' -> ')), [], 'each line is a circle: move the shared part to a file both can import');
  });

  it('reads every form of import, and no commented-out one', () => {
    const source = [
      "import { a } from './a.ts';",
      "import type { B } from '../b.ts';",
      "export { c } from './c.ts';",
      "export type { D } from './d.ts';",
      "export * from './e.ts';",
      "const f = await import('./f.ts');",
      "type G = typeof import('./g.ts');",
      "import './h.ts';",
      "import {\n  i,\n  type I,\n} from './i.ts';",
      "// import { x } from './commented.ts';",
      "/* import { y } from './block.ts'; */",
      "import { z } from 'node:path';",
    ].join('\n');
    assert.deepEqual(relativeImports(source), ['./a.ts', '../b.ts', './c.ts', './d.ts', './e.ts', './f.ts', './g.ts', './h.ts', './i.ts']);
  });

  it('finds a two-file circle, a longer one and a self-import, and passes a graph without one', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']], ['b.ts', ['a.ts', 'c.ts']], ['c.ts', []],
      ['d.ts', ['e.ts']], ['e.ts', ['f.ts']], ['f.ts', ['d.ts']],
      ['g.ts', ['g.ts']],
    ]);
    assert.deepEqual(findCircles(graph).map((c) => c.join(' -> ')).sort(), ['a.ts -> b.ts -> a.ts', 'd.ts -> e.ts -> f.ts -> d.ts', 'g.ts -> g.ts']);
    assert.deepEqual(findCircles(new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', []]])), []);
  });
});
