-- What customers raise in account reviews each month, and whether the accounts raising a theme
-- go on to score us lower in the relationship survey than the accounts that did not.
with

reviews as (

    select * from {{ ref('stg_survey__account_reviews') }}

),

review_themes as (

    select * from {{ ref('int_account_reviews_themed') }}

),

responses as (

    select * from {{ ref('int_survey_responses_joined') }}
    where survey_type = 'relationship'
        and nps_score is not null

),

themes as (

    select distinct theme from review_themes

),

-- relationship NPS answers the reviewed account gave in the window after each review
review_nps as (

    select
        reviews.review_id,
        count(*) as nps_responses,
        sum(case when responses.nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when responses.nps_category = 'detractor' then 1 else 0 end) as detractors

    from reviews
    inner join responses
        on reviews.account_id = responses.account_id
        and responses.responded_date > reviews.review_date
        and responses.responded_date
            <= {{ experience_add_days('reviews.review_date', experience_review_nps_window_days()) }}
    group by reviews.review_id

),

-- every review of the month against every theme, so "did not raise it" is explicit
review_theme_grid as (

    select
        reviews.review_id,
        reviews.account_id,
        cast({{ dbt.date_trunc('month', 'reviews.review_date') }} as date) as month,
        themes.theme,
        case when review_themes.review_id is not null then 1 else 0 end as raised,
        coalesce(review_nps.nps_responses, 0) as nps_responses,
        coalesce(review_nps.promoters, 0) as promoters,
        coalesce(review_nps.detractors, 0) as detractors

    from reviews
    cross join themes
    left join review_themes
        on reviews.review_id = review_themes.review_id
        and themes.theme = review_themes.theme
    left join review_nps
        on reviews.review_id = review_nps.review_id

),

counted as (

    select
        month,
        theme,
        count(*) as reviews_held,
        sum(raised) as reviews_raising_theme,
        count(distinct case when raised = 1 then account_id end) as accounts_raising_theme,
        sum(case when raised = 1 then nps_responses else 0 end) as nps_responses_with_theme,
        sum(case when raised = 1 then promoters else 0 end) as promoters_with_theme,
        sum(case when raised = 1 then detractors else 0 end) as detractors_with_theme,
        sum(case when raised = 0 then nps_responses else 0 end) as nps_responses_without_theme,
        sum(case when raised = 0 then promoters else 0 end) as promoters_without_theme,
        sum(case when raised = 0 then detractors else 0 end) as detractors_without_theme

    from review_theme_grid
    group by month, theme

),

scored as (

    select
        counted.*,
        {{ nps(
            'cast(promoters_with_theme as double)', 'cast(detractors_with_theme as double)',
            'nps_responses_with_theme'
        ) }} as relationship_nps_with_theme,
        {{ nps(
            'cast(promoters_without_theme as double)', 'cast(detractors_without_theme as double)',
            'nps_responses_without_theme'
        ) }} as relationship_nps_without_theme

    from counted

),

final as (

    select
        month,
        cast(theme as {{ dbt.type_string() }}) as theme,
        cast(reviews_held as bigint) as reviews_held,
        cast(reviews_raising_theme as bigint) as reviews_raising_theme,
        cast(accounts_raising_theme as bigint) as accounts_raising_theme,
        cast(nps_responses_with_theme as bigint) as nps_responses_with_theme,
        cast(relationship_nps_with_theme as double) as relationship_nps_with_theme,
        cast(nps_responses_without_theme as bigint) as nps_responses_without_theme,
        cast(relationship_nps_without_theme as double) as relationship_nps_without_theme,
        cast(relationship_nps_with_theme - relationship_nps_without_theme as double)
            as relationship_nps_difference

    from scored

)

select * from final
