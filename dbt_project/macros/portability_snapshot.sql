{#- Snapshots on Spark tables stored as Parquet.

    dbt-spark's snapshot materialization only runs on Delta, Iceberg or Hudi tables (it ends in
    MERGE INTO) and stops with "Invalid file format: parquet" otherwise; none of those formats'
    jars are available offline. This project-level materialization (dbt prefers a root-project
    materialization over the adapter's) is dbt-spark's, with one change for Parquet: instead of
    MERGE, the new state of the snapshot table is computed into <snapshot>__dbt_new (current
    rows that changed or disappeared get their dbt_valid_to, new versions are appended) and
    written over the snapshot table with INSERT OVERWRITE. The result is the same table MERGE
    would leave, and the same one DuckDB's snapshot gives. On Delta/Iceberg/Hudi tables MERGE is
    used as before. -#}
{% macro spark_parquet_snapshot_rewrite_sql(target, staging, columns) -%}
    {%- set names = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() -%}
    {%- set valid_to = names.dbt_valid_to -%}
    {%- set scd_id = names.dbt_scd_id -%}
    {%- set current = config.get("dbt_valid_to_current") -%}
    {%- set is_current -%}
        {%- if current -%}
            (dest.{{ valid_to }} = {{ current }} or dest.{{ valid_to }} is null)
        {%- else -%}
            dest.{{ valid_to }} is null
        {%- endif -%}
    {%- endset -%}
    select
        {%- for column in columns %}
        {% if column.name | lower == valid_to | lower -%}
        case when closing.{{ scd_id }} is not null and {{ is_current }}
            then closing.{{ valid_to }} else dest.{{ valid_to }} end as {{ adapter.quote(column.name) }}
        {%- else -%}
        dest.{{ adapter.quote(column.name) }}
        {%- endif -%}
        {{ ',' if not loop.last }}
        {%- endfor %}
    from {{ target }} as dest
    left join (
        select {{ scd_id }}, {{ valid_to }}
        from {{ staging }}
        where dbt_change_type in ('update', 'delete')
    ) as closing
        on closing.{{ scd_id }} = dest.{{ scd_id }}
    union all
    select
        {%- for column in columns %}
        {{ adapter.quote(column.name) }}{{ ',' if not loop.last }}
        {%- endfor %}
    from {{ staging }}
    where dbt_change_type = 'insert'
{%- endmacro %}


{% materialization snapshot, adapter='spark' %}

  {%- set target_table = model.get('alias', model.get('name')) -%}

  {%- set strategy_name = config.get('strategy') -%}
  {%- set unique_key = config.get('unique_key') %}
  {%- set file_format = config.get('file_format') or 'parquet' -%}
  {%- set grant_config = config.get('grants') -%}
  {%- set merges = file_format in ['delta', 'iceberg', 'hudi'] -%}

  {% set target_relation_exists, target_relation = get_or_create_relation(
          database=none,
          schema=model.schema,
          identifier=target_table,
          type='table') -%}

  {%- if target_relation_exists and merges -%}
    {%- if not target_relation.is_delta and not target_relation.is_iceberg and not target_relation.is_hudi -%}
      {% do exceptions.raise_compiler_error(
          'The existing table ' ~ model.schema ~ '.' ~ target_table
          ~ " is in another format than 'delta' or 'iceberg' or 'hudi'") %}
    {% endif %}
  {% endif %}

  {% if not adapter.check_schema_exists(model.database, model.schema) %}
    {% do create_schema(model.schema) %}
  {% endif %}

  {%- if not target_relation.is_table -%}
    {% do exceptions.relation_wrong_type(target_relation, 'table') %}
  {%- endif -%}

  {{ run_hooks(pre_hooks, inside_transaction=False) }}

  {{ run_hooks(pre_hooks, inside_transaction=True) }}

  {% set strategy_macro = strategy_dispatch(strategy_name) %}
  {% set strategy = strategy_macro(model, "snapshotted_data", "source_data", model['config'], target_relation_exists) %}

  {% if not target_relation_exists %}

      {% set build_sql = build_snapshot_table(strategy, model['compiled_code']) %}
      {% set final_sql = create_table_as(False, target_relation, build_sql) %}

  {% else %}

      {% set columns = config.get("snapshot_table_column_names") or get_snapshot_table_column_names() %}

      {{ adapter.valid_snapshot_target(target_relation, columns) }}

      {% set staging_table = spark_build_snapshot_staging_table(strategy, sql, target_relation) %}

      {% do adapter.expand_target_column_types(from_relation=staging_table,
                                               to_relation=target_relation) %}

      {% set missing_columns = adapter.get_missing_columns(staging_table, target_relation)
                                   | rejectattr('name', 'equalto', 'dbt_change_type')
                                   | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                   | rejectattr('name', 'equalto', 'dbt_unique_key')
                                   | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                   | list %}

      {% do create_columns(target_relation, missing_columns) %}

      {% if merges %}
        {% set source_columns = adapter.get_columns_in_relation(staging_table)
                                     | rejectattr('name', 'equalto', 'dbt_change_type')
                                     | rejectattr('name', 'equalto', 'DBT_CHANGE_TYPE')
                                     | rejectattr('name', 'equalto', 'dbt_unique_key')
                                     | rejectattr('name', 'equalto', 'DBT_UNIQUE_KEY')
                                     | list %}
        {% set quoted_source_columns = [] %}
        {% for column in source_columns %}
          {% do quoted_source_columns.append(adapter.quote(column.name)) %}
        {% endfor %}
        {% set final_sql = snapshot_merge_sql(
              target = target_relation,
              source = staging_table,
              insert_cols = quoted_source_columns
           ) %}
      {% else %}
        {#- Parquet: compute the new state aside, then overwrite the snapshot table with it -#}
        {% set target_columns = adapter.get_columns_in_relation(target_relation) %}
        {% set new_relation = target_relation.incorporate(
              path={'identifier': target_relation.identifier ~ '__dbt_new'}) %}
        {% do adapter.drop_relation(new_relation) %}
        {% call statement('build_snapshot_new_state') %}
          {{ create_table_as(False, new_relation,
                spark_parquet_snapshot_rewrite_sql(target_relation, staging_table, target_columns)) }}
        {% endcall %}
        {% set final_sql -%}
          insert overwrite table {{ target_relation }}
          select * from {{ new_relation }}
        {%- endset %}
      {% endif %}

  {% endif %}

  {% call statement('main') %}
      {{ final_sql }}
  {% endcall %}

  {% if new_relation is defined %}
      {% do adapter.drop_relation(new_relation) %}
  {% endif %}

  {% set should_revoke = should_revoke(target_relation_exists, full_refresh_mode) %}
  {% do apply_grants(target_relation, grant_config, should_revoke) %}

  {% do persist_docs(target_relation, model) %}

  {{ run_hooks(post_hooks, inside_transaction=True) }}

  {{ adapter.commit() }}

  {% if staging_table is defined %}
      {% do post_snapshot(staging_table) %}
  {% endif %}

  {{ run_hooks(post_hooks, inside_transaction=False) }}

  {{ return({'relations': [target_relation]}) }}

{% endmaterialization %}
