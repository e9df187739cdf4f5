-- Thin select: all logic lives in the dbt mart, reports only read it.
-- The free-text `description` stays out of the site; pages count promises by status.
select
  commitment_id, account_id, segment, rep_id, team, opportunity_id, phase, category,
  made_date, due_date, due_month, delivered_date, source_status, commitment_status,
  delivery_lag_days, as_of_date
from marts.commitments
