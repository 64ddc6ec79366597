-- int_ai_usage_repeated_event_hashes: hashes of event_ids that occur more than once (first stage, part 1).
-- grain: one row per repeated event_id hash
-- Generated from pipelines/engines/first_stage.py by `python -m pipelines.engines.compile`:
-- edit the Ibis expression, not this file.
SELECT
  "t2"."event_hash"
FROM (
  SELECT
    HASH("t1"."event_id") AS "event_hash",
    COUNT(*) AS "copies"
  FROM (
    SELECT
      *
    FROM "stg_input__ai_usage" AS "t0"
    WHERE
      "t0"."event_id" IS NOT NULL
  ) AS "t1"
  GROUP BY
    1
) AS "t2"
WHERE
  "t2"."copies" > 1
