-- NPS per segment per month, from responses that carry an NPS score.
with

responses as (

    select * from {{ ref('int_survey_responses_joined') }}
    where nps_score is not null

),

counted as (

    select
        response_month as month,
        segment,
        count(*) as responses,
        sum(case when nps_category = 'promoter' then 1 else 0 end) as promoters,
        sum(case when nps_category = 'passive' then 1 else 0 end) as passives,
        sum(case when nps_category = 'detractor' then 1 else 0 end) as detractors

    from responses
    group by response_month, segment

),

final as (

    select
        month,
        segment,
        cast(responses as bigint) as responses,
        cast(promoters as bigint) as promoters,
        cast(passives as bigint) as passives,
        cast(detractors as bigint) as detractors,
        cast({{ nps('promoters', 'detractors', 'responses') }} as double) as nps,
        cast({{ nps_margin_of_error('promoters', 'detractors', 'responses') }} as double)
            as nps_margin_of_error

    from counted

)

select * from final
