{#- Experience metric formulas (CES, CSAT, expectation-experience gap, NPS significance,
    friction points), written once. Definitions and sources: docs/metrics.md.
    Counts are passed in so the same formula serves any grain. -#}

{#- CES 1-7 ("the company made it easy"): 5-7 agrees. 1/0 per scored response, null when not
    asked, so sum() counts agreeing responses and count() counts CES responses. -#}
{% macro ces_is_agree(score) -%}
    case when {{ score }} >= 5 then 1 when {{ score }} is not null then 0 end
{%- endmacro %}

{#- CSAT 1-5: 4-5 is satisfied. Same 1/0/null convention as ces_is_agree. -#}
{% macro csat_is_satisfied(score) -%}
    case when {{ score }} >= 4 then 1 when {{ score }} is not null then 0 end
{%- endmacro %}

{#- Numerators are cast to double before dividing: Spark divides decimals (1.0 * n) to a
    fixed scale of six digits, DuckDB does not; doubles give both engines the same answer. -#}

{#- Share of CES responses agreeing (5-7), 0..1; null without CES responses. -#}
{% macro ces_agree_share(agreeing, ces_responses) -%}
    {{ share('cast(' ~ agreeing ~ ' as double)', ces_responses) }}
{%- endmacro %}

{#- Mean CES on the 1-7 scale from a score total and a response count; null without responses. -#}
{% macro ces_mean(score_total, ces_responses) -%}
    {{ share('cast(' ~ score_total ~ ' as double)', ces_responses) }}
{%- endmacro %}

{#- Share of CSAT responses that are satisfied (4-5), 0..1; null without CSAT responses. -#}
{% macro csat_share(satisfied, csat_responses) -%}
    {{ share('cast(' ~ satisfied ~ ' as double)', csat_responses) }}
{%- endmacro %}

{#- Expectation-experience gap in points of the 1-10 scale: mean experience minus mean
    expectation over responses that gave both (negative = below expectation). Totals are passed
    in so months can be pooled; null without such responses. -#}
{% macro experience_gap(experience_total, expectation_total, gap_responses) -%}
    (
        {{ share('cast(' ~ experience_total ~ ' as double)', gap_responses) }}
        - {{ share('cast(' ~ expectation_total ~ ' as double)', gap_responses) }}
    )
{%- endmacro %}

{#- A change between two NPS readings is significant at 95% only when their intervals
    (nps +/- margin) do not overlap. Conservative (non-overlap is stricter than a test of the
    difference); false whenever either reading is missing. -#}
{% macro nps_change_is_significant(nps, margin, previous_nps, previous_margin) -%}
    coalesce(
        abs(({{ nps }}) - ({{ previous_nps }})) > ({{ margin }}) + ({{ previous_margin }}),
        false
    )
{%- endmacro %}

{#- Friction points: the touchpoints ranked worst on effort (lowest mean CES, then most
    negative expectation-experience gap) over the latest months; how many and how many months. -#}
{% macro experience_friction_point_count() -%}3{%- endmacro %}
{% macro experience_friction_window_months() -%}3{%- endmacro %}

{#- Median of an expression; percentile_cont with an ordered set runs on DuckDB and Spark 3.3+. -#}
{% macro experience_median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{#- Relationship NPS "after" an account review: responses within this many days after it. -#}
{% macro experience_review_nps_window_days() -%}90{%- endmacro %}
