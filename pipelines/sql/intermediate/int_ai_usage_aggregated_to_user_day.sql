-- int_ai_usage_aggregated_to_user_day: the first stage, and the only model that reads per-request rows. It
-- deduplicates (by event_id, the first read wins; by the whole row when there is none) and
-- sums to user-day. Later stages read only this table, so it can run on another engine.
-- grain: one row per user key, UTC day, tool, model and tokens_reported
-- time column: usage_date
-- Generated from pipelines/engines/first_stage.py by `python -m pipelines.engines.compile`:
-- edit the Ibis expression, not this file.
SELECT
  "t16"."user_key",
  "t16"."usage_date",
  "t16"."tool",
  "t16"."model",
  "t16"."tokens_reported",
  SUM("t16"."source_rows") AS "source_rows",
  SUM("t16"."requests") AS "requests",
  SUM("t16"."input_tokens") AS "input_tokens",
  SUM("t16"."output_tokens") AS "output_tokens",
  SUM("t16"."cache_read_tokens") AS "cache_read_tokens",
  SUM("t16"."cache_write_tokens") AS "cache_write_tokens",
  SUM("t16"."reported_cost_micro_usd") AS "reported_cost_micro_usd",
  SUM("t16"."unpriced_input_tokens") AS "unpriced_input_tokens",
  SUM("t16"."unpriced_output_tokens") AS "unpriced_output_tokens",
  SUM("t16"."unpriced_cache_read_tokens") AS "unpriced_cache_read_tokens",
  SUM("t16"."unpriced_cache_write_tokens") AS "unpriced_cache_write_tokens",
  MAX("t16"."last_event_at") AS "last_event_at"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t10"."user_key",
      "t10"."usage_date",
      "t10"."tool",
      "t10"."model",
      "t10"."tokens_reported",
      "t10"."source_rows",
      "t10"."requests",
      "t10"."input_tokens",
      "t10"."output_tokens",
      "t10"."cache_read_tokens",
      "t10"."cache_write_tokens",
      "t10"."reported_cost_micro_usd",
      "t10"."unpriced_input_tokens",
      "t10"."unpriced_output_tokens",
      "t10"."unpriced_cache_read_tokens",
      "t10"."unpriced_cache_write_tokens",
      "t10"."last_event_at"
    FROM (
      SELECT
        "t7"."user_key",
        "t7"."tool",
        "t7"."model",
        "t7"."tokens_reported",
        "t7"."usage_date",
        COUNT(*) AS "source_rows",
        SUM("t7"."requests") AS "requests",
        SUM("t7"."input_tokens") AS "input_tokens",
        SUM("t7"."output_tokens") AS "output_tokens",
        SUM("t7"."cache_read_tokens") AS "cache_read_tokens",
        SUM("t7"."cache_write_tokens") AS "cache_write_tokens",
        COALESCE(SUM("t7"."reported_cost_micro_usd"), 0) AS "reported_cost_micro_usd",
        COALESCE(
          SUM(
            CASE
              WHEN "t7"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t7"."input_tokens"
            END
          ),
          0
        ) AS "unpriced_input_tokens",
        COALESCE(
          SUM(
            CASE
              WHEN "t7"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t7"."output_tokens"
            END
          ),
          0
        ) AS "unpriced_output_tokens",
        COALESCE(
          SUM(
            CASE
              WHEN "t7"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t7"."cache_read_tokens"
            END
          ),
          0
        ) AS "unpriced_cache_read_tokens",
        COALESCE(
          SUM(
            CASE
              WHEN "t7"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t7"."cache_write_tokens"
            END
          ),
          0
        ) AS "unpriced_cache_write_tokens",
        MAX("t7"."occurred_at") AS "last_event_at"
      FROM (
        SELECT
          "t6"."source_file",
          "t6"."source_row",
          "t6"."occurred_at",
          "t6"."usage_date",
          "t6"."user_key",
          "t6"."tool",
          "t6"."model",
          "t6"."input_tokens",
          "t6"."output_tokens",
          "t6"."cache_read_tokens",
          "t6"."cache_write_tokens",
          "t6"."requests",
          "t6"."reported_cost_micro_usd",
          "t6"."event_id",
          "t6"."tokens_reported",
          "t6"."reject_column",
          "t6"."reject_reason",
          "t6"."event_hash"
        FROM (
          SELECT
            "t4"."source_file",
            "t4"."source_row",
            "t4"."occurred_at",
            "t4"."usage_date",
            "t4"."user_key",
            "t4"."tool",
            "t4"."model",
            "t4"."input_tokens",
            "t4"."output_tokens",
            "t4"."cache_read_tokens",
            "t4"."cache_write_tokens",
            "t4"."requests",
            "t4"."reported_cost_micro_usd",
            "t4"."event_id",
            "t4"."tokens_reported",
            "t4"."reject_column",
            "t4"."reject_reason",
            HASH("t4"."event_id") AS "event_hash"
          FROM (
            SELECT
              *
            FROM "stg_input__ai_usage" AS "t0"
            WHERE
              "t0"."reject_reason" IS NULL AND "t0"."event_id" IS NOT NULL
          ) AS "t4"
        ) AS "t6"
        ANTI JOIN "int_ai_usage_repeated_event_hashes" AS "t2"
          ON "t6"."event_hash" = "t2"."event_hash"
      ) AS "t7"
      GROUP BY
        1,
        2,
        3,
        4,
        5
    ) AS "t10"
  ) AS "t11"
  UNION ALL
  SELECT
    *
  FROM (
    SELECT
      "t14"."user_key",
      "t14"."usage_date",
      "t14"."tool",
      "t14"."model",
      "t14"."tokens_reported",
      "t14"."source_rows",
      "t14"."requests",
      "t14"."input_tokens",
      "t14"."output_tokens",
      "t14"."cache_read_tokens",
      "t14"."cache_write_tokens",
      "t14"."reported_cost_micro_usd",
      "t14"."unpriced_input_tokens",
      "t14"."unpriced_output_tokens",
      "t14"."unpriced_cache_read_tokens",
      "t14"."unpriced_cache_write_tokens",
      "t14"."last_event_at"
    FROM (
      SELECT
        "t13"."user_key",
        "t13"."tool",
        "t13"."model",
        "t13"."tokens_reported",
        "t13"."usage_date",
        COUNT(*) AS "source_rows",
        SUM("t13"."requests") AS "requests",
        SUM("t13"."input_tokens") AS "input_tokens",
        SUM("t13"."output_tokens") AS "output_tokens",
        SUM("t13"."cache_read_tokens") AS "cache_read_tokens",
        SUM("t13"."cache_write_tokens") AS "cache_write_tokens",
        COALESCE(SUM("t13"."reported_cost_micro_usd"), 0) AS "reported_cost_micro_usd",
        COALESCE(
          SUM(
            CASE
              WHEN "t13"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t13"."input_tokens"
            END
          ),
          0
        ) AS "unpriced_input_tokens",
        COALESCE(
          SUM(
            CASE
              WHEN "t13"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t13"."output_tokens"
            END
          ),
          0
        ) AS "unpriced_output_tokens",
        COALESCE(
          SUM(
            CASE
              WHEN "t13"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t13"."cache_read_tokens"
            END
          ),
          0
        ) AS "unpriced_cache_read_tokens",
        COALESCE(
          SUM(
            CASE
              WHEN "t13"."reported_cost_micro_usd" IS NOT NULL
              THEN 0
              ELSE "t13"."cache_write_tokens"
            END
          ),
          0
        ) AS "unpriced_cache_write_tokens",
        MAX("t13"."occurred_at") AS "last_event_at"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t9"."occurred_at",
            "t9"."usage_date",
            "t9"."user_key",
            "t9"."tool",
            "t9"."model",
            "t9"."input_tokens",
            "t9"."output_tokens",
            "t9"."cache_read_tokens",
            "t9"."cache_write_tokens",
            "t9"."requests",
            "t9"."reported_cost_micro_usd",
            "t9"."tokens_reported"
          FROM (
            SELECT
              "t8"."source_file",
              "t8"."source_row",
              "t8"."occurred_at",
              "t8"."usage_date",
              "t8"."user_key",
              "t8"."tool",
              "t8"."model",
              "t8"."input_tokens",
              "t8"."output_tokens",
              "t8"."cache_read_tokens",
              "t8"."cache_write_tokens",
              "t8"."requests",
              "t8"."reported_cost_micro_usd",
              "t8"."event_id",
              "t8"."tokens_reported",
              "t8"."reject_column",
              "t8"."reject_reason",
              "t8"."event_hash",
              ROW_NUMBER() OVER (
                PARTITION BY "t8"."event_id"
                ORDER BY "t8"."source_file" ASC, "t8"."source_row" ASC
                ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING
              ) - 1 AS "copy"
            FROM (
              SELECT
                "t6"."source_file",
                "t6"."source_row",
                "t6"."occurred_at",
                "t6"."usage_date",
                "t6"."user_key",
                "t6"."tool",
                "t6"."model",
                "t6"."input_tokens",
                "t6"."output_tokens",
                "t6"."cache_read_tokens",
                "t6"."cache_write_tokens",
                "t6"."requests",
                "t6"."reported_cost_micro_usd",
                "t6"."event_id",
                "t6"."tokens_reported",
                "t6"."reject_column",
                "t6"."reject_reason",
                "t6"."event_hash"
              FROM (
                SELECT
                  "t4"."source_file",
                  "t4"."source_row",
                  "t4"."occurred_at",
                  "t4"."usage_date",
                  "t4"."user_key",
                  "t4"."tool",
                  "t4"."model",
                  "t4"."input_tokens",
                  "t4"."output_tokens",
                  "t4"."cache_read_tokens",
                  "t4"."cache_write_tokens",
                  "t4"."requests",
                  "t4"."reported_cost_micro_usd",
                  "t4"."event_id",
                  "t4"."tokens_reported",
                  "t4"."reject_column",
                  "t4"."reject_reason",
                  HASH("t4"."event_id") AS "event_hash"
                FROM (
                  SELECT
                    *
                  FROM "stg_input__ai_usage" AS "t0"
                  WHERE
                    "t0"."reject_reason" IS NULL AND "t0"."event_id" IS NOT NULL
                ) AS "t4"
              ) AS "t6"
              SEMI JOIN "int_ai_usage_repeated_event_hashes" AS "t2"
                ON "t6"."event_hash" = "t2"."event_hash"
            ) AS "t8"
          ) AS "t9"
          WHERE
            "t9"."copy" = 0
        ) AS "t12"
        UNION ALL
        SELECT
          *
        FROM (
          SELECT DISTINCT
            "t0"."occurred_at",
            "t0"."usage_date",
            "t0"."user_key",
            "t0"."tool",
            "t0"."model",
            "t0"."input_tokens",
            "t0"."output_tokens",
            "t0"."cache_read_tokens",
            "t0"."cache_write_tokens",
            "t0"."requests",
            "t0"."reported_cost_micro_usd",
            "t0"."tokens_reported"
          FROM "stg_input__ai_usage" AS "t0"
          WHERE
            "t0"."reject_reason" IS NULL AND "t0"."event_id" IS NULL
        ) AS "t3"
      ) AS "t13"
      GROUP BY
        1,
        2,
        3,
        4,
        5
    ) AS "t14"
  ) AS "t15"
) AS "t16"
GROUP BY
  1,
  2,
  3,
  4,
  5
