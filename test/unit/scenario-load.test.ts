import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ScenarioError, UsageError } from '../../src/errors.ts';
import { loadScenarios, selectScenarios, validateScenario } from '../../src/scenario/load.ts';

describe('scenario loader', () => {
  it('loads every scenario module and names it by its file', async () => {
    const all = await loadScenarios();
    assert.ok(all.length >= 20);
    assert.ok(all.some((s) => s.id === 'recent-failures'));
    for (const s of all) assert.ok(s.definition.spec.length > 0, s.id);
  });

  it('the documented SQL is the spec text with ? replaced by $n (no ? left)', async () => {
    for (const s of await loadScenarios()) assert.doesNotMatch(s.definition.documented.sql, /\?/, s.id);
  });

  it('a malformed module names the file and what was expected', () => {
    assert.throws(
      () => validateScenario({ title: 'x', spec: 's', kind: 'read', documented: { params: () => [] } }, 'scenarios/x.ts', 'x'),
      (e: unknown) => e instanceof ScenarioError && /Invalid scenario 'scenarios\/x.ts': expected documented.sql \(string\), received undefined/.test(e.message),
    );
    assert.throws(() => validateScenario(undefined, 'scenarios/y.ts', 'y'), /expected a default export/);
  });

  it('selects by exact id, glob and comma list', async () => {
    const all = await loadScenarios();
    assert.deepEqual(selectScenarios(all, ['recent-failures']).map((s) => s.id), ['recent-failures']);
    assert.equal(selectScenarios(all, ['status-filtered-*']).length, 4);
    assert.equal(selectScenarios(all, ['recent-failures,sparkline-7d']).length, 2);
    assert.equal(selectScenarios(all, []).length, all.length);
  });

  it('an unknown name or an empty glob match is a usage error listing what exists', async () => {
    const all = await loadScenarios();
    assert.throws(() => selectScenarios(all, ['nope']), (e: unknown) => e instanceof UsageError && /Unknown scenario 'nope'. Available: .*recent-failures/.test(e.message));
    assert.throws(() => selectScenarios(all, ['zzz*']), /No scenario matches the glob 'zzz\*'/);
  });
});
