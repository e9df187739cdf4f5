-- Every KPI against its target, per segment per month, with status and trend.
with

kpis as (

    select * from {{ ref('int_kpis_unioned') }}

),

targets as (

    select * from {{ ref('stg_governance__kpi_targets') }}

),

with_targets as (

    select
        kpis.kpi,
        kpis.segment,
        kpis.month,
        kpis.value,
        kpis.numerator,
        kpis.denominator,
        targets.target,
        targets.amber_threshold,
        coalesce(targets.direction, case
            when kpis.kpi in ('logo_churn_rate', 'complaint_first_response_hours')
                then 'lower_is_better'
            else 'higher_is_better'
        end) as direction

    from kpis
    left join targets
        on kpis.kpi = targets.kpi
        and kpis.segment = targets.segment
        and kpis.month between targets.period_start and targets.period_end

),

with_previous as (

    select
        *,
        lag(value) over (partition by kpi, segment order by month) as previous_value

    from with_targets

),

final as (

    select
        cast(kpi as {{ dbt.type_string() }}) as kpi,
        cast(segment as {{ dbt.type_string() }}) as segment,
        month,
        cast(value as double) as value,
        cast(numerator as double) as numerator,
        cast(denominator as double) as denominator,
        cast(target as double) as target,
        cast(amber_threshold as double) as amber_threshold,
        cast(direction as {{ dbt.type_string() }}) as direction,
        cast({{ rag_status('value', 'target', 'amber_threshold', 'direction') }}
            as {{ dbt.type_string() }}) as rag_status,
        cast(previous_value as double) as previous_value,
        cast(value - previous_value as double) as change_vs_previous,
        cast({{ kpi_trend('value - previous_value', 'direction') }}
            as {{ dbt.type_string() }}) as trend,
        target is not null as has_target

    from with_previous

)

select * from final
