// The container provider against a real Docker engine: start, seed, run, stop; settings and limits inside
// the container; the fallback when the image is absent; no container or volume left after a success, a
// failed start, or SIGINT/SIGTERM in the middle of seeding. Runs where an engine answers and
// EXECBENCH_TEST_IMAGE names an image present on it (`.ci/run` builds localpg:15); skipped, with the
// reason, otherwise.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { ContainerRuntimeClient } from 'testcontainers';
import { resolveProviderOptions } from '../../src/config.ts';
import { detectContainerRuntime, ensureImage, EXECBENCH_LABEL, startContainer } from '../../src/db/container.ts';
import { provideDatabase } from '../../src/db/select.ts';
import { DatabaseError } from '../../src/errors.ts';
import { runScenariosAtScale } from '../../src/runner/run-scenarios.ts';
import { loadScenarios, selectScenarios } from '../../src/scenario/load.ts';
import { ensureDataset } from '../../src/seed/dataset.ts';
import { parseScale } from '../../src/seed/scale.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = process.env.EXECBENCH_TEST_IMAGE?.trim() ?? '';

let client: ContainerRuntimeClient | undefined;
let skip: string | false = 'not probed yet';
before(async () => {
  if (!IMAGE) {
    skip = process.env.EXECBENCH_TEST_IMAGE_SKIP_REASON?.trim() || 'EXECBENCH_TEST_IMAGE is not set (name a local postgres image, e.g. localpg:15)';
    return;
  }
  const probe = await detectContainerRuntime(5000);
  if (!probe.available) { skip = `no Docker engine: ${probe.why}`; return; }
  client = probe.client;
  const present = await client.image.exists((await import('testcontainers')).ImageName.fromString(IMAGE));
  skip = present ? false : `EXECBENCH_TEST_IMAGE=${IMAGE} is not present on the engine`;
});

/** Ids of execbench's containers (any state) and of all volumes: what a leak would add to. */
async function leftovers(): Promise<{ containers: string[]; volumes: string[] }> {
  const docker = client!.container.dockerode;
  const containers = await docker.listContainers({ all: true, filters: { label: [EXECBENCH_LABEL] } });
  const { Volumes } = await docker.listVolumes();
  return { containers: containers.map((c) => c.Id).sort(), volumes: (Volumes ?? []).map((v) => v.Name).sort() };
}

const quietOptions = (flags: Parameters<typeof resolveProviderOptions>[0]) => resolveProviderOptions(flags, {}, () => {});

describe('container provider (real Docker engine)', () => {
  it('starts the image, seeds, runs a subset with the documented index, and removes the container and its volumes on stop', async (t) => {
    if (skip) return t.skip(skip);
    const before = await leftovers();
    const db = await startContainer({ image: IMAGE, log: () => {} });
    try {
      assert.equal(db.kind, 'container');
      assert.ok(db.containerId);
      const dataset = await ensureDataset(db, {
        scale: parseScale('2000'), seed: 1, indexBuild: 'after', fresh: false, optional: { coveringIndex: false, dailyStats: false },
      });
      assert.equal(dataset.counts.focusRows, 2000);
      const scenarios = selectScenarios(await loadScenarios(), ['recent-failures', 'single-execution-lookup']);
      const run = await runScenariosAtScale({ connectionString: db.connectionString, dataset, scenarios, budgetMs: 100, log: () => {} });
      const failures = run.results.find((r) => r.scenarioId === 'recent-failures');
      // The plan contract, not the latency: a busy machine may miss a threshold, never the index.
      const violations = failures?.outcome.status === 'failed' ? failures.outcome.violations.filter((v) => v.kind !== 'threshold') : [];
      assert.ok(failures?.outcome.status === 'passed' || (failures?.outcome.status === 'failed' && violations.length === 0), JSON.stringify(failures?.outcome));
      assert.ok(failures?.plan?.indexes.some((u) => u.index === 'idx_executions_tenant_env_failed_started'));
    } finally {
      await db.stop();
    }
    assert.deepEqual(await leftovers(), before, 'no container or volume of this start is left');
  });

  it('applies every server setting inside the container, shows --cpus 1.5 --memory 1024 in its inspect data, and offers pg_stat_statements', async (t) => {
    if (skip) return t.skip(skip);
    const db = await startContainer({ image: IMAGE, cpus: 1.5, memoryMb: 1024 });
    try {
      const inspect = await client!.container.dockerode.getContainer(db.containerId!).inspect();
      assert.equal(inspect.HostConfig.NanoCpus, 1.5e9);
      assert.equal(inspect.HostConfig.Memory, 1024 * 1024 * 1024);
      assert.equal(db.appliedSettings.shared_buffers, '256MB', 'below 8 GB the memory settings shrink in proportion');
      const c = new pg.Client({ connectionString: db.connectionString });
      await c.connect();
      try {
        for (const [name, value] of Object.entries(db.appliedSettings)) {
          const { rows } = await c.query<{ v: string }>('SELECT current_setting($1) AS v', [name]);
          assert.equal(rows[0]!.v, value, name);
        }
        // shared_preload_libraries=pg_stat_statements (in SERVER_SETTINGS or not) needs the library in the image.
        const { rowCount } = await c.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'`);
        assert.equal(rowCount, 1, 'pg_stat_statements is installed in the image');
      } finally {
        await c.end();
      }
    } finally {
      await db.stop();
    }
  });

  it('auto with an image that is absent and cannot be pulled falls back to embedded, saying why in one sentence', async (t) => {
    if (skip) return t.skip(skip);
    // Under /var/tmp: as root the postgres OS user must be able to enter every parent folder.
    const cacheDir = mkdtempSync(path.join(os.platform() === 'linux' ? '/var/tmp' : os.tmpdir(), 'execbench-fallback-'));
    const absent = 'execbench-test-absent:0';
    try {
      assert.deepEqual(await ensureImage(client!, absent, 20_000).then((a) => a.available), false);
      const db = await provideDatabase(quietOptions({ cacheDir, image: absent }));
      try {
        assert.equal(db.kind, 'embedded');
        assert.match(db.reason, new RegExp(`^no database URL was given and Docker answered but ${absent} is not present and cannot be pulled \\(.+\\), so execbench started its embedded Postgres 17`));
        assert.ok(!db.reason.includes('\n'));
      } finally {
        await db.stop();
      }
      await assert.rejects(provideDatabase(quietOptions({ cacheDir, image: absent, provider: 'container' })), (e: unknown) =>
        e instanceof DatabaseError && !e.message.includes('\n') && e.message.startsWith(`The Postgres image ${absent} is not present on the Docker engine`));
    } finally {
      rmSync(cacheDir, { recursive: true, force: true });
    }
  });

  it('a start that fails (its port is taken) names the port and leaves no container behind', async (t) => {
    if (skip) return t.skip(skip);
    const before = await leftovers();
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen({ port: 0, host: '0.0.0.0' }, resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      await assert.rejects(startContainer({ image: IMAGE, port }), (e: unknown) =>
        e instanceof DatabaseError && e.message === `Port ${port} is already in use. Pick another with --port, or omit --port to use a free one.`);
    } finally {
      blocker.close();
    }
    assert.deepEqual(await leftovers(), before);
  });

  it('execbench db keeps a container up until Ctrl-C, with the extensions a run reads created, then removes it (exit 0)', async (t) => {
    if (skip) return t.skip(skip);
    const before = await leftovers();
    // As the CI workflow runs it: node bin/execbench.js db --provider container, in the background.
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/execbench.js'), 'db', '--provider', 'container', '--image', IMAGE], {
      cwd: ROOT, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL within 120 s:\n${stderr}`)), 120_000);
      child.stdout.on('data', (chunk: Buffer) => {
        stdout += chunk.toString();
        const m = /^(postgres:\/\/\S+)$/m.exec(stdout);
        if (m && stdout.includes('Ctrl-C')) { clearTimeout(timer); resolve(m[1]!); }
      });
      child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`execbench db exited (${code}) before it was up:\n${stderr}`)); });
    });
    // Still up a few seconds later (it used to exit at once, leaving the container behind), and serving.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    assert.equal(child.exitCode, null, `execbench db is still running; stderr:\n${stderr}`);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    try {
      const { rows } = await c.query<{ extname: string }>(`SELECT extname FROM pg_extension WHERE extname IN ('pg_stat_statements', 'pgstattuple') ORDER BY 1`);
      assert.deepEqual(rows.map((r) => r.extname), ['pg_stat_statements', 'pgstattuple']);
    } finally {
      await c.end();
    }
    child.kill('SIGINT');
    assert.equal(await exited, 0, stderr);
    assert.deepEqual(await leftovers(), before);
  });

  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    it(`${signal} in the middle of seeding stops execbench with exit ${signal === 'SIGINT' ? 130 : 143} and leaves no container or volume`, async (t) => {
      if (skip) return t.skip(skip);
      const before = await leftovers();
      const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src/cli.ts'), 'seed', '--provider', 'container', '--image', IMAGE, '--scale', '300000', '--fresh'], {
        cwd: ROOT, env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`seeding never started:\n${stderr}`)), 120_000);
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          // The COPY is under way: rows are flowing into the container.
          if (/seed: [\d,]+ \/ /.test(stderr)) { clearTimeout(timer); resolve(); }
        });
        child.on('exit', () => { clearTimeout(timer); reject(new Error(`execbench exited before seeding:\n${stderr}`)); });
      });
      child.kill(signal);
      assert.equal(await exited, signal === 'SIGINT' ? 130 : 143, stderr);
      assert.match(stderr, new RegExp(`${signal} received: stopping the Postgres container execbench started`));
      assert.deepEqual(await leftovers(), before);
    });
  }
});
