-- Optional (spec "Index Strategy Principles" §4): covering index for percentile queries, as written.
CREATE INDEX idx_executions_tenant_started_duration
ON executions(tenant_id, started_at, duration_ms)
WHERE duration_ms IS NOT NULL;
