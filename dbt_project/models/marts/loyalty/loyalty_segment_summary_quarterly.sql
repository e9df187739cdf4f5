-- Active customers per quarter by loyalty group, where they came from and what placed them
-- there, for each segment x region: the counts behind the loyalty pages, summed from
-- loyalty_segment_transitions.
with

transitions as (

    select * from {{ ref('loyalty_segment_transitions') }}

),

report_groups as (

    select * from {{ ref('int_accounts_report_grouped') }}

),

active_transitions as (

    select
        transitions.quarter,
        transitions.segment,
        report_groups.region as region,
        transitions.loyalty_segment,
        coalesce(transitions.previous_loyalty_segment, 'new_this_quarter')
            as previous_loyalty_segment,
        transitions.is_satisfied,
        transitions.is_loyal,
        transitions.is_incentive_driven,
        transitions.has_moved

    from transitions
    left join report_groups on transitions.account_id = report_groups.account_id
    where transitions.is_active

),

final as (

    select
        quarter,
        segment,
        region,
        loyalty_segment,
        previous_loyalty_segment,
        is_satisfied,
        is_loyal,
        is_incentive_driven,
        has_moved,
        cast(count(*) as bigint) as customers

    from active_transitions
    group by
        quarter,
        segment,
        region,
        loyalty_segment,
        previous_loyalty_segment,
        is_satisfied,
        is_loyal,
        is_incentive_driven,
        has_moved

)

select * from final
