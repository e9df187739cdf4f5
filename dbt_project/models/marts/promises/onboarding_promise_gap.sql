-- For every account won in the reporting window: what we promised in the sale and at
-- onboarding, what we kept, and how the onboarding felt to the customer.
with

lifecycle as (

    select * from {{ ref('int_accounts_lifecycle') }}

),

months as (

    select * from {{ ref('int_months_spined') }}

),

commitments as (

    select * from {{ ref('int_commitments_classified') }}
    where phase in ('pre_sale', 'onboarding')

),

responses as (

    select * from {{ ref('int_survey_responses_joined') }}

),

acquired as (

    select lifecycle.*
    from lifecycle
    where lifecycle.cohort_month >= (select min(month) from months)
        and lifecycle.cohort_month <= (select max(month) from months)

),

promises as (

    select
        account_id,
        sum(case when phase = 'pre_sale' then 1 else 0 end) as promises_pre_sale,
        sum(case when phase = 'onboarding' then 1 else 0 end) as promises_onboarding,
        count(*) as promises_made,
        sum(is_kept_on_time) as kept_on_time,
        sum(is_kept_late) as kept_late,
        sum(is_broken) as broken,
        sum(is_open_overdue) as open_overdue,
        sum(is_open_not_due) as open_not_due

    from commitments
    group by account_id

),

onboarding_scores as (

    select
        account_id,
        count(*) as onboarding_responses,
        count(csat_score) as onboarding_csat_responses,
        coalesce(sum(is_csat_satisfied), 0) as onboarding_csat_satisfied,
        sum(case when has_gap_scores then 1 else 0 end) as onboarding_gap_responses,
        sum(case when has_gap_scores then expectation_score end) as expectation_total,
        sum(case when has_gap_scores then experience_score end) as experience_total

    from responses
    where journey_stage = 'onboarding'
    group by account_id

),

relationship_scores as (

    select
        account_id,
        count(*) as relationship_nps_responses,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractors

    from responses
    where survey_type = 'relationship'
        and nps_score is not null
    group by account_id

),

final as (

    select
        cast(acquired.account_id as {{ dbt.type_string() }}) as account_id,
        cast(acquired.segment as {{ dbt.type_string() }}) as segment,
        acquired.cohort_month,
        cast(acquired.owner_rep_id as {{ dbt.type_string() }}) as owner_rep_id,
        cast(acquired.acquisition_channel as {{ dbt.type_string() }}) as acquisition_channel,
        cast(coalesce(promises.promises_pre_sale, 0) as bigint) as promises_pre_sale,
        cast(coalesce(promises.promises_onboarding, 0) as bigint) as promises_onboarding,
        cast(coalesce(promises.promises_made, 0) as bigint) as promises_made,
        cast(coalesce(promises.kept_on_time, 0) as bigint) as kept_on_time,
        cast(coalesce(promises.kept_late, 0) as bigint) as kept_late,
        cast(coalesce(promises.broken, 0) as bigint) as broken,
        cast(coalesce(promises.open_overdue, 0) as bigint) as open_overdue,
        cast({{ promise_kept_rate(
            'coalesce(promises.kept_on_time, 0)', 'coalesce(promises.kept_late, 0)',
            'coalesce(promises.broken, 0)', 'coalesce(promises.open_overdue, 0)'
        ) }} as double) as promise_kept_rate,
        cast(coalesce(onboarding_scores.onboarding_responses, 0) as bigint) as onboarding_responses,
        cast(coalesce(onboarding_scores.onboarding_csat_responses, 0) as bigint)
            as onboarding_csat_responses,
        cast({{ csat_share(
            'onboarding_scores.onboarding_csat_satisfied', 'onboarding_scores.onboarding_csat_responses'
        ) }} as double) as onboarding_csat_share,
        cast(coalesce(onboarding_scores.onboarding_gap_responses, 0) as bigint)
            as onboarding_gap_responses,
        cast({{ experience_gap(
            'onboarding_scores.experience_total', 'onboarding_scores.expectation_total',
            'onboarding_scores.onboarding_gap_responses'
        ) }} as double) as onboarding_experience_gap,
        cast(coalesce(relationship_scores.relationship_nps_responses, 0) as bigint)
            as relationship_nps_responses,
        cast({{ nps(
            'cast(relationship_scores.promoters as double)',
            'cast(relationship_scores.detractors as double)',
            'relationship_scores.relationship_nps_responses'
        ) }} as double) as relationship_nps,
        not acquired.is_active as has_churned

    from acquired
    left join promises
        on acquired.account_id = promises.account_id
    left join onboarding_scores
        on acquired.account_id = onboarding_scores.account_id
    left join relationship_scores
        on acquired.account_id = relationship_scores.account_id

)

select * from final
