-- The executions table as our application stores it (one row per workflow run).
CREATE TABLE executions (
    id                uuid        PRIMARY KEY,
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
);
