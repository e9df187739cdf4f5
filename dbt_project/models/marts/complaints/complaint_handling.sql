-- How fast we answer and resolve complaints, per month opened, severity and category, against
-- the severity's targets.
with

complaints as (

    select * from {{ ref('int_complaints_timed') }}

),

{%- set rollups = [
    ('severity_category', 'severity', 'category'),
    ('severity', 'severity', "'all'"),
    ('category', "'all'", 'category'),
    ('overall', "'all'", "'all'"),
] %}
complaint_rollups as (
{% for level, severity, category in rollups %}
    select
        opened_month as month,
        {{ severity }} as severity,
        {{ category }} as category,
        '{{ level }}' as rollup_level,
        hours_to_first_response,
        hours_to_resolution,
        is_first_response_within_target,
        is_resolution_within_target,
        is_open
    from complaints
    {% if not loop.last %}union all{% endif %}
{% endfor %}
),

counted as (

    select
        month,
        severity,
        category,
        rollup_level,
        count(*) as complaints_opened,
        count(hours_to_first_response) as complaints_responded,
        avg(hours_to_first_response) as mean_hours_to_first_response,
        {{ experience_median('hours_to_first_response') }} as median_hours_to_first_response,
        count(hours_to_resolution) as complaints_resolved,
        avg(hours_to_resolution) as mean_hours_to_resolution,
        {{ experience_median('hours_to_resolution') }} as median_hours_to_resolution,
        coalesce(sum(is_first_response_within_target), 0) as first_responses_within_target,
        count(is_first_response_within_target) as first_responses_judged,
        coalesce(sum(is_resolution_within_target), 0) as resolutions_within_target,
        count(is_resolution_within_target) as resolutions_judged,
        sum(is_open) as still_open

    from complaint_rollups
    group by month, severity, category, rollup_level

),

final as (

    select
        month,
        cast(severity as {{ dbt.type_string() }}) as severity,
        cast(category as {{ dbt.type_string() }}) as category,
        cast(rollup_level as {{ dbt.type_string() }}) as rollup_level,
        cast(complaints_opened as bigint) as complaints_opened,
        cast(complaints_responded as bigint) as complaints_responded,
        cast(mean_hours_to_first_response as double) as mean_hours_to_first_response,
        cast(median_hours_to_first_response as double) as median_hours_to_first_response,
        cast(complaints_resolved as bigint) as complaints_resolved,
        cast(mean_hours_to_resolution as double) as mean_hours_to_resolution,
        cast(median_hours_to_resolution as double) as median_hours_to_resolution,
        cast(first_responses_judged as bigint) as first_responses_judged,
        cast({{ share(
            'cast(first_responses_within_target as double)', 'first_responses_judged'
        ) }} as double)
            as share_first_response_within_target,
        cast(resolutions_judged as bigint) as resolutions_judged,
        cast({{ share('cast(resolutions_within_target as double)', 'resolutions_judged') }} as double)
            as share_resolution_within_target,
        cast(still_open as bigint) as still_open

    from counted

)

select * from final
