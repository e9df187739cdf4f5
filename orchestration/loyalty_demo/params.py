"""Every knob of the demo world in one place: shares, rates, effect sizes, names and texts.

Indices into the contract's value tuples are used throughout the simulation (segment 0 is
``enterprise``, 1 ``mid_market``, 2 ``small_business``), so the arrays below are ordered like
``loyalty_warehouse.contract.SEGMENTS`` and friends.
"""

from __future__ import annotations

import numpy as np

# --------------------------------------------------------------------------- population
SEGMENT_SHARE = np.array([0.15, 0.35, 0.50])
REGION_SHARE = np.array([0.42, 0.26, 0.16, 0.06, 0.10])
# Share of the N customers that are acquired during the window, per window month.
NEW_SHARE_PER_MONTH = 0.0095
NEW_SHARE_CAP = 0.45
# Channel mix (direct_sales, referral, partner, inbound_marketing, event).
CHANNEL_NEW = np.array([0.28, 0.24, 0.15, 0.23, 0.10])
CHANNEL_OLD = np.array([0.36, 0.12, 0.18, 0.22, 0.12])
CON_MIN = np.array([2, 1, 1])
CON_MAX = np.array([4, 3, 2])

# --------------------------------------------------------------------------- latent traits
SAT_MEAN = np.array([0.55, 0.45, 0.35])
SAT_SD = 0.85
SURVIVOR_SAT = 0.3
# Switching cost ~ Beta(a, b): high in enterprise (integrations, multi-year contracts).
SWITCH_A = np.array([8.0, 2.5, 1.3])
SWITCH_B = np.array([2.0, 3.0, 5.0])
# Price sensitivity ~ Beta(a, b): high in small business.
PRICE_A = np.array([1.2, 2.0, 6.0])
PRICE_B = np.array([6.0, 4.0, 2.0])
LOYALTY_PROGRAMME_SHARE = 0.22
LOYALTY_GRANT_P = 1 / 6  # rewards or discounts per member per month
REFERRAL_SAT_BONUS = 0.3

# --------------------------------------------------------------------------- dynamics
SHOCK_DECAY = 0.8
DRIVER_DECAY = 0.85
SHOCK_BROKEN = -1.8
SHOCK_LATE = -0.7
SHOCK_ON_TIME = 0.05
SHOCK_SLOW_COMPLAINT = -1.0
SHOCK_FAST_COMPLAINT = 0.15
SHOCK_SLOW_SUPPORT = -0.3
SHOCK_PROACTIVE = 0.2
STAY_PENALTY = 0.6  # an at-risk customer who stays only because leaving is hard stays unhappy

# At-risk onset hazard per month: H0[seg] * exp(-SAT_W*sat + EFFORT_W*effort + PRICE_H[seg]*price)
H0 = np.array([0.016, 0.025, 0.022])
BROKEN_H = 1.3  # a broken promise raises the hazard beyond what it does to satisfaction
SLOW_H = 0.5  # so does a badly handled complaint
PENALTY_BROKEN = -0.5  # trust lost for good
PENALTY_LATE = -0.15
ATRISK_CASES = 2.0
ATRISK_DROP = 1.0  # satisfaction falls during an at-risk spell: this much at once...
ATRISK_DROP_PER_MONTH = 0.5  # ... and more each month
ATRISK_DROP_MAX = 2.6
PRICE_REASON = np.array([0.3, 0.8, 2.2])
SAT_W = 0.85
EFFORT_W = 0.45
PRICE_H = np.array([0.2, 0.5, 1.3])
# Proactive contacts build relationship capital: care = CARE_DECAY * care + contacts this
# month, and the hazard is multiplied by exp(-CARE_W * min(care, CARE_CAP)).
CARE_DECAY = 0.85
CARE_W = 0.6
CARE_CAP = 3.0
H_INCENTIVE = 0.25  # an incentive granted in the last 12 months
H_REFERRAL = 0.4
H_RENEWAL_WINDOW = 1.6
H_RENEWAL_WINDOW_AFTER_ACTION = 1.15
H_MAX = 0.5
# At the end of the at-risk spell: P(churn) = AR_CHURN * (1 - SWITCH_W*switch) * ...
AR_CHURN = 0.9
SWITCH_W = 0.9
PRO_RESCUE = 0.4  # per proactive contact during the spell
OFFER_RESCUE = 0.3  # retention offer made at the start of the spell
INCENTIVE_RESCUE = 0.45
REFERRAL_RESCUE = 0.5
RETENTION_OFFER_P = 0.2  # at the start of an at-risk spell
RENEWAL_OFFER_P = (
    0.06  # three months before a renewal, plus RENEWAL_OFFER_PRICE * price sensitivity
)
RENEWAL_OFFER_PRICE = 0.1
RENEWAL_DISCOUNT_P = 0.1  # price-sensitive small customers at renewal
ADDON_CANCEL_P = 0.55
# 'other' churn: acquired, budget cut... independent of satisfaction.
EXO = np.array([0.0010, 0.0013, 0.0018])

# --------------------------------------------------------------------------- contact
CI_RATE = np.array([0.42, 0.20, 0.13])  # check-ins per month
REVIEW_SHARE = np.array([0.6, 0.22, 0.02])  # accounts with quarterly account reviews
SILENT = 0.2  # contact rate multiplier while at risk
NPS_PROGRAMME_CI = 3.0
NPS_PROGRAMME_SAT = 0.6
CASE_RATE = np.array([0.16, 0.11, 0.07])
COMMITMENT_RATE = 0.045
RELATIONSHIP_INVITE = 1 / 9  # a third of customers per quarter
RELATIONSHIP_RESPONSE = 0.8
SILENT_RESPONSE = 0.3
TRANSACTIONAL_P_ACTIVITY = 0.65
TRANSACTIONAL_P_CASE = 0.7
TRANSACTIONAL_P_INVOICE = 0.14

# --------------------------------------------------------------------------- complaints
FRH_MEDIAN = np.array([12.0, 16.0, 20.0])  # first-response hours by segment, before the action
SEVERITY_SHARE = np.array([0.35, 0.40, 0.18, 0.07])
SEVERITY_SPEED = np.array([1.2, 1.0, 0.7, 0.45])
FRH_AFTER_ACTION = 0.28

# --------------------------------------------------------------------------- money (ZAR)
MAIN_MRR_MEDIAN = np.array([95_000.0, 22_000.0, 4_200.0])
TERM_CHOICES = np.array([12, 24, 36])
TERM_P = np.array([[0.2, 0.4, 0.4], [0.55, 0.35, 0.10], [0.9, 0.1, 0.0]])
ADDON_EXISTING = np.array([0.35, 0.18, 0.06])
ADDON2_EXISTING = np.array([0.30, 0.15, 0.05])
ADDON_NEW = np.array([0.2, 0.1, 0.03])
EXPANSION_P = 0.008
CURRENCY_RATES = {"ZAR": 1.0, "USD": 0.055, "EUR": 0.051, "GBP": 0.044}

MAIN_PRODUCTS = ("Engage Enterprise", "Engage Professional", "Engage Starter")
ADDON_PRODUCTS = ("Analytics Add-on", "Messaging Bundle", "Premium Support", "Integration Pack")
ONE_OFF_PRODUCTS = ("Implementation Services", "Training Day", "Data Migration", "Consulting")
PRODUCTS = MAIN_PRODUCTS + ADDON_PRODUCTS + ONE_OFF_PRODUCTS

ACQ_COST_BASE = np.array([180_000.0, 45_000.0, 9_000.0])
ACQ_CHANNEL_FACTOR = np.array([1.3, 0.4, 1.0, 0.7, 1.1])
ACCOUNT_MGMT_PER_MIN = 11.0
CASE_COST_BASE = 350.0
CASE_COST_PER_HOUR = 40.0

# --------------------------------------------------------------------------- journey
# Every touchpoint belongs to exactly one journey stage.
TOUCHPOINT_STAGE = {
    "sales_meeting": "prospect",
    "proposal": "prospect",
    "kickoff": "onboarding",
    "implementation": "onboarding",
    "training": "adoption",
    "account_manager": "adoption",
    "helpdesk": "support",
    "invoice": "billing",
    "renewal_review": "renewal",
}
# How hard each touchpoint is for the customer (adds to the customer's effort trait).
TOUCHPOINT_DIFFICULTY = {
    "sales_meeting": -0.4,
    "proposal": -0.2,
    "kickoff": 0.1,
    "implementation": 0.5,
    "training": -0.1,
    "account_manager": -0.3,
    "helpdesk": 0.4,
    "invoice": 0.2,
    "renewal_review": 0.0,
}

# --------------------------------------------------------------------------- KPI targets
# kpi -> (direction, {segment: (target, amber)}), tightened a little each year.
KPI_TARGETS = {
    "nps": (
        "higher_is_better",
        {
            "all": (30, 10),
            "enterprise": (35, 15),
            "mid_market": (30, 10),
            "small_business": (25, 5),
        },
        2.0,
    ),
    "ces_agree_share": (
        "higher_is_better",
        {
            "all": (0.75, 0.6),
            "enterprise": (0.75, 0.6),
            "mid_market": (0.75, 0.6),
            "small_business": (0.7, 0.55),
        },
        0.01,
    ),
    "csat_share": (
        "higher_is_better",
        {
            "all": (0.8, 0.7),
            "enterprise": (0.82, 0.72),
            "mid_market": (0.8, 0.7),
            "small_business": (0.78, 0.68),
        },
        0.01,
    ),
    "logo_churn_rate": (
        "lower_is_better",
        {
            # monthly rates; chosen so that rounding to 2 dp keeps target < amber
            "all": (0.015, 0.03),
            "enterprise": (0.01, 0.02),
            "mid_market": (0.015, 0.03),
            "small_business": (0.02, 0.04),
        },
        0.0,
    ),
    "grr": (
        "higher_is_better",
        {
            "all": (0.92, 0.85),
            "enterprise": (0.95, 0.9),
            "mid_market": (0.92, 0.85),
            "small_business": (0.85, 0.78),
        },
        0.0,
    ),
    "nrr": (
        "higher_is_better",
        {
            "all": (1.05, 0.98),
            "enterprise": (1.08, 1.0),
            "mid_market": (1.05, 0.98),
            "small_business": (1.0, 0.92),
        },
        0.0,
    ),
    "promise_kept_rate": (
        "higher_is_better",
        {
            "all": (0.9, 0.8),
            "enterprise": (0.92, 0.82),
            "mid_market": (0.9, 0.8),
            "small_business": (0.88, 0.78),
        },
        0.01,
    ),
    "complaint_first_response_hours": (
        "lower_is_better",
        {"all": (8, 24), "enterprise": (4, 12), "mid_market": (8, 24), "small_business": (12, 36)},
        0.0,
    ),
}

# --------------------------------------------------------------------------- names
FIRST_NAMES = (
    "Thandi",
    "Sipho",
    "Lerato",
    "Themba",
    "Nomvula",
    "Bongani",
    "Zanele",
    "Mandla",
    "Naledi",
    "Kagiso",
    "Ayanda",
    "Lindiwe",
    "Sibusiso",
    "Palesa",
    "Tshepo",
    "Nokuthula",
    "Karabo",
    "Thabo",
    "Refilwe",
    "Lwazi",
    "Busisiwe",
    "Nkosinathi",
    "Mpho",
    "Zodwa",
    "Andile",
    "Khanyisile",
    "Siyabonga",
    "Dineo",
    "Tumelo",
    "Nandi",
    "Lungile",
    "Vusi",
    "Keabetswe",
    "Katlego",
    "Ntombi",
    "Xolani",
    "Zinhle",
    "Musa",
    "Boitumelo",
    "Sizwe",
    "Pieter",
    "Johan",
    "Annelie",
    "Marietjie",
    "Francois",
    "Riaan",
    "Elmarie",
    "Hendrik",
    "Charlene",
    "Wikus",
    "Jacques",
    "Liezl",
    "Danie",
    "Karin",
    "Gerrit",
    "Sarel",
    "Anika",
    "Michelle",
    "David",
    "Sarah",
    "James",
    "Jessica",
    "Michael",
    "Nicole",
    "Ryan",
    "Megan",
    "Craig",
    "Lauren",
    "Bradley",
    "Kirsten",
    "Jason",
    "Tracey",
    "Priya",
    "Rajesh",
    "Anisha",
    "Kevin",
    "Nadia",
    "Yusuf",
    "Fatima",
    "Ashwin",
    "Shireen",
    "Faizel",
    "Zainab",
    "Imraan",
    "Candice",
    "Chantel",
    "Ashley",
    "Tasneem",
    "Riyaad",
    "Natasha",
    "Lesego",
    "Onalenna",
    "Phindile",
    "Mbali",
    "Sello",
    "Tebogo",
    "Kamogelo",
    "Neo",
    "Masego",
    "Unathi",
)
LAST_NAMES = (
    "Nkosi",
    "Dlamini",
    "Ndlovu",
    "Khumalo",
    "Mthembu",
    "Zulu",
    "Mokoena",
    "Mahlangu",
    "Sithole",
    "Ngcobo",
    "Buthelezi",
    "Mkhize",
    "Molefe",
    "Naidoo",
    "Pillay",
    "Govender",
    "Botha",
    "van der Merwe",
    "Pretorius",
    "du Plessis",
    "Nel",
    "Venter",
    "Smit",
    "Coetzee",
    "Fourie",
    "Jacobs",
    "Williams",
    "Smith",
    "Adams",
    "Petersen",
    "Hendricks",
    "Mabaso",
    "Radebe",
    "Tshabalala",
    "Maseko",
    "Modise",
    "Motaung",
    "Shabalala",
    "Cele",
    "Zwane",
    "Mofokeng",
    "Moloi",
    "Baloyi",
    "Maluleke",
    "Mathebula",
    "Chauke",
    "Ngubane",
    "Hadebe",
    "Gumede",
    "Majola",
    "Sibiya",
    "Ntuli",
    "Mnguni",
    "Xaba",
    "Mokwena",
    "Masondo",
    "Letsoalo",
    "Makhubela",
    "Phiri",
    "Moyo",
    "Kruger",
    "Steyn",
    "Swanepoel",
    "Joubert",
    "Visser",
    "Meyer",
    "le Roux",
    "Oosthuizen",
    "Erasmus",
    "Potgieter",
    "Reddy",
    "Moodley",
    "Chetty",
    "Singh",
    "Patel",
    "Essop",
    "Cassim",
    "Isaacs",
    "Abrahams",
    "Davids",
    "Fortuin",
    "Daniels",
    "Jansen",
    "Sebola",
    "Mabuza",
    "Nxumalo",
    "Mazibuko",
    "Shezi",
    "Kubheka",
    "Madonsela",
)
JOB_TITLES = (
    "Managing Director",
    "Chief Financial Officer",
    "Head of Operations",
    "IT Manager",
    "Procurement Manager",
    "Marketing Manager",
    "Customer Experience Lead",
    "Finance Manager",
    "Operations Director",
    "Office Manager",
    "Owner",
    "Head of Digital",
    "Loyalty Manager",
    "Sales Director",
)
# Company names are "<A> <Noun>" (then "<A> <B> <Noun>", then numbered); nouns depend on
# the industry and are disjoint across industries, so names (and email domains) are unique.
COMPANY_A = (
    "Protea",
    "Baobab",
    "Karoo",
    "Highveld",
    "Lowveld",
    "Ubuntu",
    "Jacaranda",
    "Fynbos",
    "Kudu",
    "Impala",
    "Springbok",
    "Marula",
    "Umhlanga",
    "Drakensberg",
    "Limpopo",
    "Vaal",
    "Tugela",
    "Sunbird",
    "Acacia",
    "Aloe",
    "Amanzi",
    "Ilanga",
    "Isibane",
    "Khaya",
    "Lesedi",
    "Letsatsi",
    "Mosa",
    "Pula",
    "Thuso",
    "Tswelopele",
    "Siyakha",
    "Masakhane",
    "Phakama",
    "Vukani",
    "Zenzele",
    "Imbali",
    "Indaba",
    "Ikhaya",
    "Acme",
    "Apex",
    "Atlas",
    "Beacon",
    "Brightwater",
    "Cedar",
    "Citadel",
    "Compass",
    "Crestline",
    "Delta",
    "Eagle",
    "Ember",
    "Falcon",
    "Granite",
    "Harbour",
    "Horizon",
    "Ironwood",
    "Keystone",
    "Lighthouse",
    "Meridian",
    "Milestone",
    "Northstar",
    "Oakridge",
    "Orion",
    "Pinnacle",
    "Quantum",
    "Riverbend",
    "Sable",
    "Sentinel",
    "Silverleaf",
    "Summit",
    "Tidal",
    "Trident",
    "Unity",
    "Vantage",
    "Vertex",
    "Willow",
    "Zenith",
    "Amber",
    "Bluegum",
    "Cobalt",
    "Dune",
    "Elandsberg",
    "Fernwood",
    "Goldfields",
    "Hartbees",
    "Indigo",
    "Juniper",
    "Kestrel",
    "Lionsgate",
    "Mopane",
    "Nyala",
    "Olive",
    "Palmgrove",
    "Quartz",
    "Rooibos",
    "Stellar",
    "Thornhill",
    "Umoya",
    "Valley",
    "Waterberg",
    "Yellowwood",
    "Zambezi",
    "Agulhas",
    "Bushveld",
    "Camdeboo",
    "Dolphin",
    "Eland",
    "Flamingo",
    "Gemsbok",
    "Heron",
    "Ibis",
    "Jackal",
    "Kingfisher",
    "Lynx",
    "Malachite",
    "Nguni",
    "Oryx",
    "Pelican",
    "Reedbuck",
    "Steenbok",
    "Tortoise",
)
COMPANY_B = (
    "Coastal",
    "Northern",
    "Inland",
    "Metro",
    "Central",
    "Eastern",
    "Western",
    "Southern",
    "United",
    "National",
    "Premier",
    "Royal",
    "Golden",
    "Green",
    "Blue",
    "Red",
    "Silver",
    "Prime",
    "First",
    "New",
)
COMPANY_NOUNS = {
    "retail": (
        "Retail",
        "Stores",
        "Outfitters",
        "Traders",
        "Market",
        "Brands",
        "Supermarkets",
        "Boutiques",
    ),
    "manufacturing": (
        "Manufacturing",
        "Engineering",
        "Industries",
        "Fabrication",
        "Plastics",
        "Components",
        "Works",
        "Packaging",
    ),
    "financial_services": (
        "Financial Services",
        "Capital",
        "Insurance",
        "Asset Management",
        "Finance",
        "Investments",
        "Brokers",
        "Wealth",
    ),
    "mining": (
        "Mining",
        "Minerals",
        "Resources",
        "Coal",
        "Platinum",
        "Quarries",
        "Exploration",
        "Metals",
    ),
    "logistics": (
        "Logistics",
        "Freight",
        "Transport",
        "Couriers",
        "Haulage",
        "Shipping",
        "Distribution",
        "Warehousing",
    ),
    "healthcare": (
        "Health",
        "Medical",
        "Clinics",
        "Pharmacy",
        "Care",
        "Diagnostics",
        "Healthcare",
        "Wellness",
    ),
    "technology": (
        "Technologies",
        "Software",
        "Digital",
        "Systems",
        "Data",
        "Networks",
        "Labs",
        "Cloud",
    ),
}

# --------------------------------------------------------------------------- texts
COMMITMENT_TEXT = {
    "implementation": (
        "Go-live of the loyalty platform within six weeks of signature",
        "Point-of-sale integration live before month end",
        "Data migration of the legacy points balances completed",
    ),
    "feature": (
        "Custom tier report in the next release",
        "WhatsApp channel for member messages",
        "Branch-level dashboard for regional managers",
    ),
    "service_level": (
        "Four-hour response on priority tickets",
        "Dedicated support line for the account",
        "Monthly uptime report",
    ),
    "pricing": (
        "Price held at the current rate for the first renewal",
        "No charge for the extra user licences this year",
        "Volume discount applied from next invoice",
    ),
    "training": (
        "Two on-site training days for branch managers",
        "Train-the-trainer session for the support team",
        "Recorded training videos for new staff",
    ),
    "support": (
        "Named support engineer assigned to the account",
        "Weekly status call until the backlog is cleared",
        "Root-cause report on the outage",
    ),
}
CHURN_TEXT = {
    "unfulfilled_promise": (
        "The integration we were promised never arrived.",
        "Too many promises missed since go-live.",
        "Features agreed in the sale were not delivered.",
    ),
    "below_par_experience": (
        "Support took days to respond to urgent issues.",
        "The platform was too hard for our staff to use.",
        "Every issue became a long back-and-forth.",
    ),
    "value_vs_price": (
        "Found a cheaper option that does what we need.",
        "Price increase at renewal was not justified.",
        "Cannot justify the cost for a business our size.",
    ),
    "communication_breakdown": (
        "Nobody kept us informed about the changes.",
        "We could not get answers from the account team.",
    ),
    "lack_of_care": (
        "We never heard from our account manager.",
        "Felt like a small fish nobody cared about.",
    ),
    "other": (
        "Acquired by a group with its own supplier.",
        "Budget cut after restructuring.",
        "Closed the South African operation.",
        "New parent company mandated an in-house system.",
    ),
}
COMMENT_GOOD = (
    "Great service, thank you.",
    "Quick and helpful.",
    "The team really understands our business.",
    "Easy to work with.",
)
COMMENT_MID = ("It was fine.", "Took a bit long but sorted.", "Okay overall.")
COMMENT_BAD = (
    "Still waiting for what was promised.",
    "Had to chase three times.",
    "Too complicated and slow.",
    "Not worth the price.",
    "Nobody called us back.",
)
REVIEW_SUCCESS = (
    "More repeat purchases from members",
    "Members redeem points without calling us",
    "One view of the customer across branches",
    "Lower cost per active member",
    "Fewer complaints about rewards",
)
REVIEW_RISK_BY_THEME = {
    "pricing": "Budget pressure at renewal",
    "product_fit": "Gaps in reporting",
    "support_quality": "Slow ticket handling",
    "communication": "Unclear who to contact",
    "delivery": "Open promises past due",
    "relationship": "New sponsor on their side",
    "growth_plans": "Expansion depends on results",
}
REVIEW_ACTION_BY_THEME = {
    "pricing": "Prepare value summary before renewal",
    "product_fit": "Roadmap session with product",
    "support_quality": "Escalation path agreed",
    "communication": "Monthly status email",
    "delivery": "Weekly delivery check",
    "relationship": "Introduce exec sponsor",
    "growth_plans": "Scope second region rollout",
}
