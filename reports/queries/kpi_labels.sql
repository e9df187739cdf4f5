-- How each governance KPI is named and formatted on the pages (value, and change in the KPI's
-- unit: percentage points for shares), and where it is defined (an anchor on /definitions). Display only: the KPI values come from marts.kpi_scorecard.
select * from (
  values
    ('nps', 'NPS', '#,##0.0', '+#,##0.0;-#,##0.0;0.0', 1, 'nps'),
    ('ces_agree_share', 'CES % agreeing', 'pct1', '+0.0%;-0.0%;0.0%', 2, 'ces'),
    ('csat_share', 'CSAT % satisfied', 'pct1', '+0.0%;-0.0%;0.0%', 3, 'csat'),
    ('logo_churn_rate', 'Logo churn (monthly)', 'pct1', '+0.0%;-0.0%;0.0%', 4, 'logo-churn'),
    ('grr', 'Gross revenue retention', 'pct1', '+0.0%;-0.0%;0.0%', 5, 'grr'),
    ('nrr', 'Net revenue retention', 'pct1', '+0.0%;-0.0%;0.0%', 6, 'nrr'),
    ('promise_kept_rate', 'Promise-keeping rate', 'pct1', '+0.0%;-0.0%;0.0%', 7, 'promise-keeping-rate'),
    ('complaint_first_response_hours', 'Complaint 1st response (h)', '#,##0.0', '+#,##0.0;-#,##0.0;0.0', 8, 'complaint-handling-times-and-targets')
) as t(kpi, kpi_label, value_fmt, change_fmt, sort_order, definition_anchor)
