{#- Loyalty quadrant rules, written once. Definitions: docs/metrics.md#loyalty-segments.
    Satisfaction is what the customer says; loyalty is what it does. -#}

{#- Every threshold of the quadrants and of incentive-driven retention, in one place. -#}
{% macro loyalty_thresholds() -%}
    {{ return({
        'satisfied_min_csat': 4.0,
        'loyal_min_tenure_months': 24,
        'loyal_min_renewals_or_referrals': 1,
        'loyal_min_spend_trend': 0.9,
        'incentive_lookback_months': 12,
        'incentive_types': ['retention_offer', 'discount'],
    }) }}
{%- endmacro %}

{#- Satisfied: the latest relationship NPS answer is a promoter's; or a passive's with a mean
    CSAT over the last 12 months of at least satisfied_min_csat; or, without any relationship
    NPS answer, that CSAT alone. No survey data at all is not satisfied. -#}
{% macro loyalty_is_satisfied(latest_nps_category, csat_mean_12m) -%}
    {%- set t = loyalty_thresholds() -%}
    (case
        when {{ latest_nps_category }} = 'promoter' then true
        when {{ latest_nps_category }} = 'passive'
            and {{ csat_mean_12m }} >= {{ t['satisfied_min_csat'] }} then true
        when {{ latest_nps_category }} is null
            and {{ csat_mean_12m }} >= {{ t['satisfied_min_csat'] }} then true
        else false
    end)
{%- endmacro %}

{#- Loyal behaviour: still a customer, for at least loyal_min_tenure_months, that has renewed or
    referred at least loyal_min_renewals_or_referrals times and whose last six months' spend is at
    least loyal_min_spend_trend x the six before (no earlier spend to compare counts as kept). -#}
{% macro loyalty_is_loyal(is_active, tenure_months, renewals_count, referrals_made, spend_trend) -%}
    {%- set t = loyalty_thresholds() -%}
    (case
        when {{ is_active }}
            and {{ tenure_months }} >= {{ t['loyal_min_tenure_months'] }}
            and {{ renewals_count }} + {{ referrals_made }} >= {{ t['loyal_min_renewals_or_referrals'] }}
            and coalesce({{ spend_trend }}, 1.0) >= {{ t['loyal_min_spend_trend'] }}
            then true
        else false
    end)
{%- endmacro %}

{#- The four quadrants of satisfaction against loyal behaviour. -#}
{% macro loyalty_segment(is_satisfied, is_loyal) -%}
    (case
        when {{ is_satisfied }} and {{ is_loyal }} then 'loyal_advocate'
        when {{ is_satisfied }} then 'satisfied_not_loyal'
        when {{ is_loyal }} then 'loyal_not_satisfied'
        else 'detached'
    end)
{%- endmacro %}

{#- Incentive-driven retention: a customer that stays, received a retention offer or discount in
    the lookback window, and is not a promoter: it may be staying for the incentive. -#}
{% macro loyalty_is_incentive_driven(is_active, retention_incentives, latest_nps_category) -%}
    (case
        when {{ is_active }}
            and {{ retention_incentives }} > 0
            and coalesce({{ latest_nps_category }}, 'none') <> 'promoter'
            then true
        else false
    end)
{%- endmacro %}
