-- The two database functions the spec names but does not print. Their bodies are execbench's:
-- written the way PostgreSQL accepts them (see the spec findings for the forms it does not).

-- §6 upsert_execution(): idempotent ingestion. The conflict target must repeat the partial
-- unique index's predicate (WHERE execution_id IS NOT NULL) or PostgreSQL finds no arbiter index.
CREATE FUNCTION upsert_execution(
    p_id uuid, p_tenant_id uuid, p_environment_id uuid, p_workflow_id uuid, p_workflow_name text,
    p_execution_id text, p_status text, p_normalized_status text, p_mode text,
    p_started_at timestamptz, p_finished_at timestamptz, p_duration_ms integer,
    p_error_message text DEFAULT NULL, p_data jsonb DEFAULT '{}'::jsonb
) RETURNS uuid
LANGUAGE sql AS $$
    INSERT INTO executions AS e (id, tenant_id, environment_id, workflow_id, workflow_name, execution_id,
                                 status, normalized_status, mode, started_at, finished_at, duration_ms,
                                 created_at, updated_at, error_message, data)
    VALUES (p_id, p_tenant_id, p_environment_id, p_workflow_id, p_workflow_name, p_execution_id,
            p_status, p_normalized_status, p_mode, p_started_at, p_finished_at, p_duration_ms,
            now(), now(), p_error_message, p_data)
    ON CONFLICT (tenant_id, environment_id, execution_id) WHERE execution_id IS NOT NULL
    DO UPDATE SET status = EXCLUDED.status,
                  normalized_status = EXCLUDED.normalized_status,
                  finished_at = EXCLUDED.finished_at,
                  duration_ms = EXCLUDED.duration_ms,
                  error_message = EXCLUDED.error_message,
                  data = EXCLUDED.data,
                  updated_at = now()
    RETURNING e.id;
$$;

-- §5 cleanup_old_executions(): retention in batches of 1000, each batch picked through
-- idx_executions_retention_cleanup (DELETE has no ORDER BY/LIMIT in PostgreSQL, so a batch is
-- chosen by a sub-select). A function runs in its caller's transaction; callers that want a
-- short transaction per batch call it with p_max_batches => 1 in a loop.
CREATE FUNCTION cleanup_old_executions(
    p_tenant_id uuid, p_cutoff timestamptz, p_batch_size integer DEFAULT 1000, p_max_batches integer DEFAULT NULL
) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    v_total bigint := 0;
    v_batch bigint;
    v_batches integer := 0;
BEGIN
    IF p_batch_size IS NULL OR p_batch_size < 1 THEN
        RAISE EXCEPTION 'cleanup_old_executions: p_batch_size must be >= 1, got %', p_batch_size;
    END IF;
    LOOP
        DELETE FROM executions
        WHERE id IN (
            SELECT id FROM executions
            WHERE tenant_id = p_tenant_id AND started_at < p_cutoff
            ORDER BY started_at ASC
            LIMIT p_batch_size
        );
        GET DIAGNOSTICS v_batch = ROW_COUNT;
        v_total := v_total + v_batch;
        v_batches := v_batches + 1;
        EXIT WHEN v_batch < p_batch_size OR (p_max_batches IS NOT NULL AND v_batches >= p_max_batches);
    END LOOP;
    RETURN v_total;
END;
$$;
