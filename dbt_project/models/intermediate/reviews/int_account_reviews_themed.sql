-- One row per theme raised in an account review (themes arrive as one ';'-separated string).
with

reviews as (

    select * from {{ ref('stg_survey__account_reviews') }}
    where themes is not null

),

split as (

    select
        review_id,
        account_id,
        rep_id,
        review_date,
        {{ split_to_rows('themes', ';') }} as theme

    from reviews

),

final as (

    -- a theme listed twice in one review counts once; stray spaces and empty items are noise
    select distinct
        review_id,
        account_id,
        rep_id,
        review_date,
        cast({{ dbt.date_trunc('month', 'review_date') }} as date) as review_month,
        trim(theme) as theme

    from split
    where trim(theme) <> ''

)

select * from final
