-- The canary (spec section 8): V1 against V2 over recent shadow inputs plus the golden datasets, judged, persisted,
-- and reported to the breaker. run_canary() runs one in the caller's transaction; request_canary() (what the
-- pg_cron job calls) queues one for the leader background worker, which runs it in its own transactions.
-- New in 0.4.

CREATE TYPE costsim.canary_status AS ENUM ('running', 'passed', 'failed', 'inconclusive', 'skipped', 'interrupted',
                                           'error');
COMMENT ON TYPE costsim.canary_status IS
    'running; passed or failed (judged); inconclusive (too few samples); skipped (another canary was running); interrupted (its worker died); error (it raised)';

CREATE TABLE costsim.canary_requests (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    requested_at     timestamptz NOT NULL DEFAULT now(),
    requested_by     text NOT NULL,
    sample_count     integer NOT NULL CHECK (sample_count BETWEEN 0 AND 100000),
    drift_threshold  double precision CHECK (drift_threshold > 0 AND drift_threshold <= 1),
    trial            boolean NOT NULL DEFAULT false,
    status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'running', 'done', 'interrupted')),
    worker_pid       integer,
    started_at       timestamptz,
    finished_at      timestamptz
);
CREATE INDEX canary_requests_pending ON costsim.canary_requests (id) WHERE status = 'pending';
COMMENT ON TABLE costsim.canary_requests IS
    'Canaries asked of the background worker (by pg_cron through request_canary(), or by the breaker''s half-open trial); the leader runs them in order';
COMMENT ON COLUMN costsim.canary_requests.trial IS 'The half-open trial of the breaker: golden datasets only';
COMMENT ON COLUMN costsim.canary_requests.status IS
    'pending, running (claimed by the worker whose pid is worker_pid), done, interrupted (that worker died: the request is not run again)';
COMMENT ON INDEX costsim.canary_requests_pending IS 'The queue of requests not yet claimed';

CREATE TABLE costsim.canary_reports (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    request_id           bigint REFERENCES costsim.canary_requests (id),
    status               costsim.canary_status NOT NULL DEFAULT 'running',
    started_at           timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at          timestamptz,
    as_of                timestamptz NOT NULL,
    requested_samples    integer NOT NULL,
    drift_threshold      double precision NOT NULL,
    model_version        text NOT NULL,
    run_by               text NOT NULL,
    sample_count         integer,
    shadow_samples       integer,
    golden_samples       integer,
    match_count          integer,
    minor_drift_count    integer,
    major_drift_count    integer,
    mismatch_count       integer,
    v2_error_count       integer,
    outlier_count        integer,
    delta_p50            double precision,
    delta_p90            double precision,
    statistics           costsim.drift_report,
    golden               jsonb,
    passed               boolean,
    failure_reasons      text[] NOT NULL DEFAULT '{}',
    diff_artifact_count  integer,
    breaker_state        costsim.breaker_state,
    error                text
);
CREATE INDEX canary_reports_finished ON costsim.canary_reports (finished_at);
COMMENT ON TABLE costsim.canary_reports IS
    'One row per canary: what it compared (as_of, samples, model, drift threshold), the counts, |cost delta| p50/p90, the divergence statistics, the golden datasets'' verdicts, passed and why not';
COMMENT ON COLUMN costsim.canary_reports.as_of IS
    'The canary''s time: recent shadow inputs are those of the 7 days before it';
COMMENT ON COLUMN costsim.canary_reports.requested_samples IS 'At most this many recent shadow inputs (distinct, newest first)';
COMMENT ON COLUMN costsim.canary_reports.sample_count IS
    'Samples compared: shadow_samples + golden_samples, less those V1 itself refused';
COMMENT ON COLUMN costsim.canary_reports.major_drift_count IS 'Samples judged major_drift (mismatches are counted apart)';
COMMENT ON COLUMN costsim.canary_reports.v2_error_count IS 'Samples on which V2 raised an error (judged as mismatches)';
COMMENT ON COLUMN costsim.canary_reports.outlier_count IS 'Samples with a drift score over 0.5, or a V2 error';
COMMENT ON COLUMN costsim.canary_reports.delta_p50 IS 'Median |V2 - V1| cost, cents';
COMMENT ON COLUMN costsim.canary_reports.delta_p90 IS '90th percentile of |V2 - V1| cost, cents';
COMMENT ON COLUMN costsim.canary_reports.statistics IS
    'The divergence report (spec section 6) of the compared samples: KL with its noise floor, PSI, JS, KS, Wasserstein';
COMMENT ON COLUMN costsim.canary_reports.golden IS
    'Per golden dataset: id, version, content_sha256, V2 verdict and drift score, the dataset_validations row';
COMMENT ON COLUMN costsim.canary_reports.passed IS 'true or false once judged; NULL when inconclusive, skipped, interrupted or in error';
COMMENT ON COLUMN costsim.canary_reports.failure_reasons IS
    'Why it failed (KL above threshold and noise floor, outliers > 5 %, major drift or mismatch > 10 %, a golden dataset not acceptable), or why it is inconclusive';
COMMENT ON COLUMN costsim.canary_reports.breaker_state IS 'The V2 breaker''s state once the canary had informed it';
COMMENT ON INDEX costsim.canary_reports_finished IS 'Reports by time (the latest canary, canary freshness)';

-- A canary's diff artifacts sit with the shadow path's: provenance_id for those, canary_id for these.
ALTER TABLE costsim.diff_artifacts
    ALTER COLUMN provenance_id DROP NOT NULL,
    ADD COLUMN canary_id bigint REFERENCES costsim.canary_reports (id),
    ADD CONSTRAINT diff_artifacts_one_origin CHECK (num_nonnulls(provenance_id, canary_id) = 1);
CREATE INDEX diff_artifacts_canary ON costsim.diff_artifacts (canary_id) WHERE canary_id IS NOT NULL;
COMMENT ON COLUMN costsim.diff_artifacts.provenance_id IS 'The costsim.provenance row of a shadow comparison';
COMMENT ON COLUMN costsim.diff_artifacts.canary_id IS
    'The canary whose sample this was (run_id canary-<id>; golden samples have tenant _system)';
COMMENT ON INDEX costsim.diff_artifacts_canary IS 'Artifacts by canary';

ALTER TABLE costsim.dataset_validations
    ADD CONSTRAINT dataset_validations_canary FOREIGN KEY (canary_id) REFERENCES costsim.canary_reports (id);

SELECT pg_catalog.pg_extension_config_dump('costsim.canary_requests', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.canary_reports', '');

-- Internal: the judgement of a canary's counts, KL and golden verdicts (extension/core/canary.hpp).
CREATE FUNCTION costsim.judge_canary(
    match_count integer, minor_drift_count integer, major_drift_count integer, mismatch_count integer,
    v2_error_count integer, outlier_count integer, kl costsim.drift_report, golden_datasets text[],
    golden_acceptable boolean[],
    OUT status costsim.canary_status, OUT failure_reasons text[]
)
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'costsim_judge_canary';
COMMENT ON FUNCTION costsim.judge_canary(integer, integer, integer, integer, integer, integer, costsim.drift_report,
                                         text[], boolean[]) IS
    'Internal: passed, failed or inconclusive, and why, under costsim.canary_min_samples and costsim.canary_kl_threshold';

-- Internal: the rules of a canary's parameters (22023 naming the caller).
CREATE FUNCTION costsim.check_canary_arguments(caller text, sample_count integer, drift_threshold double precision)
    RETURNS void
    LANGUAGE plpgsql IMMUTABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF sample_count IS NULL OR sample_count NOT BETWEEN 0 AND 100000 THEN
        RAISE EXCEPTION '%: sample_count must be between 0 and 100000', caller USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF drift_threshold IS NOT NULL AND NOT (drift_threshold > 0 AND drift_threshold <= 1) THEN
        RAISE EXCEPTION '%: drift_threshold must be in (0, 1]', caller USING ERRCODE = 'invalid_parameter_value';
    END IF;
END
$$;
COMMENT ON FUNCTION costsim.check_canary_arguments(text, integer, double precision) IS
    'Internal: 22023 unless sample_count is 0..100000 and drift_threshold NULL or in (0, 1]';

-- Internal: a canary report in state running, its parameters checked and resolved.
CREATE FUNCTION costsim.open_canary_report(sample_count integer, drift_threshold double precision,
                                           as_of timestamptz, request bigint DEFAULT NULL)
    RETURNS costsim.canary_reports
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    report costsim.canary_reports;
BEGIN
    PERFORM costsim.check_canary_arguments('run_canary', sample_count, drift_threshold);
    INSERT INTO costsim.canary_reports (request_id, as_of, requested_samples, drift_threshold, model_version, run_by)
    VALUES (request, coalesce(as_of, now()), sample_count,
            coalesce(drift_threshold, current_setting('costsim.drift_threshold')::double precision),
            costsim.known_model_version(NULL), costsim.requesting_actor())
    RETURNING * INTO report;
    RETURN report;
END
$$;
COMMENT ON FUNCTION costsim.open_canary_report(integer, double precision, timestamptz, bigint) IS
    'Internal: records a canary as running with its resolved parameters (as_of now, the drift threshold and model in force)';

-- Internal: runs a canary whose report is running, and records its outcome. One at a time: when another canary
-- holds the canary lock, this one is skipped at once.
CREATE FUNCTION costsim.execute_canary(report_id bigint)
    RETURNS costsim.canary_reports
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    report costsim.canary_reports;
    outcome record;
    judged record;
    caller_drift_threshold text := current_setting('costsim.drift_threshold');
BEGIN
    SELECT * INTO report FROM costsim.canary_reports r WHERE r.id = report_id AND r.status = 'running' FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no running canary %', report_id USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- The canary lock: pg_locks shows advisory (classid 0x63737377, objid 2).
    IF NOT pg_try_advisory_xact_lock(1668510583, 2) THEN
        UPDATE costsim.canary_reports r SET status = 'skipped', finished_at = clock_timestamp(),
                                            failure_reasons = '{"another canary was running"}'
         WHERE r.id = report_id RETURNING * INTO report;
        RETURN report;
    END IF;

    -- The statistics' fail_ratio counts drift scores above the canary's threshold (the caller's is put back).
    PERFORM set_config('costsim.drift_threshold', report.drift_threshold::text, true);
    WITH recent AS (
        SELECT p.tenant_id, p.input, p.budget_cents, p.allowed_skills
          FROM (SELECT DISTINCT ON (p.input_hash) p.id, p.tenant_id, p.input, p.budget_cents, p.allowed_skills
                  FROM costsim.provenance p
                 WHERE p.created_at >= report.as_of - interval '7 days' AND p.created_at < report.as_of
                 ORDER BY p.input_hash, p.id DESC) p
         ORDER BY p.id DESC
         LIMIT report.requested_samples
    ), samples AS (
        SELECT 'shadow' AS source, r.tenant_id, NULL::text AS dataset_id, NULL::text AS version, r.input AS plan,
               r.budget_cents, r.allowed_skills, NULL::double precision AS expected_cost_cents,
               NULL::boolean AS expected_feasible, NULL::double precision AS expected_confidence_min
          FROM recent r
        UNION ALL
        SELECT 'golden', '_system', s.dataset_id, s.version, s.plan, s.budget_cents, s.allowed_skills,
               s.expected_cost_cents, s.expected_feasible, s.expected_confidence_min
          FROM costsim.reference_datasets d
          JOIN costsim.dataset_samples s ON s.dataset_id = d.id AND s.version = d.version
         WHERE 'golden' = ANY (d.tags)
    ), evaluated AS MATERIALIZED (
        SELECT s.*, c.*
          FROM samples s,
               costsim.compare_sample(s.plan, s.budget_cents, s.allowed_skills, report.model_version,
                                      report.drift_threshold) c
    ), artifacts AS (
        INSERT INTO costsim.diff_artifacts (canary_id, tenant_id, run_id, verdict, drift_score, diff_gzip)
        SELECT report.id, e.tenant_id, 'canary-' || report.id, e.verdict, e.drift_score, e.diff_gzip
          FROM evaluated e
         WHERE e.diff_gzip IS NOT NULL
        RETURNING 1
    ), golden_metrics AS (
        SELECT e.dataset_id, e.version,
               costsim.validation_stats(abs(e.v2_cost_cents - e.expected_cost_cents),
                                        e.v2_error IS NOT NULL OR e.v2_feasible <> e.expected_feasible
                                            OR e.v2_confidence < e.expected_confidence_min,
                                        d.max_mean_abs_error, d.max_median_abs_error, d.max_std_abs_error,
                                        d.max_outlier_rate, d.max_drift_score) AS v2,
               costsim.validation_stats(abs(e.v1_cost_cents - e.expected_cost_cents),
                                        e.v1_error IS NOT NULL OR e.v1_feasible <> e.expected_feasible,
                                        d.max_mean_abs_error, d.max_median_abs_error, d.max_std_abs_error,
                                        d.max_outlier_rate, d.max_drift_score) AS v1
          FROM evaluated e JOIN costsim.datasets d ON d.id = e.dataset_id
         WHERE e.source = 'golden'
         GROUP BY e.dataset_id, e.version
    ), validations AS (
        INSERT INTO costsim.dataset_validations (dataset_id, dataset_version, content_sha256, model_version, canary_id,
                                                 v2, v1, acceptable, validated_by)
        SELECT g.dataset_id, g.version, v.content_sha256, report.model_version, report.id, g.v2, g.v1,
               (g.v2).verdict = 'acceptable', report.run_by
          FROM golden_metrics g
          JOIN costsim.dataset_versions v ON v.dataset_id = g.dataset_id AND v.version = g.version
        RETURNING *
    ), compared AS (
        SELECT * FROM evaluated e WHERE e.v1_error IS NULL
    )
    SELECT count(*)::integer AS sample_count,
           (count(*) FILTER (WHERE c.source = 'shadow'))::integer AS shadow_samples,
           (count(*) FILTER (WHERE c.source = 'golden'))::integer AS golden_samples,
           (count(*) FILTER (WHERE c.verdict = 'match'))::integer AS match_count,
           (count(*) FILTER (WHERE c.verdict = 'minor_drift'))::integer AS minor_drift_count,
           (count(*) FILTER (WHERE c.verdict = 'major_drift'))::integer AS major_drift_count,
           (count(*) FILTER (WHERE c.verdict = 'mismatch'))::integer AS mismatch_count,
           (count(*) FILTER (WHERE c.v2_error IS NOT NULL))::integer AS v2_error_count,
           (count(*) FILTER (WHERE c.drift_score > 0.5 OR c.v2_error IS NOT NULL))::integer AS outlier_count,
           costsim.drift_stats(c.v1_cost_cents, c.v2_cost_cents, c.drift_score, c.verdict = 'match')
               FILTER (WHERE c.v2_error IS NULL) AS statistics,
           (SELECT jsonb_agg(jsonb_build_object('dataset_id', v.dataset_id, 'version', v.dataset_version,
                                                'content_sha256', v.content_sha256, 'verdict', (v.v2).verdict,
                                                'drift_score', (v.v2).drift_score, 'validation_id', v.id)
                             ORDER BY v.dataset_id)
              FROM validations v) AS golden,
           (SELECT array_agg(v.dataset_id ORDER BY v.dataset_id) FROM validations v) AS golden_datasets,
           (SELECT array_agg(v.acceptable ORDER BY v.dataset_id) FROM validations v) AS golden_acceptable,
           (SELECT count(*) FROM artifacts)::integer AS diff_artifact_count
      INTO outcome
      FROM compared c;
    PERFORM set_config('costsim.drift_threshold', caller_drift_threshold, true);

    judged := costsim.judge_canary(outcome.match_count, outcome.minor_drift_count, outcome.major_drift_count,
                                   outcome.mismatch_count, outcome.v2_error_count, outcome.outlier_count,
                                   outcome.statistics, coalesce(outcome.golden_datasets, '{}'),
                                   coalesce(outcome.golden_acceptable, '{}'));
    UPDATE costsim.canary_reports r
       SET status = judged.status, finished_at = clock_timestamp(), sample_count = outcome.sample_count,
           shadow_samples = outcome.shadow_samples, golden_samples = outcome.golden_samples,
           match_count = outcome.match_count, minor_drift_count = outcome.minor_drift_count,
           major_drift_count = outcome.major_drift_count, mismatch_count = outcome.mismatch_count,
           v2_error_count = outcome.v2_error_count, outlier_count = outcome.outlier_count,
           delta_p50 = (outcome.statistics).delta_p50, delta_p90 = (outcome.statistics).delta_p90,
           statistics = outcome.statistics, golden = coalesce(outcome.golden, '[]'),
           passed = CASE judged.status WHEN 'passed' THEN true WHEN 'failed' THEN false END,
           failure_reasons = judged.failure_reasons,
           diff_artifact_count = outcome.diff_artifact_count
     WHERE r.id = report_id
    RETURNING * INTO report;
    -- The breaker hears every judged canary: consecutive failures trip it, and in half_open this is the trial.
    IF report.status IN ('passed', 'failed') THEN
        UPDATE costsim.canary_reports r
           SET breaker_state = costsim.breaker_canary_result(report.passed, '#' || report.id,
                                                             jsonb_build_object('canary_id', report.id,
                                                                                'failure_reasons', report.failure_reasons))
         WHERE r.id = report_id
        RETURNING * INTO report;
    ELSE
        UPDATE costsim.canary_reports r
           SET breaker_state = (SELECT b.state FROM costsim.circuit_breakers b WHERE b.name = 'costsim_v2')
         WHERE r.id = report_id
        RETURNING * INTO report;
    END IF;
    IF report.request_id IS NOT NULL THEN
        UPDATE costsim.canary_requests q SET status = 'done', finished_at = clock_timestamp()
         WHERE q.id = report.request_id;
    END IF;
    RETURN report;
END
$$;
COMMENT ON FUNCTION costsim.execute_canary(bigint) IS
    'Internal: runs a running canary (skipped when another holds the canary lock), records its report, diff artifacts and golden validations, and informs the breaker';

CREATE FUNCTION costsim.run_canary(sample_count integer DEFAULT 100, drift_threshold double precision DEFAULT NULL,
                                   as_of timestamptz DEFAULT NULL)
    RETURNS costsim.canary_reports
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN costsim.execute_canary((costsim.open_canary_report(sample_count, drift_threshold, as_of)).id);
END
$$;
COMMENT ON FUNCTION costsim.run_canary(integer, double precision, timestamptz) IS
    'Runs a canary now, in this transaction (spec section 8): at most sample_count recent shadow inputs (7 days before as_of, default now) plus the golden datasets, V1 against V2; status skipped when another canary is running, inconclusive below costsim.canary_min_samples; returns the report';

-- Internal: the worker's side. Marks the canaries of a dead worker interrupted (never run again).
CREATE FUNCTION costsim.interrupt_canaries()
    RETURNS integer
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    interrupted integer;
BEGIN
    UPDATE costsim.canary_reports r
       SET status = 'interrupted', finished_at = clock_timestamp(),
           error = 'interrupted: the worker running it stopped before it finished'
     WHERE r.status = 'running';
    GET DIAGNOSTICS interrupted = ROW_COUNT;
    UPDATE costsim.canary_requests q SET status = 'interrupted', finished_at = clock_timestamp()
     WHERE q.status = 'running';
    RETURN interrupted;
END
$$;
COMMENT ON FUNCTION costsim.interrupt_canaries() IS
    'Internal (the new leader worker): canaries left running by a worker that died are marked interrupted';

-- Internal: the worker claims the oldest pending request and opens its report (committed before it runs).
CREATE FUNCTION costsim.claim_canary_request(worker_pid integer)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    request costsim.canary_requests;
BEGIN
    SELECT * INTO request FROM costsim.canary_requests q WHERE q.status = 'pending'
     ORDER BY q.id LIMIT 1 FOR UPDATE SKIP LOCKED;
    IF NOT FOUND THEN
        RETURN NULL;
    END IF;
    UPDATE costsim.canary_requests q SET status = 'running', worker_pid = claim_canary_request.worker_pid,
                                         started_at = clock_timestamp()
     WHERE q.id = request.id;
    RETURN (costsim.open_canary_report(request.sample_count, request.drift_threshold, NULL, request.id)).id;
END
$$;
COMMENT ON FUNCTION costsim.claim_canary_request(integer) IS
    'Internal (the leader worker): claims the oldest pending canary request and opens its report; NULL when none';

-- Internal: a canary the worker could not run (it raised): recorded as error, its request done.
CREATE FUNCTION costsim.fail_canary(report_id bigint, error text)
    RETURNS void
    LANGUAGE sql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
    UPDATE costsim.canary_requests q SET status = 'done', finished_at = clock_timestamp()
      FROM costsim.canary_reports r WHERE r.id = report_id AND q.id = r.request_id;
    UPDATE costsim.canary_reports r SET status = 'error', finished_at = clock_timestamp(), error = fail_canary.error
     WHERE r.id = report_id AND r.status = 'running';
$$;
COMMENT ON FUNCTION costsim.fail_canary(bigint, text) IS 'Internal (the worker): records that a canary raised an error';

CREATE FUNCTION costsim.wake_worker()
    RETURNS void
    LANGUAGE c VOLATILE
    AS 'MODULE_PATHNAME', 'costsim_wake_worker';
COMMENT ON FUNCTION costsim.wake_worker() IS
    'Internal: wakes the leader background worker when this transaction commits';

CREATE FUNCTION costsim.request_canary(sample_count integer DEFAULT 100, drift_threshold double precision DEFAULT NULL)
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    request bigint;
BEGIN
    PERFORM costsim.check_canary_arguments('request_canary', sample_count, drift_threshold);
    INSERT INTO costsim.canary_requests (requested_by, sample_count, drift_threshold)
    VALUES (costsim.requesting_actor(), sample_count, drift_threshold)
    RETURNING id INTO request;
    PERFORM costsim.wake_worker();
    RETURN request;
END
$$;
COMMENT ON FUNCTION costsim.request_canary(integer, double precision) IS
    'Asks the leader background worker for a canary (what the pg_cron job runs): returns the request id at once; the report appears in costsim.canary_reports when it has run';

-- Internal (the worker, each cycle): in half_open, asks for the golden canary that decides, unless one is queued.
CREATE FUNCTION costsim.request_half_open_trial()
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    request bigint;
BEGIN
    IF NOT EXISTS (SELECT FROM costsim.circuit_breakers b WHERE b.name = 'costsim_v2' AND b.state = 'half_open')
       OR EXISTS (SELECT FROM costsim.canary_requests q WHERE q.trial AND q.status IN ('pending', 'running')) THEN
        RETURN NULL;
    END IF;
    INSERT INTO costsim.canary_requests (requested_by, sample_count, trial)
    VALUES ('system: half-open trial', 0, true)
    RETURNING id INTO request;
    RETURN request;
END
$$;
COMMENT ON FUNCTION costsim.request_half_open_trial() IS
    'Internal (the worker): queues the golden canary (golden datasets only) that decides a half_open breaker, once';

-- Internal: 55000 naming the caller unless pg_cron is installed in this database.
CREATE FUNCTION costsim.require_pg_cron(caller text)
    RETURNS void
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_extension WHERE extname = 'pg_cron') THEN
        RAISE EXCEPTION '%: pg_cron is not installed in this database', caller
            USING ERRCODE = 'object_not_in_prerequisite_state',
                  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name to this database, restart, then CREATE EXTENSION pg_cron.';
    END IF;
END
$$;
COMMENT ON FUNCTION costsim.require_pg_cron(text) IS
    'Internal: 55000 (with how to install it) unless pg_cron is installed in this database';

CREATE FUNCTION costsim.schedule_canary(schedule text DEFAULT '0 3 * * *')
    RETURNS bigint
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM costsim.require_pg_cron('schedule_canary');
    IF schedule IS NULL OR btrim(schedule) = '' THEN
        RAISE EXCEPTION 'schedule_canary: schedule must be a cron expression' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN cron.schedule('costsim-canary', schedule, 'SELECT costsim.request_canary()');
END
$$;
COMMENT ON FUNCTION costsim.schedule_canary(text) IS
    'Schedules the daily canary as the pg_cron job costsim-canary (default 03:00 GMT; calling again replaces the schedule); the job only queues a request, the background worker runs it; returns the job id';

CREATE FUNCTION costsim.unschedule_canary()
    RETURNS boolean
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    PERFORM costsim.require_pg_cron('unschedule_canary');
    IF NOT EXISTS (SELECT FROM cron.job j WHERE j.jobname = 'costsim-canary' AND j.username = current_user) THEN
        RETURN false;
    END IF;
    RETURN cron.unschedule('costsim-canary');
END
$$;
COMMENT ON FUNCTION costsim.unschedule_canary() IS
    'Removes the pg_cron job costsim-canary; false when there was none';

-- Privileges of the objects above.
REVOKE ALL ON costsim.canary_requests, costsim.canary_reports FROM PUBLIC;
REVOKE ALL ON SEQUENCE costsim.canary_requests_id_seq, costsim.canary_reports_id_seq FROM PUBLIC;
REVOKE USAGE ON TYPE costsim.canary_status FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA costsim FROM PUBLIC;
GRANT USAGE ON TYPE costsim.canary_status TO costsim_backend, costsim_admin, costsim_auditor;
GRANT SELECT ON costsim.canary_requests, costsim.canary_reports TO costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION costsim.run_canary(integer, double precision, timestamptz),
    costsim.request_canary(integer, double precision), costsim.schedule_canary(text), costsim.unschedule_canary()
    TO costsim_admin;
