{#- The register as each pipeline run saw it: dbt records a new version whenever an action's
    status, due date, owner or team changes between runs. The history mart also reconstructs
    changes from every export delivered before the snapshot started. -#}
{% snapshot improvement_actions_snapshot %}
    {{ config(
        target_schema='snapshots',
        unique_key='action_id',
        strategy='check',
        check_cols=['status', 'due_date', 'owner', 'team', 'status_changed_date'],
    ) }}
    select * from {{ ref('stg_governance__improvement_actions') }}
{% endsnapshot %}
