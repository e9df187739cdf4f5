-- Retention KPIs in the governance scorecard's long format (kpi, segment, month, value,
-- numerator, denominator), taken from the one model that computes them.
with

retention as (

    select * from {{ ref('int_retention_segments_aggregated') }}

),

final as (

    select
        cast('logo_churn_rate' as {{ dbt.type_string() }}) as kpi,
        segment,
        month,
        cast(logo_churn_rate as double) as value,
        cast(customers_lost as double) as numerator,
        cast(customers_at_start as double) as denominator
    from retention

    union all

    -- value is capped at 1; numerator / denominator is the uncapped ratio
    select
        cast('grr' as {{ dbt.type_string() }}) as kpi,
        segment,
        month,
        cast(grr as double) as value,
        cast(grr_numerator as double) as numerator,
        cast(start_mrr as double) as denominator
    from retention

    union all

    select
        cast('nrr' as {{ dbt.type_string() }}) as kpi,
        segment,
        month,
        cast(nrr as double) as value,
        cast(nrr_numerator as double) as numerator,
        cast(start_mrr as double) as denominator
    from retention

)

select * from final
