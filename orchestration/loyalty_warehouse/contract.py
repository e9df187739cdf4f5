"""The landing contract: the files a company exports, one folder per source system.

This module is the single definition of every landing entity, its columns, types, units and
allowed values. The loader validates against it, `docs/landing-contract.md` and the dbt
sources YAML are generated from it (`python -m loyalty_warehouse.contract_docs`), and a test
keeps the three in step. It imports nothing from the rest of the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

ColumnType = Literal["string", "integer", "decimal", "date", "timestamp", "boolean"]

SEGMENTS = ("enterprise", "mid_market", "small_business")
REGIONS = ("gauteng", "western_cape", "kwazulu_natal", "eastern_cape", "rest_of_country")
INDUSTRIES = (
    "retail",
    "manufacturing",
    "financial_services",
    "mining",
    "logistics",
    "healthcare",
    "technology",
)
ACQUISITION_CHANNELS = ("direct_sales", "referral", "partner", "inbound_marketing", "event")
TEAMS = ("enterprise_accounts", "commercial", "small_business_desk", "customer_success")
CHURN_REASONS = (
    "unfulfilled_promise",
    "below_par_experience",
    "value_vs_price",
    "communication_breakdown",
    "lack_of_care",
    "other",
)
JOURNEY_STAGES = ("prospect", "onboarding", "adoption", "support", "billing", "renewal")
TOUCHPOINTS = (
    "sales_meeting",
    "proposal",
    "kickoff",
    "training",
    "implementation",
    "account_manager",
    "helpdesk",
    "invoice",
    "renewal_review",
)
ACTIVITY_TYPES = (
    "check_in",
    "account_review",
    "complaint_follow_up",
    "sales_call",
    "onboarding_session",
    "training",
    "renewal_discussion",
)
CHANNELS = ("email", "phone", "video_call", "site_visit", "chat")
REVIEW_THEMES = (
    "pricing",
    "product_fit",
    "support_quality",
    "communication",
    "delivery",
    "relationship",
    "growth_plans",
)
CURRENCIES = ("ZAR", "USD", "EUR", "GBP")
KPIS = (
    "nps",
    "ces_agree_share",
    "csat_share",
    "logo_churn_rate",
    "grr",
    "nrr",
    "promise_kept_rate",
    "complaint_first_response_hours",
)

# Dates older than this are treated as typos (e.g. 1900-01-01 placeholders).
OLDEST_PLAUSIBLE_DATE = "1990-01-01"


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType
    description: str
    required: bool = True
    allowed: tuple[str, ...] | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    unit: str | None = None
    # "entity.column" this column must reference (a key delivered earlier or in the same load).
    references: str | None = None
    # Personal data of a contact: never reaches a mart that reports read.
    pii: bool = False
    # A ';'-separated list whose items must each be in `allowed`.
    is_list: bool = False
    # Dates in the future are an error unless the column is a plan (due dates, contract ends).
    future_ok: bool = False
    # Digits after the decimal point for decimal columns (money has 2; rates need more).
    scale: int = 2


@dataclass(frozen=True)
class Entity:
    system: str
    name: str
    description: str
    primary_key: tuple[str, ...]
    columns: tuple[Column, ...] = field(default_factory=tuple)
    # Date columns that bound the months a delivery can change: a row moves the figures of the
    # month of the earliest of them and later months only, so an incremental build rebuilds the
    # period marts from there (docs/performance.md). Empty: a delivery (a snapshot such as the
    # accounts file) can change any month, and the next build rebuilds every period.
    period_dates: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.system}.{self.name}"

    @property
    def raw_table(self) -> str:
        return f"{self.system}__{self.name}"

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.key} has no column {name!r}")

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _money(name: str, description: str, *, required: bool = True) -> Column:
    return Column(name, "decimal", description, required=required, min=0, unit="currency units")


def _currency() -> Column:
    return Column(
        "currency",
        "string",
        "ISO 4217 code of the amounts on this row (ZAR by default).",
        allowed=CURRENCIES,
    )


ENTITIES: tuple[Entity, ...] = (
    # ---------------------------------------------------------------- crm
    Entity(
        "crm",
        "reps",
        "Sales and customer-success staff, with their team and manager.",
        ("rep_id",),
        (
            Column("rep_id", "string", "Stable identifier of the rep.", max_length=64),
            Column(
                "rep_name", "string", "Display name of the rep (staff, not a customer contact)."
            ),
            Column("team", "string", "Team the rep belongs to.", allowed=TEAMS),
            Column(
                "manager_rep_id",
                "string",
                "rep_id of the rep's manager; empty for heads of team.",
                required=False,
                references="crm.reps.rep_id",
            ),
            Column("hired_date", "date", "Date the rep joined."),
        ),
    ),
    Entity(
        "crm",
        "accounts",
        "Customer accounts (companies), one row per account.",
        ("account_id",),
        (
            Column("account_id", "string", "Stable identifier of the account.", max_length=64),
            Column("account_name", "string", "Registered name of the customer company."),
            Column("segment", "string", "Commercial segment.", allowed=SEGMENTS),
            Column("region", "string", "Region of the account's head office.", allowed=REGIONS),
            Column("industry", "string", "Industry of the customer.", allowed=INDUSTRIES),
            Column("created_date", "date", "Date the account became a customer (first contract)."),
            Column(
                "acquisition_channel",
                "string",
                "How the customer was won.",
                allowed=ACQUISITION_CHANNELS,
            ),
            Column(
                "referred_by_account_id",
                "string",
                "account_id of the customer who referred this one; empty if not referred.",
                required=False,
                references="crm.accounts.account_id",
            ),
            Column(
                "owner_rep_id",
                "string",
                "rep_id of the account owner.",
                references="crm.reps.rep_id",
            ),
        ),
    ),
    Entity(
        "crm",
        "contacts",
        "People at customer accounts. Personal data: names, emails and phones never reach reports.",
        ("contact_id",),
        (
            Column("contact_id", "string", "Stable identifier of the contact.", max_length=64),
            Column(
                "account_id",
                "string",
                "Account the contact works for.",
                references="crm.accounts.account_id",
            ),
            Column("first_name", "string", "First name.", pii=True, max_length=200),
            Column("last_name", "string", "Last name.", pii=True, max_length=200),
            Column("email", "string", "Work email address.", pii=True, max_length=320),
            Column("phone", "string", "Phone number.", pii=True, required=False, max_length=40),
            Column("job_title", "string", "Job title.", required=False, max_length=200),
            Column("is_primary", "boolean", "True for the account's main contact."),
        ),
    ),
    Entity(
        "crm",
        "opportunities",
        "Sales opportunities: new business, renewals and expansions.",
        ("opportunity_id",),
        (
            Column("opportunity_id", "string", "Stable identifier of the opportunity."),
            Column(
                "account_id",
                "string",
                "Account the opportunity is with.",
                references="crm.accounts.account_id",
            ),
            Column("rep_id", "string", "Rep who owns the deal.", references="crm.reps.rep_id"),
            Column(
                "opportunity_type",
                "string",
                "Kind of deal.",
                allowed=("new_business", "renewal", "expansion"),
            ),
            Column("stage", "string", "Current stage.", allowed=("open", "won", "lost")),
            Column("created_date", "date", "Date the opportunity was opened."),
            Column(
                "close_date",
                "date",
                "Date it was won or lost (expected close date while open).",
                future_ok=True,
            ),
            _money("amount", "Annual contract value of the deal, excluding VAT."),
            _currency(),
        ),
    ),
    Entity(
        "crm",
        "commitments",
        "Promises made to the customer in the sale and after it, and whether they were kept.",
        ("commitment_id",),
        (
            Column("commitment_id", "string", "Stable identifier of the commitment."),
            Column(
                "account_id",
                "string",
                "Account the promise was made to.",
                references="crm.accounts.account_id",
            ),
            Column("rep_id", "string", "Rep who made the promise.", references="crm.reps.rep_id"),
            Column(
                "opportunity_id",
                "string",
                "Deal the promise was made in; empty for promises made after the sale.",
                required=False,
                references="crm.opportunities.opportunity_id",
            ),
            Column(
                "phase",
                "string",
                "When the promise was made: in the sale, at onboarding or in the relationship.",
                allowed=("pre_sale", "onboarding", "post_sale"),
            ),
            Column(
                "category",
                "string",
                "What kind of promise.",
                allowed=(
                    "implementation",
                    "feature",
                    "service_level",
                    "pricing",
                    "training",
                    "support",
                ),
            ),
            Column(
                "description", "string", "What was promised, in the rep's words.", max_length=2000
            ),
            Column("made_date", "date", "Date the promise was made."),
            Column("due_date", "date", "Date it was promised for.", future_ok=True),
            Column(
                "delivered_date",
                "date",
                "Date it was delivered; empty while not delivered.",
                required=False,
            ),
            Column(
                "status",
                "string",
                "open: not yet due or in progress; delivered; broken: will not be delivered.",
                allowed=("open", "delivered", "broken"),
            ),
        ),
    ),
    Entity(
        "crm",
        "activities",
        "Every logged contact with a customer: calls, meetings, emails, reviews.",
        ("activity_id",),
        (
            Column("activity_id", "string", "Stable identifier of the activity."),
            Column(
                "account_id",
                "string",
                "Account contacted.",
                references="crm.accounts.account_id",
            ),
            Column("rep_id", "string", "Rep who made the contact.", references="crm.reps.rep_id"),
            Column("activity_date", "date", "Date of the contact."),
            Column("channel", "string", "Channel used.", allowed=CHANNELS),
            Column(
                "initiative",
                "string",
                "proactive: we reached out; reactive: the customer reached out or asked.",
                allowed=("proactive", "reactive"),
            ),
            Column("activity_type", "string", "Purpose of the contact.", allowed=ACTIVITY_TYPES),
            Column(
                "duration_minutes",
                "integer",
                "Time spent, in minutes.",
                min=0,
                max=1440,
                unit="minutes",
            ),
            Column(
                "case_id",
                "string",
                "Complaint this contact follows up; empty otherwise.",
                required=False,
                references="crm.cases.case_id",
            ),
            Column(
                "opportunity_id",
                "string",
                "Deal this contact is part of; empty for contact without a deal.",
                required=False,
                references="crm.opportunities.opportunity_id",
            ),
        ),
        period_dates=("activity_date",),
    ),
    Entity(
        "crm",
        "cases",
        "Complaints and support cases, with their handling times.",
        ("case_id",),
        (
            Column("case_id", "string", "Stable identifier of the case."),
            Column(
                "account_id",
                "string",
                "Account that raised it.",
                references="crm.accounts.account_id",
            ),
            Column("opened_at", "timestamp", "When the case was opened (local time)."),
            Column(
                "first_response_at",
                "timestamp",
                "When we first responded; empty if not yet.",
                required=False,
            ),
            Column(
                "resolved_at",
                "timestamp",
                "When it was resolved; empty while open.",
                required=False,
            ),
            Column(
                "severity",
                "string",
                "Severity set at triage.",
                allowed=("low", "medium", "high", "critical"),
            ),
            Column(
                "category",
                "string",
                "What the complaint is about.",
                allowed=(
                    "billing",
                    "product_defect",
                    "service_delivery",
                    "communication",
                    "onboarding",
                    "other",
                ),
            ),
            Column(
                "is_complaint",
                "boolean",
                "True for a complaint, false for a plain support request.",
            ),
        ),
    ),
    Entity(
        "crm",
        "churn_events",
        "Customers lost, with the main reason from the churn taxonomy.",
        ("churn_event_id",),
        (
            Column("churn_event_id", "string", "Stable identifier of the churn event."),
            Column(
                "account_id", "string", "Account that left.", references="crm.accounts.account_id"
            ),
            Column("churn_date", "date", "Date the customer stopped being a customer."),
            Column(
                "churn_reason", "string", "Main reason, from the taxonomy.", allowed=CHURN_REASONS
            ),
            Column(
                "reason_text",
                "string",
                "The customer's or rep's own words.",
                required=False,
                max_length=4000,
            ),
        ),
    ),
    # ---------------------------------------------------------------- survey
    Entity(
        "survey",
        "responses",
        "Survey responses: relationship surveys and transactional surveys after a touchpoint.",
        ("response_id",),
        (
            Column("response_id", "string", "Stable identifier of the response."),
            Column(
                "account_id",
                "string",
                "Account of the respondent.",
                references="crm.accounts.account_id",
            ),
            Column(
                "contact_id",
                "string",
                "Respondent; empty for anonymous responses.",
                required=False,
                references="crm.contacts.contact_id",
            ),
            Column(
                "survey_type",
                "string",
                "relationship (periodic, overall) or transactional (after a touchpoint).",
                allowed=("relationship", "transactional"),
            ),
            Column(
                "journey_stage", "string", "Stage of the customer journey.", allowed=JOURNEY_STAGES
            ),
            Column(
                "touchpoint", "string", "Touchpoint the response is about.", allowed=TOUCHPOINTS
            ),
            Column("responded_date", "date", "Date of the response."),
            Column(
                "nps_score",
                "integer",
                "How likely to recommend us, 0-10; empty if not asked.",
                required=False,
                min=0,
                max=10,
                unit="0-10 scale",
            ),
            Column(
                "ces_score",
                "integer",
                "'The company made it easy to handle my issue', 1 (strongly disagree) to 7.",
                required=False,
                min=1,
                max=7,
                unit="1-7 scale",
            ),
            Column(
                "csat_score",
                "integer",
                "Satisfaction with the interaction, 1 (very dissatisfied) to 5.",
                required=False,
                min=1,
                max=5,
                unit="1-5 scale",
            ),
            Column(
                "expectation_score",
                "integer",
                "What the customer expected at this touchpoint, 1-10.",
                required=False,
                min=1,
                max=10,
                unit="1-10 scale",
            ),
            Column(
                "experience_score",
                "integer",
                "What the customer experienced at this touchpoint, 1-10 (same scale).",
                required=False,
                min=1,
                max=10,
                unit="1-10 scale",
            ),
            Column("comment", "string", "Free-text comment.", required=False, max_length=4000),
        ),
        period_dates=("responded_date",),
    ),
    Entity(
        "survey",
        "account_reviews",
        "Structured account-review conversations and what was agreed in them.",
        ("review_id",),
        (
            Column("review_id", "string", "Stable identifier of the review."),
            Column(
                "account_id", "string", "Account reviewed.", references="crm.accounts.account_id"
            ),
            Column("rep_id", "string", "Rep who led the review.", references="crm.reps.rep_id"),
            Column("review_date", "date", "Date of the conversation."),
            Column(
                "themes",
                "string",
                "Themes raised, ';'-separated, from the theme list.",
                allowed=REVIEW_THEMES,
                is_list=True,
            ),
            Column(
                "success_definition",
                "string",
                "What success means to the customer, in their words.",
                required=False,
                max_length=4000,
            ),
            Column("risks", "string", "Risks raised.", required=False, max_length=4000),
            Column("agreed_actions", "string", "Actions agreed.", required=False, max_length=4000),
        ),
    ),
    # ---------------------------------------------------------------- finance
    Entity(
        "finance",
        "invoices",
        "Invoice lines (revenue), one row per line.",
        ("invoice_line_id",),
        (
            Column("invoice_line_id", "string", "Stable identifier of the invoice line."),
            Column("invoice_id", "string", "Invoice the line belongs to."),
            Column(
                "account_id", "string", "Account invoiced.", references="crm.accounts.account_id"
            ),
            Column("invoice_date", "date", "Date of the invoice."),
            Column("due_date", "date", "Payment due date.", future_ok=True),
            Column("product", "string", "Product or service billed.", max_length=200),
            _money("amount", "Line amount excluding VAT."),
            _currency(),
        ),
        period_dates=("invoice_date", "due_date"),
    ),
    Entity(
        "finance",
        "payments",
        "Payments received against invoices (so lateness is known).",
        ("payment_id",),
        (
            Column("payment_id", "string", "Stable identifier of the payment."),
            Column("invoice_id", "string", "Invoice paid."),
            Column(
                "account_id", "string", "Account that paid.", references="crm.accounts.account_id"
            ),
            Column("payment_date", "date", "Date the money arrived."),
            _money("amount", "Amount received."),
            _currency(),
        ),
        period_dates=("payment_date",),
    ),
    Entity(
        "finance",
        "subscriptions",
        "Subscriptions and contracts with their recurring revenue.",
        ("subscription_id",),
        (
            Column("subscription_id", "string", "Stable identifier of the contract term."),
            Column(
                "account_id", "string", "Account subscribed.", references="crm.accounts.account_id"
            ),
            Column("product", "string", "Product subscribed to.", max_length=200),
            Column("start_date", "date", "First day of the term."),
            Column(
                "end_date",
                "date",
                "Last day of the term; empty for an open-ended subscription.",
                required=False,
                future_ok=True,
            ),
            Column(
                "term_months",
                "integer",
                "Contracted term in months.",
                min=1,
                max=120,
                unit="months",
            ),
            _money("mrr", "Monthly recurring revenue of this term, excluding VAT."),
            _currency(),
            Column(
                "renewal_of_subscription_id",
                "string",
                "The term this one renews; empty for a first term.",
                required=False,
                references="finance.subscriptions.subscription_id",
            ),
        ),
    ),
    Entity(
        "finance",
        "cost_to_serve",
        "Monthly cost of serving each account, by cost type.",
        ("account_id", "month", "cost_type"),
        (
            Column("account_id", "string", "Account served.", references="crm.accounts.account_id"),
            Column("month", "date", "First day of the month the cost falls in."),
            Column(
                "cost_type",
                "string",
                "Kind of cost.",
                allowed=("support", "account_management", "delivery", "retention"),
            ),
            _money("amount", "Cost in the month."),
            _currency(),
        ),
    ),
    Entity(
        "finance",
        "acquisition_costs",
        "What it cost to win each account (marketing and sales), once per account.",
        ("account_id",),
        (
            Column(
                "account_id", "string", "Account acquired.", references="crm.accounts.account_id"
            ),
            Column("incurred_date", "date", "Date the cost was booked."),
            _money("amount", "Acquisition cost."),
            _currency(),
        ),
    ),
    Entity(
        "finance",
        "incentives",
        "Incentives and rewards given to customers (discounts, loyalty rewards, retention offers).",
        ("incentive_id",),
        (
            Column("incentive_id", "string", "Stable identifier of the incentive."),
            Column(
                "account_id", "string", "Account rewarded.", references="crm.accounts.account_id"
            ),
            Column("granted_date", "date", "Date granted."),
            Column(
                "incentive_type",
                "string",
                "Kind of incentive.",
                allowed=("discount", "loyalty_reward", "retention_offer", "free_service"),
            ),
            _money("amount", "Value given to the customer."),
            _currency(),
        ),
    ),
    # ---------------------------------------------------------------- governance
    Entity(
        "governance",
        "kpi_targets",
        "Targets the governance committee set for each KPI, per segment and period.",
        ("kpi", "segment", "period_start"),
        (
            Column("kpi", "string", "KPI the target is for.", allowed=KPIS),
            Column(
                "segment",
                "string",
                "Segment the target applies to, or 'all'.",
                allowed=(*SEGMENTS, "all"),
            ),
            Column("period_start", "date", "First day the target applies.", future_ok=True),
            Column("period_end", "date", "Last day the target applies.", future_ok=True),
            Column("target", "decimal", "Target value, in the KPI's own unit.", scale=4),
            Column(
                "amber_threshold",
                "decimal",
                "Value beyond which status turns red; between target and this it is amber.",
                scale=4,
            ),
            Column(
                "direction",
                "string",
                "Whether a higher value is better.",
                allowed=("higher_is_better", "lower_is_better"),
            ),
        ),
    ),
    Entity(
        "governance",
        "improvement_actions",
        "The improvement-actions register as exported on a date; each export is a new batch, so "
        "the register's history is kept.",
        ("action_id",),
        (
            Column("action_id", "string", "Stable identifier of the action."),
            Column("action_title", "string", "What will be done.", max_length=500),
            Column("kpi", "string", "KPI the action is meant to move.", allowed=KPIS),
            Column(
                "segment",
                "string",
                "Segment targeted, or 'all'.",
                allowed=(*SEGMENTS, "all"),
            ),
            Column("owner", "string", "Person accountable (staff).", max_length=200),
            Column("team", "string", "Team accountable.", allowed=TEAMS),
            Column("raised_date", "date", "Date the committee agreed the action."),
            Column("due_date", "date", "Date it is due.", future_ok=True),
            Column(
                "status",
                "string",
                "Current status.",
                allowed=("proposed", "in_progress", "completed", "cancelled"),
            ),
            Column("status_changed_date", "date", "Date the status last changed."),
        ),
    ),
)

ENTITIES_BY_KEY: dict[str, Entity] = {e.key: e for e in ENTITIES}


def entity(key: str) -> Entity:
    """Look up an entity by 'system.name', e.g. 'crm.accounts'."""
    try:
        return ENTITIES_BY_KEY[key]
    except KeyError:
        known = ", ".join(sorted(ENTITIES_BY_KEY))
        raise KeyError(f"unknown landing entity {key!r}; known: {known}") from None


def load_order() -> list[Entity]:
    """Entities ordered so every referenced entity loads before the ones that reference it."""
    ordered: list[Entity] = []
    remaining = list(ENTITIES)
    while remaining:
        progressed = False
        for ent in list(remaining):
            deps = {
                c.references.rsplit(".", 1)[0]
                for c in ent.columns
                if c.references and c.references.rsplit(".", 1)[0] != ent.key
            }
            if deps <= {e.key for e in ordered}:
                ordered.append(ent)
                remaining.remove(ent)
                progressed = True
        if not progressed:
            raise ValueError(f"cyclic references among {[e.key for e in remaining]}")
    return ordered


# How the loader's null tokens read in the docs (the loader owns the list itself).
NULL_TOKENS_DOC = "`N/A`, `NA`, `null`, `none`, `nan`, `-` (any case)"
