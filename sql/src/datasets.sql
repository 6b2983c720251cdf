-- Reference datasets (spec section 9): versioned, content-hashed sets of plans with what V1 (production)
-- answers for them, against which a V2 model is validated. New in 0.4.
-- The shipped versions come from datasets/<id>/<version>.jsonl, built into the install and upgrade scripts
-- (build/sql/dataset_files.sql); snapshot_historical_dataset() adds anonymized versions from provenance.

CREATE TABLE costsim.datasets (
    id                    text PRIMARY KEY CHECK (id ~ '^[a-z][a-z0-9_]{0,62}$'),
    name                  text NOT NULL,
    description           text NOT NULL,
    max_mean_abs_error    double precision NOT NULL CHECK (max_mean_abs_error > 0),
    max_median_abs_error  double precision NOT NULL CHECK (max_median_abs_error > 0),
    max_std_abs_error     double precision NOT NULL CHECK (max_std_abs_error > 0),
    max_outlier_rate      double precision NOT NULL CHECK (max_outlier_rate > 0 AND max_outlier_rate <= 1),
    max_drift_score       double precision NOT NULL CHECK (max_drift_score > 0 AND max_drift_score <= 1),
    tags                  text[] NOT NULL DEFAULT '{}',
    origin                text NOT NULL DEFAULT 'shipped' CHECK (origin IN ('shipped', 'snapshot')),
    created_at            timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE costsim.datasets IS
    'The reference datasets: what each is, and the thresholds its validation must meet (spec section 9)';
COMMENT ON COLUMN costsim.datasets.max_mean_abs_error IS 'Acceptable mean |cost - expected cost|, cents';
COMMENT ON COLUMN costsim.datasets.max_median_abs_error IS 'Acceptable median |cost - expected cost|, cents';
COMMENT ON COLUMN costsim.datasets.max_std_abs_error IS 'Acceptable population standard deviation of |cost - expected cost|, cents';
COMMENT ON COLUMN costsim.datasets.max_outlier_rate IS
    'Acceptable share (0.02 = 2 %) of samples missing their feasibility or confidence expectation, or failing';
COMMENT ON COLUMN costsim.datasets.max_drift_score IS 'Acceptable validation drift score (0..1)';
COMMENT ON COLUMN costsim.datasets.origin IS 'shipped with the extension, or made by snapshot_historical_dataset()';

CREATE TABLE costsim.dataset_versions (
    dataset_id      text NOT NULL REFERENCES costsim.datasets (id),
    version         text NOT NULL CHECK (version ~ '^[0-9A-Za-z][0-9A-Za-z.+-]{0,63}$'),
    seq             bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    content_sha256  text NOT NULL CHECK (content_sha256 ~ '^[0-9a-f]{64}$'),
    sample_count    integer NOT NULL CHECK (sample_count >= 0),
    origin          text NOT NULL DEFAULT 'shipped' CHECK (origin IN ('shipped', 'snapshot')),
    source          jsonb NOT NULL DEFAULT '{}',
    loaded_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (dataset_id, version)
);
COMMENT ON TABLE costsim.dataset_versions IS
    'Every version of every dataset with the SHA-256 of its JSONL content; the latest (highest seq) is the one validated by default';
COMMENT ON COLUMN costsim.dataset_versions.seq IS 'Load order: the latest version of a dataset has the highest seq';
COMMENT ON COLUMN costsim.dataset_versions.content_sha256 IS
    'SHA-256 (hex) of the version''s JSONL text, byte for byte the file datasets/<id>/<version>.jsonl for shipped versions';
COMMENT ON COLUMN costsim.dataset_versions.source IS
    'How a snapshot was made: the provenance window, max_samples and how many inputs were found';

CREATE TABLE costsim.dataset_samples (
    dataset_id               text NOT NULL,
    version                  text NOT NULL,
    line_number              integer NOT NULL CHECK (line_number >= 1),
    sample_id                text NOT NULL,
    plan                     jsonb NOT NULL CHECK (jsonb_typeof(plan) = 'array'),
    budget_cents             bigint NOT NULL CHECK (budget_cents >= 0),
    allowed_skills           text[],
    expected_cost_cents      double precision NOT NULL,
    expected_feasible        boolean NOT NULL,
    expected_confidence_min  double precision NOT NULL CHECK (expected_confidence_min BETWEEN 0 AND 1),
    tags                     text[] NOT NULL DEFAULT '{}',
    PRIMARY KEY (dataset_id, version, sample_id),
    UNIQUE (dataset_id, version, line_number),
    FOREIGN KEY (dataset_id, version) REFERENCES costsim.dataset_versions (dataset_id, version)
);
COMMENT ON TABLE costsim.dataset_samples IS
    'The samples of each dataset version: a plan, its budget, and V1''s (production''s) answer as the expectation';
COMMENT ON COLUMN costsim.dataset_samples.line_number IS 'Line number in the version''s JSONL file';
COMMENT ON COLUMN costsim.dataset_samples.expected_confidence_min IS 'The least V2 confidence the sample should reach';

-- The thresholds of spec section 9.
INSERT INTO costsim.datasets (id, name, description, max_mean_abs_error, max_median_abs_error, max_std_abs_error,
                              max_outlier_rate, max_drift_score, tags)
VALUES ('low_variance', 'Low variance', 'Simple one-step plans (http_call, json_transform, kv_get, kv_set) that cost nothing',
        1, 0.5, 2, 0.02, 0.05, '{golden}'),
       ('high_variance', 'High variance',
        'LLM prompts from 100 to 8000 characters, multi-step workflows and external HTTP calls (generated once, fixed seed)',
        10, 5, 15, 0.10, 0.15, '{golden}'),
       ('mixed_city', 'Mixed city', 'Day-part workloads of a city-services agent', 5, 3, 10, 0.05, 0.10, '{golden}'),
       ('noise_injected', 'Noise injected',
        'Edge cases: empty plan, unknown skill, zero and tiny budgets, 50 steps, a 100k-character prompt, missing params, duplicated steps',
        20, 10, 25, 0.30, 0.25, '{golden}'),
       ('historical', 'Historical', 'Anonymized real usage patterns', 5, 3, 8, 0.05, 0.10, '{golden}');

-- Internal: loads one version of a dataset from its JSONL text (one sample object per line). Loading a version
-- that is already there with the same content does nothing; with other content it is an error (a released
-- version never changes).
CREATE FUNCTION costsim.load_dataset_version(dataset_id text, version text, content text,
                                             origin text DEFAULT 'shipped', source jsonb DEFAULT '{}')
    RETURNS costsim.dataset_versions
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    hash text := encode(sha256(convert_to(content, 'UTF8')), 'hex');
    loaded costsim.dataset_versions;
    line text;
    lines_read integer := 0;
    sample jsonb;
BEGIN
    SELECT * INTO loaded FROM costsim.dataset_versions v
     WHERE v.dataset_id = load_dataset_version.dataset_id AND v.version = load_dataset_version.version;
    IF FOUND THEN
        IF loaded.content_sha256 <> hash THEN
            RAISE EXCEPTION 'dataset %/% is already loaded with other content (SHA-256 % <> %)',
                dataset_id, version, loaded.content_sha256, hash USING ERRCODE = 'unique_violation';
        END IF;
        RETURN loaded;
    END IF;
    IF content = '' OR right(content, 1) <> E'\n' THEN
        RAISE EXCEPTION 'dataset %/%: the content must be JSON lines, each ending with a newline', dataset_id, version
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    INSERT INTO costsim.dataset_versions (dataset_id, version, content_sha256, sample_count, origin, source)
    VALUES (dataset_id, version, hash, 0, origin, source);
    FOREACH line IN ARRAY string_to_array(left(content, -1), E'\n') LOOP
        lines_read := lines_read + 1;
        BEGIN
            sample := line::jsonb;
            IF jsonb_typeof(sample) IS DISTINCT FROM 'object'
               OR jsonb_typeof(sample->'id') IS DISTINCT FROM 'string'
               OR jsonb_typeof(sample->'plan') IS DISTINCT FROM 'array'
               OR jsonb_typeof(sample->'budget_cents') IS DISTINCT FROM 'number'
               OR jsonb_typeof(sample->'expected_cost_cents') IS DISTINCT FROM 'number'
               OR jsonb_typeof(sample->'expected_feasible') IS DISTINCT FROM 'boolean'
               OR jsonb_typeof(sample->'expected_confidence_min') IS DISTINCT FROM 'number'
               OR coalesce(jsonb_typeof(sample->'tags'), 'array') <> 'array'
               OR coalesce(jsonb_typeof(sample->'allowed_skills'), 'null') NOT IN ('array', 'null')
               OR EXISTS (SELECT FROM jsonb_array_elements(coalesce(sample->'tags', '[]')) t
                           WHERE jsonb_typeof(t) <> 'string')
               OR EXISTS (SELECT FROM jsonb_array_elements(CASE jsonb_typeof(sample->'allowed_skills')
                                                              WHEN 'array' THEN sample->'allowed_skills'
                                                              ELSE '[]' END) t
                           WHERE jsonb_typeof(t) <> 'string') THEN
                RAISE EXCEPTION 'not a sample object (id: string, plan: array, budget_cents, expected_cost_cents and expected_confidence_min: numbers, expected_feasible: boolean, tags and allowed_skills: arrays of strings)';
            END IF;
            INSERT INTO costsim.dataset_samples (dataset_id, version, line_number, sample_id, plan, budget_cents,
                                                 allowed_skills, expected_cost_cents, expected_feasible,
                                                 expected_confidence_min, tags)
            VALUES (dataset_id, version, lines_read, sample->>'id', sample->'plan', (sample->>'budget_cents')::bigint,
                    CASE WHEN jsonb_typeof(sample->'allowed_skills') = 'array'
                         THEN ARRAY(SELECT jsonb_array_elements_text(sample->'allowed_skills')) END,
                    (sample->>'expected_cost_cents')::double precision, (sample->>'expected_feasible')::boolean,
                    (sample->>'expected_confidence_min')::double precision,
                    ARRAY(SELECT jsonb_array_elements_text(coalesce(sample->'tags', '[]'))));
        EXCEPTION WHEN data_exception OR integrity_constraint_violation OR raise_exception THEN
            RAISE EXCEPTION 'dataset %/% line %: %', dataset_id, version, lines_read, SQLERRM
                USING ERRCODE = 'invalid_parameter_value';
        END;
    END LOOP;
    UPDATE costsim.dataset_versions v SET sample_count = lines_read
     WHERE v.dataset_id = load_dataset_version.dataset_id AND v.version = load_dataset_version.version
    RETURNING * INTO loaded;
    RETURN loaded;
END
$$;
COMMENT ON FUNCTION costsim.load_dataset_version(text, text, text, text, jsonb) IS
    'Internal: loads a dataset version from JSONL text (idempotent for the same content; 23505 for other content under a loaded version; 22023 naming the line for a bad sample)';

-- Who asked: the JWT subject for PostgREST callers, else the session's role (SECURITY DEFINER functions run as
-- their owner, so current_user would not say).
CREATE FUNCTION costsim.requesting_actor()
    RETURNS text
    LANGUAGE sql STABLE
    AS $$
    SELECT coalesce(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', session_user::text)
$$;
COMMENT ON FUNCTION costsim.requesting_actor() IS
    'Internal: who asked for a validation, snapshot or canary: the sub claim of request.jwt.claims, else session_user';

-- The latest version of each dataset.
CREATE VIEW costsim.reference_datasets WITH (security_invoker = true) AS
    SELECT d.id, d.name, d.description, v.version, v.content_sha256, v.sample_count,
           jsonb_build_object('mean_abs_error', d.max_mean_abs_error, 'median_abs_error', d.max_median_abs_error,
                              'std_abs_error', d.max_std_abs_error, 'outlier_rate', d.max_outlier_rate,
                              'drift_score', d.max_drift_score) AS thresholds,
           d.tags, d.origin, v.loaded_at
      FROM costsim.datasets d
      JOIN LATERAL (SELECT * FROM costsim.dataset_versions v WHERE v.dataset_id = d.id ORDER BY v.seq DESC LIMIT 1) v
        ON true;
COMMENT ON VIEW costsim.reference_datasets IS
    'Each reference dataset at its latest version: id, name, description, version, content SHA-256, sample_count, thresholds, tags';

-- What validating a simulator against a dataset measured (spec section 9).
CREATE TYPE costsim.validation_metrics AS (
    sample_count      integer,
    mean_abs_error    double precision,
    median_abs_error  double precision,
    std_abs_error     double precision,
    outlier_rate      double precision,
    drift_score       double precision,
    verdict           text
);
COMMENT ON TYPE costsim.validation_metrics IS
    'Validation of a simulator on a dataset: mean, median and population std of |cost - expected|, outlier rate (expectation missed or error), drift score, verdict acceptable or unacceptable';

CREATE FUNCTION costsim.validation_accumulate(internal, double precision, boolean, double precision,
                                              double precision, double precision, double precision, double precision)
    RETURNS internal
    LANGUAGE c PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_validation_accumulate';
COMMENT ON FUNCTION costsim.validation_accumulate(internal, double precision, boolean, double precision,
                                                  double precision, double precision, double precision,
                                                  double precision) IS
    'Transition function of costsim.validation_stats';
CREATE FUNCTION costsim.validation_report(internal)
    RETURNS costsim.validation_metrics
    LANGUAGE c PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_validation_report';
COMMENT ON FUNCTION costsim.validation_report(internal) IS 'Final function of costsim.validation_stats';
CREATE AGGREGATE costsim.validation_stats(abs_error double precision, missed boolean,
                                          max_mean_abs_error double precision, max_median_abs_error double precision,
                                          max_std_abs_error double precision, max_outlier_rate double precision,
                                          max_drift_score double precision) (
    SFUNC = costsim.validation_accumulate,
    STYPE = internal,
    FINALFUNC = costsim.validation_report
);
COMMENT ON AGGREGATE costsim.validation_stats(double precision, boolean, double precision, double precision,
                                              double precision, double precision, double precision) IS
    'Validation metrics over samples (abs_error NULL: the simulator failed on it); the thresholds must be the same on every row';

-- One sample through V1 and V2 (a model version), without the shadow path's side effects: each side's answer
-- or error, their drift, and the step diff (gzip) when the verdict keeps one.
CREATE FUNCTION costsim.compare_sample(
    plan jsonb,
    budget_cents bigint,
    allowed_skills text[],
    model_version text,
    drift_threshold double precision,
    OUT v1_cost_cents bigint,
    OUT v1_feasible boolean,
    OUT v1_error text,
    OUT v2_cost_cents bigint,
    OUT v2_feasible boolean,
    OUT v2_confidence double precision,
    OUT v2_error text,
    OUT drift_score double precision,
    OUT verdict costsim.drift_verdict,
    OUT diff_gzip bytea
)
    LANGUAGE c STABLE
    AS 'MODULE_PATHNAME', 'costsim_compare_sample';
COMMENT ON FUNCTION costsim.compare_sample(jsonb, bigint, text[], text, double precision) IS
    'V1 and V2 (model_version) on one sample: each side''s cost, feasibility (and V2''s confidence) or error; drift score and verdict under drift_threshold; the gzip''d step diff for major_drift and mismatch';

-- Reports: one row per validation, with the content hash of the version validated.
CREATE TABLE costsim.dataset_validations (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    created_at       timestamptz NOT NULL DEFAULT now(),
    dataset_id       text NOT NULL,
    dataset_version  text NOT NULL,
    content_sha256   text NOT NULL,
    model_version    text NOT NULL,
    canary_id        bigint,
    v2               costsim.validation_metrics NOT NULL,
    v1               costsim.validation_metrics NOT NULL,
    acceptable       boolean NOT NULL,
    validated_by     text NOT NULL,
    FOREIGN KEY (dataset_id, dataset_version) REFERENCES costsim.dataset_versions (dataset_id, version)
);
CREATE INDEX dataset_validations_dataset ON costsim.dataset_validations (dataset_id, created_at);
COMMENT ON TABLE costsim.dataset_validations IS
    'Validation reports: a dataset version (and its SHA-256) against a V2 model version, with V1 on the same expectations beside it';
COMMENT ON COLUMN costsim.dataset_validations.v2 IS 'V2''s metrics and verdict';
COMMENT ON COLUMN costsim.dataset_validations.v1 IS 'V1''s metrics on the same expectations (its confidence is not judged: V1 has none)';
COMMENT ON COLUMN costsim.dataset_validations.acceptable IS 'V2''s verdict is acceptable';
COMMENT ON COLUMN costsim.dataset_validations.canary_id IS 'The canary run this validation was part of, if any';
COMMENT ON INDEX costsim.dataset_validations_dataset IS 'Reports of a dataset by time';

SELECT pg_catalog.pg_extension_config_dump('costsim.datasets', 'WHERE origin = ''snapshot''');
SELECT pg_catalog.pg_extension_config_dump('costsim.dataset_versions', 'WHERE origin = ''snapshot''');
SELECT pg_catalog.pg_extension_config_dump('costsim.dataset_samples', 'WHERE version LIKE ''snapshot-%''');
SELECT pg_catalog.pg_extension_config_dump('costsim.dataset_validations', '');
SELECT pg_catalog.pg_extension_config_dump('costsim.dataset_validations_id_seq', '');

-- The samples of a dataset version (the latest by default). 22023 for an unknown dataset or version.
CREATE FUNCTION costsim.dataset_version_of(dataset_id text, version text DEFAULT NULL)
    RETURNS costsim.dataset_versions
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    found_version costsim.dataset_versions;
BEGIN
    SELECT * INTO found_version FROM costsim.dataset_versions v
     WHERE v.dataset_id = dataset_version_of.dataset_id
       AND (dataset_version_of.version IS NULL OR v.version = dataset_version_of.version)
     ORDER BY v.seq DESC LIMIT 1;
    IF NOT FOUND THEN
        IF NOT EXISTS (SELECT FROM costsim.datasets d WHERE d.id = dataset_version_of.dataset_id) THEN
            RAISE EXCEPTION 'unknown dataset "%"', dataset_id USING ERRCODE = 'invalid_parameter_value',
                HINT = 'SELECT id FROM costsim.reference_datasets lists them.';
        END IF;
        RAISE EXCEPTION 'dataset "%" has no version "%"', dataset_id, version USING ERRCODE = 'invalid_parameter_value';
    END IF;
    RETURN found_version;
END
$$;
COMMENT ON FUNCTION costsim.dataset_version_of(text, text) IS
    'A dataset''s version (the latest when version is NULL); 22023 for an unknown dataset or version';

CREATE FUNCTION costsim.dataset_samples(dataset_id text, version text DEFAULT NULL)
    RETURNS SETOF costsim.dataset_samples
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT s.* FROM costsim.dataset_version_of(dataset_samples.dataset_id, dataset_samples.version) v,
                    costsim.dataset_samples s
     WHERE s.dataset_id = v.dataset_id AND s.version = v.version
     ORDER BY s.line_number
$$;
COMMENT ON FUNCTION costsim.dataset_samples(text, text) IS
    'The samples of a dataset version (the latest by default), in file order';

-- Each sample of a dataset version through V1 and V2: the detail behind a validation.
CREATE FUNCTION costsim.dataset_sample_results(dataset_id text, model_version text DEFAULT NULL,
                                               version text DEFAULT NULL)
    RETURNS TABLE (line_number integer, sample_id text, expected_cost_cents double precision, expected_feasible boolean,
                   expected_confidence_min double precision, v1_cost_cents bigint, v1_feasible boolean, v1_error text,
                   v1_abs_error double precision, v1_missed boolean, v2_cost_cents bigint, v2_feasible boolean,
                   v2_confidence double precision, v2_error text, v2_abs_error double precision, v2_missed boolean)
    LANGUAGE sql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
    SELECT s.line_number, s.sample_id, s.expected_cost_cents, s.expected_feasible, s.expected_confidence_min,
           c.v1_cost_cents, c.v1_feasible, c.v1_error, abs(c.v1_cost_cents - s.expected_cost_cents),
           c.v1_error IS NOT NULL OR c.v1_feasible <> s.expected_feasible,
           c.v2_cost_cents, c.v2_feasible, c.v2_confidence, c.v2_error, abs(c.v2_cost_cents - s.expected_cost_cents),
           c.v2_error IS NOT NULL OR c.v2_feasible <> s.expected_feasible
               OR c.v2_confidence < s.expected_confidence_min
      FROM costsim.dataset_samples(dataset_sample_results.dataset_id, dataset_sample_results.version) s,
           costsim.compare_sample(s.plan, s.budget_cents, s.allowed_skills,
                                  coalesce(dataset_sample_results.model_version,
                                           current_setting('costsim.v2_model_version')),
                                  current_setting('costsim.drift_threshold')::double precision) c
     ORDER BY s.line_number
$$;
COMMENT ON FUNCTION costsim.dataset_sample_results(text, text, text) IS
    'Every sample of a dataset version through V1 and V2 (model_version, default costsim.v2_model_version): costs, feasibility, confidence, errors, |cost - expected| and whether the sample missed its expectations';

-- Internal: validates a dataset version and records the report (canary: the canary run it belongs to).
CREATE FUNCTION costsim.record_validation(dataset_id text, model_version text, canary bigint DEFAULT NULL)
    RETURNS costsim.dataset_validations
    LANGUAGE plpgsql VOLATILE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    dataset costsim.datasets;
    validated costsim.dataset_versions := costsim.dataset_version_of(dataset_id);
    report costsim.dataset_validations;
    metrics record;
BEGIN
    SELECT * INTO dataset FROM costsim.datasets d WHERE d.id = record_validation.dataset_id;
    SELECT costsim.validation_stats(r.v1_abs_error, r.v1_missed, dataset.max_mean_abs_error,
                                    dataset.max_median_abs_error, dataset.max_std_abs_error,
                                    dataset.max_outlier_rate, dataset.max_drift_score) AS v1,
           costsim.validation_stats(r.v2_abs_error, r.v2_missed, dataset.max_mean_abs_error,
                                    dataset.max_median_abs_error, dataset.max_std_abs_error,
                                    dataset.max_outlier_rate, dataset.max_drift_score) AS v2
      INTO metrics
      FROM costsim.dataset_sample_results(dataset_id, model_version, validated.version) r;
    INSERT INTO costsim.dataset_validations (dataset_id, dataset_version, content_sha256, model_version, canary_id,
                                             v2, v1, acceptable, validated_by)
    VALUES (dataset_id, validated.version, validated.content_sha256, model_version, canary, metrics.v2, metrics.v1,
            (metrics.v2).verdict = 'acceptable', costsim.requesting_actor())
    RETURNING * INTO report;
    RETURN report;
END
$$;
COMMENT ON FUNCTION costsim.record_validation(text, text, bigint) IS
    'Internal: validates the latest version of a dataset against a V2 model (and V1 beside it) and records the report';

-- 22023 unless the model version has coefficients; NULL means costsim.v2_model_version.
CREATE FUNCTION costsim.known_model_version(model_version text)
    RETURNS text
    LANGUAGE plpgsql STABLE
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    version text := coalesce(model_version, current_setting('costsim.v2_model_version'));
BEGIN
    IF NOT EXISTS (SELECT FROM costsim.v2_coefficients c WHERE c.model_version = version) THEN
        RAISE EXCEPTION 'unknown V2 model version "%"', version USING ERRCODE = 'invalid_parameter_value',
            HINT = 'The model versions are those of costsim.v2_coefficients.';
    END IF;
    RETURN version;
END
$$;
COMMENT ON FUNCTION costsim.known_model_version(text) IS
    'Internal: the model version to use (costsim.v2_model_version for NULL); 22023 when it has no coefficients';

CREATE FUNCTION costsim.validate_dataset(dataset_id text, model_version text DEFAULT NULL)
    RETURNS costsim.dataset_validations
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
BEGIN
    RETURN costsim.record_validation(dataset_id, costsim.known_model_version(model_version));
END
$$;
COMMENT ON FUNCTION costsim.validate_dataset(text, text) IS
    'Validates the latest version of a dataset against a V2 model (default costsim.v2_model_version), with V1 beside it, and records the report (spec section 9); 22023 for an unknown dataset or model';

CREATE FUNCTION costsim.validate_all_datasets(model_version text DEFAULT NULL)
    RETURNS SETOF costsim.dataset_validations
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    version text := costsim.known_model_version(model_version);
BEGIN
    RETURN QUERY SELECT r.* FROM costsim.datasets d, costsim.record_validation(d.id, version) r ORDER BY d.id;
END
$$;
COMMENT ON FUNCTION costsim.validate_all_datasets(text) IS
    'Validates every dataset (latest versions) against a V2 model, one recorded report each';

CREATE FUNCTION costsim.anonymize_plan(plan jsonb)
    RETURNS jsonb
    LANGUAGE c IMMUTABLE STRICT PARALLEL SAFE
    AS 'MODULE_PATHNAME', 'costsim_anonymize_plan';
COMMENT ON FUNCTION costsim.anonymize_plan(jsonb) IS
    'A plan with its contents dropped and what prices it kept: skills, iterations, numbers, string lengths (as x''s), local URL prefixes';

CREATE FUNCTION costsim.snapshot_historical_dataset(name text, since timestamptz, until timestamptz,
                                                    max_samples integer DEFAULT 1000)
    RETURNS costsim.dataset_versions
    LANGUAGE plpgsql VOLATILE SECURITY DEFINER
    SET search_path = pg_catalog, pg_temp
    AS $$
DECLARE
    content text;
    found_inputs integer;
    hash text;
    made costsim.dataset_versions;
BEGIN
    IF snapshot_historical_dataset.name IS NULL OR snapshot_historical_dataset.name !~ '^[a-z][a-z0-9_]{0,62}$' THEN
        RAISE EXCEPTION 'snapshot_historical_dataset: name must match ^[a-z][a-z0-9_]{0,62}$'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF since IS NULL OR until IS NULL OR since >= until THEN
        RAISE EXCEPTION 'snapshot_historical_dataset: since must be before until' USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF max_samples IS NULL OR max_samples NOT BETWEEN 1 AND 100000 THEN
        RAISE EXCEPTION 'snapshot_historical_dataset: max_samples must be between 1 and 100000'
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF EXISTS (SELECT FROM costsim.datasets d WHERE d.id = snapshot_historical_dataset.name AND d.origin = 'shipped'
                                                  AND d.id <> 'historical') THEN
        RAISE EXCEPTION 'snapshot_historical_dataset: "%" is a shipped dataset other than historical',
            snapshot_historical_dataset.name
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    -- One sample per distinct input of the window (all tenants), in input-hash order: the same window gives
    -- the same samples whatever order they were recorded in. V1's recorded answer is the expectation.
    WITH inputs AS (
        SELECT DISTINCT ON (p.input_hash) p.input_hash, p.input, p.budget_cents, p.allowed_skills,
               p.v1_cost_cents, p.v1_feasible
          FROM costsim.provenance p
         WHERE p.created_at >= since AND p.created_at < until
         ORDER BY p.input_hash, p.id
    ), chosen AS (
        SELECT * FROM inputs ORDER BY input_hash LIMIT max_samples
    )
    SELECT string_agg(jsonb_build_object(
               'id', 'h-' || left(c.input_hash, 16),
               'plan', costsim.anonymize_plan(c.input),
               'budget_cents', c.budget_cents,
               'allowed_skills', to_jsonb(c.allowed_skills),
               'expected_cost_cents', c.v1_cost_cents,
               'expected_feasible', c.v1_feasible,
               'expected_confidence_min', 0.5,
               'tags', jsonb_build_array('anonymized', 'snapshot'))::text || E'\n', '' ORDER BY c.input_hash),
           count(*)
      INTO content, found_inputs
      FROM chosen c;
    IF found_inputs = 0 THEN
        RAISE EXCEPTION 'snapshot_historical_dataset: no shadowed input between % and %', since, until
            USING ERRCODE = 'no_data_found';
    END IF;
    hash := encode(sha256(convert_to(content, 'UTF8')), 'hex');
    SELECT * INTO made FROM costsim.dataset_versions v
     WHERE v.dataset_id = snapshot_historical_dataset.name AND v.version = 'snapshot-' || left(hash, 16);
    IF FOUND THEN
        RETURN made;  -- the same inputs were snapshot already
    END IF;
    INSERT INTO costsim.datasets (id, name, description, max_mean_abs_error, max_median_abs_error, max_std_abs_error,
                                  max_outlier_rate, max_drift_score, tags, origin)
    SELECT snapshot_historical_dataset.name, snapshot_historical_dataset.name,
           'Anonymized snapshot of shadowed inputs', h.max_mean_abs_error, h.max_median_abs_error,
           h.max_std_abs_error, h.max_outlier_rate, h.max_drift_score, '{snapshot}', 'snapshot'
      FROM costsim.datasets h WHERE h.id = 'historical'
    ON CONFLICT (id) DO NOTHING;
    made := costsim.load_dataset_version(snapshot_historical_dataset.name, 'snapshot-' || left(hash, 16), content, 'snapshot',
                                         jsonb_build_object('since', since, 'until', until, 'max_samples', max_samples,
                                                            'inputs', found_inputs));
    PERFORM costsim.log_status_change('dataset', snapshot_historical_dataset.name || '/' || made.version, 'snapshot',
                                      reason => format('%s anonymized inputs from %s to %s', found_inputs, since, until),
                                      metadata => jsonb_build_object('content_sha256', made.content_sha256),
                                      tenant_id => '_system');
    RETURN made;
END
$$;
COMMENT ON FUNCTION costsim.snapshot_historical_dataset(text, timestamptz, timestamptz, integer) IS
    'Makes an anonymized dataset version from the shadowed inputs of [since, until) (all tenants; at most max_samples distinct inputs in input-hash order; V1''s answers as expectations); the same inputs give the same version (snapshot-<hash>)';

-- Privileges of the objects above.
REVOKE ALL ON costsim.datasets, costsim.dataset_versions, costsim.dataset_samples, costsim.dataset_validations,
              costsim.reference_datasets FROM PUBLIC;
REVOKE ALL ON SEQUENCE costsim.dataset_versions_seq_seq, costsim.dataset_validations_id_seq FROM PUBLIC;
REVOKE USAGE ON TYPE costsim.validation_metrics FROM PUBLIC;
REVOKE EXECUTE ON ALL FUNCTIONS IN SCHEMA costsim FROM PUBLIC;
GRANT USAGE ON TYPE costsim.validation_metrics TO costsim_backend, costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION costsim.requesting_actor() TO costsim_backend, costsim_admin, costsim_auditor;
GRANT SELECT ON costsim.datasets, costsim.dataset_versions, costsim.dataset_samples, costsim.dataset_validations,
                costsim.reference_datasets
    TO costsim_backend, costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION
    costsim.validation_accumulate(internal, double precision, boolean, double precision, double precision,
                                  double precision, double precision, double precision),
    costsim.validation_report(internal),
    costsim.validation_stats(double precision, boolean, double precision, double precision, double precision,
                             double precision, double precision),
    costsim.compare_sample(jsonb, bigint, text[], text, double precision),
    costsim.dataset_version_of(text, text), costsim.dataset_samples(text, text),
    costsim.dataset_sample_results(text, text, text), costsim.anonymize_plan(jsonb)
    TO costsim_backend, costsim_admin, costsim_auditor;
GRANT EXECUTE ON FUNCTION costsim.validate_dataset(text, text), costsim.validate_all_datasets(text)
    TO costsim_backend, costsim_admin;
GRANT EXECUTE ON FUNCTION costsim.snapshot_historical_dataset(text, timestamptz, timestamptz, integer) TO costsim_admin;
