-- Options for the segment filter: every commercial segment in the marts.
select distinct segment, replace(segment, '_', ' ') as segment_label
from warehouse.customer_summary
order by segment
