-- Every KPI the committee tracks, one row per kpi per segment per month, from the areas that
-- define them (each KPI's formula lives in its own area; this model only stacks them).
with

retention as (

    select * from {{ ref('int_kpis_retention_monthly') }}

),

experience as (

    select * from {{ ref('int_kpis_experience_monthly') }}

),

final as (

    select kpi, segment, month, value, numerator, denominator from retention
    union all
    select kpi, segment, month, value, numerator, denominator from experience

)

select * from final
