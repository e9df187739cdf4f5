with

source as (

    select * from {{ source('governance', 'kpi_targets') }}

),

latest as (

    -- every delivery is kept in raw; the latest version of each key is the current one
    {{ latest_version('source', ['kpi', 'segment', 'period_start']) }}

),

renamed as (

    select
        kpi,
        segment,
        period_start,
        period_end,
        target,
        amber_threshold,
        direction,
        _batch_id as batch_id

    from latest

)

select * from renamed
