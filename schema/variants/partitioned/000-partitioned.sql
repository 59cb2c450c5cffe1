-- execbench-variant: table
-- execbench-partition: month
-- The spec's "Option 1: Table Partitioning" on a real table: executions PARTITION BY RANGE (started_at), one partition
-- per month of the dataset (execbench creates them from the rows' range, plus the month after and a DEFAULT
-- partition), the same rows copied in. Its indexes are the recommended variant's, so a comparison with `recommended`
-- measures the layout alone; where PostgreSQL forces a change, the why says what it costs.
-- pg_partman is not used: the embedded servers do not ship it, and creating a month's partition is one statement
-- execbench runs itself; a production table would need it (or a cron job) to create next month's partition in time.

-- why: A range partition cannot hold a NULL key, so the never-started rows (started_at IS NULL, about 0.01%) can only live in the DEFAULT partition; and no PRIMARY KEY is possible, since it would have to include started_at, which is nullable.
CREATE TABLE executions (
    id                uuid        NOT NULL,
    tenant_id         uuid        NOT NULL,
    environment_id    uuid        NOT NULL,
    workflow_id       uuid        NOT NULL,
    workflow_name     text        NOT NULL,
    execution_id      text,
    status            text        NOT NULL,
    normalized_status text,
    mode              text        NOT NULL,
    started_at        timestamptz,
    finished_at       timestamptz,
    duration_ms       integer,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    error_message     text,
    data              jsonb       NOT NULL DEFAULT '{}'::jsonb
) PARTITION BY RANGE (started_at);

-- why: A unique index on a partitioned table must include the partition key, so id alone is unique only per partition: (id, started_at) is the most the layout can enforce, and a lookup by id alone probes every partition.
CREATE UNIQUE INDEX executions_id_started_at_key
ON executions(id, started_at);

-- why: As in the recommended variant: the documented listing query has no "started_at IS NOT NULL", so a full index serves it as written.
CREATE INDEX idx_executions_tenant_env_started
ON executions(tenant_id, environment_id, started_at DESC);

-- why: As in the recommended variant, for the workflow filter.
CREATE INDEX idx_executions_tenant_env_workflow_started
ON executions(tenant_id, environment_id, workflow_id, started_at DESC);

-- why: As in the recommended variant: the status filter, legacy NULL-status rows left out.
CREATE INDEX idx_executions_tenant_env_status_started
ON executions(tenant_id, environment_id, normalized_status, started_at DESC)
WHERE normalized_status IS NOT NULL;

-- why: The spec's recent-failures index, unchanged.
CREATE INDEX idx_executions_tenant_env_failed_started
ON executions(tenant_id, environment_id, started_at DESC)
WHERE normalized_status = 'error';

-- why: The spec's retention index, which also serves the sparkline (the recommended variant drops its duplicate).
CREATE INDEX idx_executions_retention_cleanup
ON executions(tenant_id, started_at)
WHERE started_at IS NOT NULL;

-- why: The spec's index for never-started rows; on this layout all of them are in the DEFAULT partition.
CREATE INDEX idx_executions_null_started_at
ON executions(tenant_id, created_at)
WHERE started_at IS NULL;

-- why: The idempotency key must include the partition key too, so ON CONFLICT (tenant_id, environment_id, execution_id) finds no arbiter, and an execution delivered again with a different started_at (NULL at first, set later) is a second row.
CREATE UNIQUE INDEX idx_executions_unique_tenant_env_execution
ON executions(tenant_id, environment_id, execution_id, started_at);

-- why: The covering index of the percentile query, as in the recommended variant.
CREATE INDEX idx_executions_tenant_started_duration
ON executions(tenant_id, started_at, duration_ms)
WHERE duration_ms IS NOT NULL;
