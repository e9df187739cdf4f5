{#- Shared ratio formulas, written once. Definitions and sources: docs/metrics.md. -#}

{#- A share in 0..1; null when the denominator is zero (no data is not 0%).
    A double on both engines: DuckDB's `/` returns a double; Spark's returns a decimal rounded
    to 6 places when an operand is a decimal, so Spark divides doubles (docs/portability.md). -#}
{% macro share(numerator, denominator) -%}
    {{ return(adapter.dispatch('share')(numerator, denominator)) }}
{%- endmacro %}

{% macro default__share(numerator, denominator) -%}
    (1.0 * ({{ numerator }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{% macro spark__share(numerator, denominator) -%}
    (cast(1.0 * ({{ numerator }}) as double) / nullif({{ denominator }}, 0))
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
{#- least() skips nulls on both engines, so the null case (no start MRR) is kept explicitly. -#}
{% macro gross_revenue_retention(start_mrr, contraction_mrr, churned_mrr) -%}
    {%- set ratio = share(
        '(' ~ start_mrr ~ ') - (' ~ contraction_mrr ~ ') - (' ~ churned_mrr ~ ')', start_mrr
    ) -%}
    case when {{ ratio }} is not null then least(1.0, {{ ratio }}) end
{%- endmacro %}

{#- Net revenue retention: GRR's numerator plus expansion; may exceed 1. -#}
{% macro net_revenue_retention(start_mrr, expansion_mrr, contraction_mrr, churned_mrr) -%}
    {{ share(
        '(' ~ start_mrr ~ ') + (' ~ expansion_mrr ~ ') - (' ~ contraction_mrr ~ ') - (' ~ churned_mrr ~ ')',
        start_mrr
    ) }}
{%- endmacro %}
