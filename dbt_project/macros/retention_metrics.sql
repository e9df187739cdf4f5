{#- Retention, revenue-retention movement and value formulas, written once.
    Definitions and sources: docs/metrics.md. The shared ratios (share,
    logo_churn_rate, cohort_retention, gross/net_revenue_retention) live in macros/ratios.sql. -#}

{#- Logo retention: 1 - logo churn; null when nobody was a customer at the start. -#}
{% macro logo_retention_rate(customers_lost, customers_at_start) -%}
    (1.0 - {{ logo_churn_rate(customers_lost, customers_at_start) }})
{%- endmacro %}

{#- Per account and month, among customers at the start: the MRR lost to logo churn. A customer
    who leaves takes all of its opening MRR with it. -#}
{% macro retention_churned_mrr(churned_in_month, mrr_at_start) -%}
    (case when {{ churned_in_month }} then {{ mrr_at_start }} else 0 end)
{%- endmacro %}

{#- Contraction: the drop in MRR of a customer that stayed (null while next month's MRR is
    unknown). -#}
{% macro retention_contraction_mrr(churned_in_month, mrr_at_start, mrr_at_next_start) -%}
    (case
        when {{ mrr_at_next_start }} is null then null
        when {{ churned_in_month }} then 0
        when {{ mrr_at_next_start }} < {{ mrr_at_start }}
            then {{ mrr_at_start }} - {{ mrr_at_next_start }}
        else 0
    end)
{%- endmacro %}

{#- Expansion: the rise in MRR of a customer that stayed (null while next month is unknown). -#}
{% macro retention_expansion_mrr(churned_in_month, mrr_at_start, mrr_at_next_start) -%}
    (case
        when {{ mrr_at_next_start }} is null then null
        when {{ churned_in_month }} then 0
        when {{ mrr_at_next_start }} > {{ mrr_at_start }}
            then {{ mrr_at_next_start }} - {{ mrr_at_start }}
        else 0
    end)
{%- endmacro %}

{#- Historic customer lifetime value: what the customer has been worth so far, invoiced revenue
    minus cost to serve. Predictive CLV is out of scope. -#}
{% macro historic_clv(invoiced_revenue, cost_to_serve) -%}
    (coalesce({{ invoiced_revenue }}, 0) - coalesce({{ cost_to_serve }}, 0))
{%- endmacro %}

{#- CLV/CAC: historic CLV per unit of acquisition cost; null without an acquisition cost. -#}
{% macro clv_cac_ratio(clv, acquisition_cost) -%}
    {{ share(clv, acquisition_cost) }}
{%- endmacro %}

{#- Expected customer lifetime in years at an annual retention rate r: 1 / (1 - r), the mean of
    a geometric lifetime. Null when r is unknown or not below 1 (the lifetime would be endless). -#}
{% macro retention_expected_lifetime_years(annual_retention) -%}
    (case when ({{ annual_retention }}) < 1 then 1.0 / (1.0 - ({{ annual_retention }})) end)
{%- endmacro %}

{#- The churn taxonomy of the landing contract (contract.py CHURN_REASONS), in its order, so a
    reason nobody gave still gets a row with 0. -#}
{% macro retention_churn_reasons() -%}
    {{ return([
        'unfulfilled_promise',
        'below_par_experience',
        'value_vs_price',
        'communication_breakdown',
        'lack_of_care',
        'other',
    ]) }}
{%- endmacro %}

{#- The retention-economics scenario: how many points of annual retention it adds. -#}
{% macro retention_scenario_uplift_points() -%}
    {{ return(0.05) }}
{%- endmacro %}
