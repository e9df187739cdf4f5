{#- Shared ratio formulas, written once. Definitions and sources: docs/metrics.md. -#}

{#- A share in 0..1; null when the denominator is zero (no data is not 0%). -#}
{% macro share(numerator, denominator) -%}
    (1.0 * ({{ numerator }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{#- Logo churn: customers lost in the period / customers at its start. -#}
{% macro logo_churn_rate(customers_lost, customers_at_start) -%}
    {{ share(customers_lost, customers_at_start) }}
{%- endmacro %}

{#- Cohort retention: cohort members still customers in period k / cohort size at period 0. -#}
{% macro cohort_retention(retained, cohort_size) -%}
    {{ share(retained, cohort_size) }}
{%- endmacro %}

{#- Gross revenue retention over existing customers (new customers excluded):
    (start MRR - contraction - churned MRR) / start MRR, capped at 1 (never above 100%). -#}
{% macro gross_revenue_retention(start_mrr, contraction_mrr, churned_mrr) -%}
    least(1.0, {{ share(
        '(' ~ start_mrr ~ ') - (' ~ contraction_mrr ~ ') - (' ~ churned_mrr ~ ')', start_mrr
    ) }})
{%- endmacro %}

{#- Net revenue retention: GRR's numerator plus expansion; may exceed 1. -#}
{% macro net_revenue_retention(start_mrr, expansion_mrr, contraction_mrr, churned_mrr) -%}
    {{ share(
        '(' ~ start_mrr ~ ') + (' ~ expansion_mrr ~ ') - (' ~ contraction_mrr ~ ') - (' ~ churned_mrr ~ ')',
        start_mrr
    ) }}
{%- endmacro %}
