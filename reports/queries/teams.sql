-- Options for the team filter: teams that own accounts or make promises.
select distinct team, replace(team, '_', ' ') as team_label
from (
  select owner_team as team from warehouse.customer_summary
  union all
  select team from warehouse.promise_keeping_monthly where team <> 'all'
)
where team is not null and team <> 'unknown'
order by team
