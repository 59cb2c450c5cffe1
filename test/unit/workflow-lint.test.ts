// .github/workflows/bench.yml is checked here, by a maintained workflow linter (@action-validator/cli:
// GitHub's workflow schema, offline), so a broken workflow fails `npm test`, not a user's first pull request.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WORKFLOW = path.join(ROOT, '.github/workflows/bench.yml');
const LINTER = path.join(ROOT, 'node_modules/@action-validator/cli/cli.mjs');

function lint(file: string) {
  const r = spawnSync(process.execPath, [LINTER, file], { encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

test('.github/workflows/bench.yml passes the workflow linter', () => {
  const r = lint(WORKFLOW);
  assert.equal(r.code, 0, `action-validator rejected ${path.relative(ROOT, WORKFLOW)}:\n${r.output}`);
});

test('the linter rejects a workflow with a misspelled key (so the check above can fail)', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'execbench-workflow-'));
  try {
    const broken = path.join(dir, 'bench.yml');
    writeFileSync(broken, readFileSync(WORKFLOW, 'utf8').replace('runs-on: ubuntu-latest', 'runs_on: ubuntu-latest'));
    const r = lint(broken);
    assert.notEqual(r.code, 0);
    assert.match(r.output, /runs_on/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the pull-request job runs execbench ab (base and head interleaved); two runs on its runner only where ab cannot interleave, the cached baseline last', () => {
  const text = readFileSync(WORKFLOW, 'utf8');
  assert.match(text, /fetch-depth: 0/);
  assert.match(text, /npx execbench ab --base "\$BASE_SHA" --head HEAD/);
  assert.match(text, /BASE_SHA: \$\{\{ github\.event\.pull_request\.base\.sha \}\}/);
  assert.match(text, /if \[ "\$code" -eq 3 \]/);
  assert.match(text, /--baseline "\$GITHUB_WORKSPACE\/reports\/base\/results\.json"/);
  assert.match(text, /name: Fall back to the baseline cached from main\n\s+if: steps\.ab\.outputs\.code == '3' && steps\.base-run\.outcome != 'success'/);
});
