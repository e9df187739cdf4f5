-- Survey responses with the responding account's segment and region, and each score's category.
-- The survey-response fact: a large, append-mostly table, so it is built incrementally from the
-- batches loaded since the last run (a re-delivered response replaces its older version; the
-- post-hook drops responses a re-delivered file no longer carries, as the loader drops them
-- from raw).
-- An account's segment is taken when its responses are loaded; after re-segmenting accounts run
-- `dbt build --full-refresh --select int_survey_responses_joined+`.
-- Spark's Parquet tables have no delete, so there the fact is rebuilt whole (a plain table).
{%- set incremental = target.type != 'spark' %}
{{
    config(
        materialized='incremental' if incremental else 'table',
        unique_key='response_id',
        incremental_strategy='delete+insert' if incremental else none,
        on_schema_change='fail',
        post_hook=[
            "delete from {{ this }} where response_id not in (select response_id from {{ ref('stg_survey__responses') }})"
        ] if incremental else []
    )
}}

with

responses as (

    select * from {{ ref('stg_survey__responses') }}
    {% if is_incremental() %}
    -- coalesce: an empty table (nothing loaded yet on the first run) must not block later loads
    where batch_id > (select coalesce(max(batch_id), -1) from {{ this }})
    {% endif %}

),

accounts as (

    select * from {{ ref('stg_crm__accounts') }}

),

final as (

    select
        responses.response_id,
        responses.account_id,
        responses.survey_type,
        responses.journey_stage,
        responses.touchpoint,
        responses.responded_date,
        cast({{ dbt.date_trunc('month', 'responses.responded_date') }} as date) as response_month,
        accounts.segment,
        accounts.region,
        responses.nps_score,
        {{ nps_category('responses.nps_score') }} as nps_category,
        responses.ces_score,
        responses.csat_score,
        responses.expectation_score,
        responses.experience_score,
        {{ ces_is_agree('responses.ces_score') }} as is_ces_agree,
        {{ csat_is_satisfied('responses.csat_score') }} as is_csat_satisfied,
        -- the gap is only meaningful when both sides of the comparison were answered
        responses.expectation_score is not null
            and responses.experience_score is not null as has_gap_scores,
        responses.batch_id

    from responses
    inner join accounts
        on responses.account_id = accounts.account_id

)

select * from final
