-- Retention cleanup and analytics both walk one tenant's runs by started_at: one index serves both
-- (the index document creates two identical ones).
CREATE INDEX executions_tenant_started_idx
    ON executions (tenant_id, started_at) WHERE started_at IS NOT NULL;
-- Runs that never started are cleaned up by created_at.
CREATE INDEX idx_executions_null_started_at
    ON executions (tenant_id, created_at) WHERE started_at IS NULL;
-- Ingestion is idempotent on the engine's own id.
CREATE UNIQUE INDEX executions_engine_execution_uq
    ON executions (tenant_id, environment_id, execution_id) WHERE execution_id IS NOT NULL;
