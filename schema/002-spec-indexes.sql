-- Every index of the spec's "Index Inventory", exactly as written there: same names, columns,
-- sort directions, predicates and uniqueness. Do not improve them here: execbench exists to test
-- the document as written. executions_pkey (§1) is created with the table.

-- §2 Pagination Indexes
CREATE INDEX idx_executions_tenant_env_started
ON executions(tenant_id, environment_id, started_at DESC)
WHERE started_at IS NOT NULL;

CREATE INDEX idx_executions_tenant_env_workflow_started
ON executions(tenant_id, environment_id, workflow_id, started_at DESC)
WHERE started_at IS NOT NULL;

CREATE INDEX idx_executions_tenant_env_status_started
ON executions(tenant_id, environment_id, normalized_status, started_at DESC)
WHERE normalized_status IS NOT NULL AND started_at IS NOT NULL;

-- §3 Error Tracking Index
CREATE INDEX idx_executions_tenant_env_failed_started
ON executions(tenant_id, environment_id, started_at DESC)
WHERE normalized_status = 'error';

-- §4 Analytics Indexes
CREATE INDEX idx_executions_tenant_started_asc
ON executions(tenant_id, started_at ASC)
WHERE started_at IS NOT NULL;

-- §5 Retention Cleanup Indexes
CREATE INDEX idx_executions_retention_cleanup
ON executions(tenant_id, started_at)
WHERE started_at IS NOT NULL;

CREATE INDEX idx_executions_null_started_at
ON executions(tenant_id, created_at)
WHERE started_at IS NULL;

-- §6 Idempotent Ingestion Index
CREATE UNIQUE INDEX idx_executions_unique_tenant_env_execution
ON executions(tenant_id, environment_id, execution_id)
WHERE execution_id IS NOT NULL;
