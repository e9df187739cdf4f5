{#- Contract constraints on Spark tables stored as Parquet.

    DuckDB enforces a contract's `not_null` (and `check`) constraints in the table's DDL: a
    violating row fails the model and its children are skipped. dbt-spark can only declare
    constraints on Delta tables (ALTER COLUMN ... SET NOT NULL); on Parquet it fails with
    UNSUPPORTED_FEATURE.TABLE_OPERATION. Delta's jars are not available offline, so on Spark the
    same constraints are checked with a query after the table is written, and a violation fails
    the model just as on DuckDB. On Delta or Iceberg tables dbt-spark's own DDL is used. -#}
{% macro spark__persist_constraints(relation, model) %}
    {%- set contract_config = config.get('contract') -%}
    {%- if not contract_config.enforced -%}
        {{ return('') }}
    {%- endif -%}
    {%- if config.get('file_format') in ['delta', 'iceberg'] -%}
        {% do alter_table_add_constraints(relation, model.constraints) %}
        {% do alter_column_set_constraints(relation, model.columns) %}
        {{ return('') }}
    {%- endif -%}
    {%- set checks = [] -%}
    {%- for column_name, column in model.columns.items() -%}
        {%- set quoted = adapter.quote(column_name) if column.get('quote') else column_name -%}
        {%- for constraint in column.get('constraints', []) -%}
            {%- if constraint.type == 'not_null' -%}
                {%- do checks.append((column_name ~ ' not null', quoted ~ ' is null')) -%}
            {%- elif constraint.type == 'check' and constraint.expression -%}
                {%- do checks.append((column_name ~ ' check (' ~ constraint.expression ~ ')',
                    'not coalesce((' ~ constraint.expression ~ '), true)')) -%}
            {%- endif -%}
        {%- endfor -%}
    {%- endfor -%}
    {%- for constraint in model.constraints -%}
        {%- if constraint.type == 'check' and constraint.expression -%}
            {%- do checks.append(('check (' ~ constraint.expression ~ ')',
                'not coalesce((' ~ constraint.expression ~ '), true)')) -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if checks | length == 0 -%}
        {{ return('') }}
    {%- endif -%}
    {%- set counts = [] -%}
    {%- for check in checks -%}
        {%- do counts.append('count_if(' ~ check[1] ~ ') as c' ~ loop.index) -%}
    {%- endfor -%}
    {%- set result = run_query('select ' ~ counts | join(', ') ~ ' from ' ~ relation) -%}
    {%- set violated = [] -%}
    {%- for check in checks -%}
        {%- set n = result.columns[loop.index0].values()[0] -%}
        {%- if n and n > 0 -%}
            {%- do violated.append(check[0] ~ ': ' ~ n ~ ' row(s)') -%}
        {%- endif -%}
    {%- endfor -%}
    {%- if violated -%}
        {{ exceptions.raise_compiler_error(
            'Contract constraint violated in ' ~ relation ~ ': ' ~ violated | join('; ')
        ) }}
    {%- endif -%}
{% endmacro %}
