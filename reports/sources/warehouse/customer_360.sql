-- Thin select: all logic lives in the dbt mart, reports only read it.
-- Account ids and attributes only: the owner rep's display name stays out of the site
-- (pages show owner_rep_id and owner_team).
select
  account_id, segment, region, industry, acquisition_channel, created_date, cohort_month,
  tenure_months, status, churn_date, churn_reason, current_journey_stage, latest_nps_category,
  historic_clv, loyalty_segment, is_incentive_driven, health_score, is_churn_risk,
  owner_rep_id, owner_team
from marts.customer_360
