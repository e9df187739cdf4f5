-- Every logged contact with a customer, with its month and quarter and the flags the contact
-- marts count. The activities fact: large and append-mostly, so it is built incrementally from
-- the batches loaded since the last run (a re-delivered activity replaces its older version;
-- the post-hook drops activities a re-delivered file no longer carries, as the loader drops
-- them from raw).
-- After changing this model's logic run `dbt build --full-refresh --select int_activities_classified+`.
-- Spark's Parquet tables have no delete, so there the fact is rebuilt whole (a plain table).
{%- set incremental = target.type != 'spark' %}
{{
    config(
        materialized='incremental' if incremental else 'table',
        unique_key='activity_id',
        incremental_strategy='delete+insert' if incremental else none,
        on_schema_change='fail',
        post_hook=[
            "delete from {{ this }} where activity_id not in (select activity_id from {{ ref('stg_crm__activities') }})"
        ] if incremental else []
    )
}}

with

activities as (

    select * from {{ ref('stg_crm__activities') }}
    {% if is_incremental() %}
    -- coalesce: an empty table (nothing loaded yet on the first run) must not block later loads
    where batch_id > (select coalesce(max(batch_id), -1) from {{ this }})
    {% endif %}

),

final as (

    select
        activity_id,
        account_id,
        rep_id,
        activity_date,
        cast({{ dbt.date_trunc('month', 'activity_date') }} as date) as activity_month,
        cast({{ dbt.date_trunc('quarter', 'activity_date') }} as date) as activity_quarter,
        channel,
        initiative,
        activity_type,
        duration_minutes,
        case_id,
        opportunity_id,
        case when initiative = 'proactive' then 1 else 0 end as is_proactive,
        -- relationship contact that is not part of selling or renewing a deal
        case when opportunity_id is null then 1 else 0 end as is_without_deal,
        batch_id

    from activities

)

select * from final
