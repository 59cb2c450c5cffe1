-- The run lists of the UI: per environment, per workflow, per status, failures only.
CREATE INDEX executions_env_recent_idx
    ON executions (tenant_id, environment_id, started_at DESC) WHERE started_at IS NOT NULL;
CREATE INDEX executions_workflow_recent_idx
    ON executions (tenant_id, environment_id, workflow_id, started_at DESC) WHERE started_at IS NOT NULL;
CREATE INDEX executions_status_recent_idx
    ON executions (tenant_id, environment_id, normalized_status, started_at DESC)
    WHERE normalized_status IS NOT NULL AND started_at IS NOT NULL;
CREATE INDEX executions_failed_recent_idx
    ON executions (tenant_id, environment_id, started_at DESC) WHERE normalized_status = 'error';
