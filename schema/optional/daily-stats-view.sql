-- Optional (spec "Scaling Beyond 1M Executions", Option 2): the daily-stats materialized view, as written.
CREATE MATERIALIZED VIEW execution_stats_daily AS
SELECT
    tenant_id,
    environment_id,
    DATE(started_at) AS date,
    COUNT(*) AS total_executions,
    COUNT(*) FILTER (WHERE normalized_status = 'success') AS success_count,
    COUNT(*) FILTER (WHERE normalized_status = 'error') AS error_count,
    PERCENTILE_CONT(0.95) WITHIN GROUP (ORDER BY duration_ms) AS p95_duration
FROM executions
WHERE started_at IS NOT NULL
GROUP BY tenant_id, environment_id, DATE(started_at);

CREATE INDEX idx_execution_stats_daily_tenant_date
ON execution_stats_daily(tenant_id, date DESC);
