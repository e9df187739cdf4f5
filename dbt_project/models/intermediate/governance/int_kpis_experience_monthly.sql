-- The experience KPIs the governance scorecard tracks, one row per KPI x segment x month in a
-- long format shared with the other KPI models: value = numerator / denominator for every KPI
-- (so periods and segments can be pooled by summing both), null when the denominator is 0.
with

months as (

    select month from {{ ref('int_months_spined') }}

),

segments as (

    select distinct segment from {{ ref('int_accounts_lifecycle') }}
    union all
    select 'all' as segment

),

responses as (

    select * from {{ ref('int_survey_responses_joined') }}

),

commitments as (

    select * from {{ ref('int_commitments_classified') }}

),

complaints as (

    select * from {{ ref('int_complaints_timed') }}

),

-- each fact row once for its segment and once for 'all'
response_segments as (

    select response_month as month, segment, nps_category, nps_score, is_ces_agree,
        ces_score, is_csat_satisfied, csat_score
    from responses
    union all
    select response_month as month, 'all' as segment, nps_category, nps_score, is_ces_agree,
        ces_score, is_csat_satisfied, csat_score
    from responses

),

commitment_segments as (

    select due_month as month, segment, is_kept_on_time, is_kept_late, is_broken,
        is_open_overdue
    from commitments
    union all
    select due_month as month, 'all' as segment, is_kept_on_time, is_kept_late, is_broken,
        is_open_overdue
    from commitments

),

complaint_segments as (

    select opened_month as month, segment, hours_to_first_response
    from complaints
    union all
    select opened_month as month, 'all' as segment, hours_to_first_response
    from complaints

),

survey_counts as (

    select
        month,
        segment,
        count(nps_score) as nps_responses,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractors,
        count(ces_score) as ces_responses,
        coalesce(sum(is_ces_agree), 0) as ces_agreeing,
        count(csat_score) as csat_responses,
        coalesce(sum(is_csat_satisfied), 0) as csat_satisfied

    from response_segments
    group by month, segment

),

promise_counts as (

    select
        month,
        segment,
        sum(is_kept_on_time) as kept_on_time,
        sum(is_kept_late) as kept_late,
        sum(is_broken) as broken,
        sum(is_open_overdue) as open_overdue

    from commitment_segments
    group by month, segment

),

complaint_counts as (

    select
        month,
        segment,
        coalesce(sum(hours_to_first_response), 0) as first_response_hours,
        count(hours_to_first_response) as complaints_responded

    from complaint_segments
    group by month, segment

),

kpi_rows as (

    select
        'nps' as kpi,
        segment,
        month,
        {{ nps('cast(promoters as double)', 'cast(detractors as double)', 'nps_responses') }}
            as value,
        100.0 * (promoters - detractors) as numerator,
        nps_responses as denominator
    from survey_counts

    union all

    select
        'ces_agree_share' as kpi,
        segment,
        month,
        {{ ces_agree_share('ces_agreeing', 'ces_responses') }} as value,
        ces_agreeing as numerator,
        ces_responses as denominator
    from survey_counts

    union all

    select
        'csat_share' as kpi,
        segment,
        month,
        {{ csat_share('csat_satisfied', 'csat_responses') }} as value,
        csat_satisfied as numerator,
        csat_responses as denominator
    from survey_counts

    union all

    select
        'promise_kept_rate' as kpi,
        segment,
        month,
        {{ promise_kept_rate('kept_on_time', 'kept_late', 'broken', 'open_overdue') }} as value,
        kept_on_time as numerator,
        kept_on_time + kept_late + broken + open_overdue as denominator
    from promise_counts

    union all

    select
        'complaint_first_response_hours' as kpi,
        segment,
        month,
        {{ share('cast(first_response_hours as double)', 'complaints_responded') }} as value,
        first_response_hours as numerator,
        complaints_responded as denominator
    from complaint_counts

),

kpis as (

    select 'nps' as kpi
    union all select 'ces_agree_share'
    union all select 'csat_share'
    union all select 'promise_kept_rate'
    union all select 'complaint_first_response_hours'

),

-- every KPI for every segment and calendar month, so a month without data reads as a null
-- value rather than a missing row
final as (

    select
        cast(kpis.kpi as {{ dbt.type_string() }}) as kpi,
        cast(segments.segment as {{ dbt.type_string() }}) as segment,
        months.month,
        cast(kpi_rows.value as double) as value,
        cast(coalesce(kpi_rows.numerator, 0) as double) as numerator,
        cast(coalesce(kpi_rows.denominator, 0) as double) as denominator

    from kpis
    cross join segments
    cross join months
    left join kpi_rows
        on kpis.kpi = kpi_rows.kpi
        and segments.segment = kpi_rows.segment
        and months.month = kpi_rows.month

)

select * from final
