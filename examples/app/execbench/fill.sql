-- Synthetic rows for the CI database, loaded after the migrations. Deterministic (no random(), no now()), so
-- every run plans the same table.
--
-- Why a CI database needs rows at all: the planner chooses each plan from the table's statistics. An empty
-- table execbench refuses to judge; on a few hundred rows reading the whole table is the cheapest plan for the
-- range queries, so their "uses index X" checks fail for a reason production does not have. 60,000 rows over
-- 83 days with a production-like shape (one busy tenant, a popular workflow, 6% failures) and an ANALYZE give
-- the planner statistics under which it picks the index scans a large table gets. Make the shape yours: the
-- tenants, workflows and statuses of your own traffic. A plan can still differ between 60,000 rows and 60
-- million: `--plans-only` against a read replica checks production's own.
INSERT INTO executions (id, tenant_id, environment_id, workflow_id, workflow_name, execution_id, status,
                        normalized_status, mode, started_at, finished_at, duration_ms, created_at, error_message, data)
SELECT md5('execution' || i)::uuid,
       md5('tenant' || t)::uuid,
       md5('environment' || t || env)::uuid,
       md5('workflow' || t || wf)::uuid,
       'Workflow ' || t || '-' || wf,
       CASE WHEN i % 100 = 0 THEN NULL ELSE 'engine-' || i END,
       s, s,
       (ARRAY['trigger', 'webhook', 'manual', 'retry', 'schedule'])[1 + i % 5],
       started,
       CASE WHEN s IN ('success', 'error') THEN started + (i % 9000) * interval '1 millisecond' END,
       CASE WHEN s IN ('success', 'error') AND started IS NOT NULL THEN i % 9000 END,
       timestamptz '2026-11-20 00:00:00+00' - i * interval '2 minutes' - interval '1 second',
       CASE WHEN s = 'error' THEN 'Node "HTTP Request" failed: 502' END,
       jsonb_build_object('trigger', 'webhook', 'attempt', 1 + i % 3)
  FROM generate_series(1, 60000) AS g(i)
  -- Tenant 1 has 70% of the runs, 3 of 4 in production; workflow numbers skewed so one is popular.
  CROSS JOIN LATERAL (SELECT CASE WHEN i % 10 < 7 THEN 1 WHEN i % 10 < 9 THEN 2 ELSE 3 END AS t,
                             CASE WHEN i % 4 = 0 THEN 'staging' ELSE 'production' END AS env,
                             floor(sqrt((i * 7919) % 400))::int AS wf,
                             -- (i / 10), not i: every tenant gets every status.
                             CASE WHEN (i / 10) % 100 < 6 THEN 'error' WHEN (i / 10) % 100 < 7 THEN 'running'
                                  WHEN (i / 10) % 100 < 8 THEN 'waiting' ELSE 'success' END AS s,
                             -- One run in 10,000 never started (started_at NULL), as in production.
                             CASE WHEN i % 10000 = 5 THEN NULL
                                  ELSE timestamptz '2026-11-20 00:00:00+00' - i * interval '2 minutes' END AS started) x;

ANALYZE executions;
