{#- Early-warning risk score, written once. Definitions: docs/metrics.md#risk-score.
    Every signal is a 0/1 flag computed in int_accounts_risk_signals with the thresholds below;
    the score is their weighted sum, 0..100. -#}

{#- Weight of each signal in points; they add up to 100. -#}
{% macro risk_score_weights() -%}
    {{ return({
        'score_decline': 25,
        'silence': 15,
        'late_payment': 30,
        'open_complaint': 15,
        'spend_decline': 15,
    }) }}
{%- endmacro %}

{#- Risk score 0..100: the weighted sum of the five 0/1 signal flags (a missing flag counts 0). -#}
{% macro risk_score(score_decline_flag, silence_flag, late_payment_flag, open_complaint_flag, spend_decline_flag) -%}
    {%- set w = risk_score_weights() -%}
    (
        {{ w['score_decline'] }} * coalesce({{ score_decline_flag }}, 0)
        + {{ w['silence'] }} * coalesce({{ silence_flag }}, 0)
        + {{ w['late_payment'] }} * coalesce({{ late_payment_flag }}, 0)
        + {{ w['open_complaint'] }} * coalesce({{ open_complaint_flag }}, 0)
        + {{ w['spend_decline'] }} * coalesce({{ spend_decline_flag }}, 0)
    )
{%- endmacro %}

{#- A customer is at risk from this score upwards: the one place the cut-off is set. -#}
{% macro risk_at_risk_threshold() -%}
    {{ return(40) }}
{%- endmacro %}

{#- Signal thresholds, in the signals' own units (calibrated on the demo extract with the
    early_warning_backtest mart; revisit them on real data the same way):
    - scores: the last three months' mean NPS (0-10) fell by nps_drop_points or more against the
      prior three months, or CSAT (1-5) by csat_drop_points; or the last three months' mean is
      itself poor: NPS at or below nps_low (detractor territory), CSAT at or below csat_low;
    - silence: no activity or survey response for more than silent_days, or no activity in the
      last three months after at least activities_before_silence in the prior three;
    - spend: invoiced revenue of the last three months below spend_drop_ratio x the prior three. -#}
{% macro risk_signal_thresholds() -%}
    {{ return({
        'nps_drop_points': 3,
        'csat_drop_points': 1.5,
        'nps_low': 6,
        'csat_low': 2.5,
        'silent_days': 90,
        'activities_before_silence': 2,
        'spend_drop_ratio': 0.95,
    }) }}
{%- endmacro %}
