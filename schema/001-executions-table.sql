-- The executions table of ../shared/spec/execution-indexes.md.
-- Every column the spec's queries, indexes and functions use, plus the columns a real
-- workflow-execution record carries, so rows have production-like width (~300 bytes).
-- Objects are created unqualified: execbench sets search_path to its own dataset schema.
CREATE TABLE executions (
    id                uuid        NOT NULL,
    tenant_id         uuid        NOT NULL,
    environment_id    uuid        NOT NULL,
    workflow_id       uuid        NOT NULL,
    workflow_name     text        NOT NULL,
    execution_id      text,                       -- the engine's own id; unique per (tenant, environment)
    status            text        NOT NULL,       -- raw engine status (success, error, crashed, running, waiting, new, canceled)
    normalized_status text,                       -- success | error | running | waiting; NULL on legacy rows
    mode              text        NOT NULL,       -- trigger | webhook | manual | retry | schedule
    started_at        timestamptz,                -- NULL when the execution never started (~0.01%)
    finished_at       timestamptz,
    duration_ms       integer,                    -- NULL while unfinished
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    error_message     text,
    data              jsonb       NOT NULL DEFAULT '{}'::jsonb,
    CONSTRAINT executions_pkey PRIMARY KEY (id)
);
