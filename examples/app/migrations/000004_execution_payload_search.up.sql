-- "Find runs whose trigger payload contains ..." (the run search box): not in the index document, our own.
-- CONCURRENTLY because the table is large in production; golang-migrate does not wrap a file in a
-- transaction, so this is allowed.
CREATE INDEX CONCURRENTLY executions_payload_search_idx
    ON executions USING gin (data jsonb_path_ops);
