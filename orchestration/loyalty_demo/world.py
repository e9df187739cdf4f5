"""What is shared by every chunk of customers: staff, KPI targets and the improvement register.

The improvement actions are decided before any customer is simulated, because completed
actions change how customers are served afterwards (faster first responses, a proactive
check-in programme, earlier renewal reviews).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from loyalty_warehouse.contract import KPIS, SEGMENTS, TEAMS

from . import params as P
from .calendar import Window

TEAM_ENTERPRISE, TEAM_COMMERCIAL, TEAM_SMALL_BUSINESS, TEAM_CS = range(4)
# Team that owns accounts of each segment.
SEGMENT_TEAM = np.array([TEAM_ENTERPRISE, TEAM_COMMERCIAL, TEAM_SMALL_BUSINESS])
TEAM_SHARE = np.array([0.2, 0.25, 0.25, 0.3])


@dataclass
class Action:
    action_id: str
    title: str
    kpi: str
    segment: str
    team: int
    due_date: np.datetime64
    # (date, status) transitions, the first one is ("proposed" at the raised date).
    history: list[tuple[np.datetime64, str]]

    @property
    def raised_date(self) -> np.datetime64:
        return self.history[0][0]

    def completed_date(self) -> np.datetime64 | None:
        for date, status in self.history:
            if status == "completed":
                return date
        return None


@dataclass
class World:
    window: Window
    n_reps: int
    rep_team: np.ndarray
    rep_manager: np.ndarray
    rep_first: np.ndarray
    rep_last: np.ndarray
    rep_hired: np.ndarray
    rep_reliability: np.ndarray  # multiplies the chance a promise is late or broken
    rep_proactivity: np.ndarray  # multiplies the check-in rate of the rep's accounts
    owners_by_team: list[np.ndarray]
    actions: list[Action]

    def pick_rep(self, rng: np.random.Generator, team: np.ndarray) -> np.ndarray:
        out = np.empty(len(team), dtype=np.int64)
        for k in range(len(TEAMS)):
            mask = team == k
            pool = self.owners_by_team[k]
            out[mask] = pool[rng.integers(0, len(pool), int(mask.sum()))]
        return out

    def rep_name(self, i: int) -> str:
        return f"{self.rep_first[i]} {self.rep_last[i]}"

    def action(self, action_id: str) -> Action:
        return next(a for a in self.actions if a.action_id == action_id)

    # Effects of completed actions, used by the simulation.
    @property
    def response_sla_from(self) -> np.datetime64:
        """Cases opened from this moment get the faster first response."""
        done = self.action("IA-01").completed_date()
        return (done if done is not None else self.window.end_date + 1).astype("datetime64[s]")

    @property
    def checkin_programme_month(self) -> int:
        """First window month in which the mid-market check-in programme runs."""
        done = self.action("IA-02").completed_date()
        return int(self.window.month_of(done)) + 1 if done is not None else 10**6

    @property
    def renewal_review_month(self) -> int:
        done = self.action("IA-08").completed_date()
        return int(self.window.month_of(done)) + 1 if done is not None else 10**6


def build_world(customers: int, window: Window, seed: int) -> World:
    rng = np.random.default_rng([seed, 104_729])
    n_reps = max(12, int(round(customers / 50)))
    sizes = np.maximum(3, np.floor(TEAM_SHARE * n_reps).astype(int))
    sizes[TEAM_CS] += n_reps - sizes.sum()
    if sizes[TEAM_CS] < 3:  # only when the floor of 3 pushed the total over n_reps
        sizes[TEAM_CS] = 3
    n_reps = int(sizes.sum())
    rep_team = np.repeat(np.arange(len(TEAMS)), sizes)
    rep_manager = np.full(n_reps, -1, dtype=np.int64)
    owners: list[np.ndarray] = []
    start = 0
    for size in sizes:
        idx = np.arange(start, start + size)
        head = idx[0]
        # Teams over 12 people get team leads, each managing up to about ten reps.
        n_leads = int(np.ceil((size - 1) / 11)) if size > 12 else 0
        leads = idx[1 : 1 + n_leads]
        rest = idx[1 + n_leads :]
        rep_manager[leads] = head
        if n_leads:
            rep_manager[rest] = leads[np.arange(len(rest)) % n_leads]
        else:
            rep_manager[rest] = head
        owners.append(rest if len(rest) else idx)
        start += size
    first = np.array(P.FIRST_NAMES)[rng.integers(0, len(P.FIRST_NAMES), n_reps)]
    last = np.array(P.LAST_NAMES)[rng.integers(0, len(P.LAST_NAMES), n_reps)]
    years = np.where(rep_manager < 0, rng.uniform(6, 12, n_reps), rng.uniform(0.2, 8, n_reps))
    hired = window.start_date - (years * 365.25).astype(np.int64)
    reliability = rng.lognormal(0.0, 0.5, n_reps)
    proactivity = rng.lognormal(-0.1, 0.6, n_reps)
    world = World(
        window=window,
        n_reps=n_reps,
        rep_team=rep_team,
        rep_manager=rep_manager,
        rep_first=first,
        rep_last=last,
        rep_hired=hired,
        rep_reliability=reliability,
        rep_proactivity=proactivity,
        owners_by_team=owners,
        actions=[],
    )
    world.actions = _actions(window, world)
    return world


def _actions(window: Window, world: World) -> list[Action]:
    M = window.months
    end = window.end_date

    def at(frac: float, day: int) -> np.datetime64:
        t = int(round(frac * (M - 1)))
        return window.date(t, day)

    def after(t: int, day: int) -> np.datetime64:  # a month index relative to the window
        return window.date(t, day)

    def month_after(date: np.datetime64, k: int, day: int) -> np.datetime64:
        return window.date(int(window.month_of(date)) + k, day)

    ia01 = at(0.15, 9)
    ia02 = at(0.3, 6)
    ia03 = at(0.5, 11)
    ia04 = at(0.25, 17)
    ia05 = at(0.2, 12)
    ia07 = at(0.55, 19)
    specs = [
        # id, title, kpi, segment, team, due, [(date, status)...]
        (
            "IA-01",
            "Complaint triage rota with a four-hour first-response SLA",
            "complaint_first_response_hours",
            "all",
            TEAM_CS,
            at(0.45, 28),
            [
                (ia01, "proposed"),
                (month_after(ia01, 1, 3), "in_progress"),
                (at(0.45, 14), "completed"),
            ],
        ),
        (
            "IA-02",
            "Proactive monthly check-in programme for mid-market accounts",
            "nps",
            "mid_market",
            TEAM_COMMERCIAL,
            at(0.6, 28),
            [
                (ia02, "proposed"),
                (month_after(ia02, 1, 2), "in_progress"),
                (at(0.6, 20), "completed"),
            ],
        ),
        (
            "IA-03",
            "Promise register reviewed weekly by team leads",
            "promise_kept_rate",
            "all",
            TEAM_ENTERPRISE,
            after(M + 2, 28),
            [(ia03, "proposed"), (month_after(ia03, 1, 5), "in_progress")],
        ),
        (
            "IA-04",
            "Simpler invoices and a self-service payment portal",
            "ces_agree_share",
            "small_business",
            TEAM_SMALL_BUSINESS,
            at(0.7, 28),
            [(ia04, "proposed"), (month_after(ia04, 1, 1), "in_progress")],
        ),
        (
            "IA-05",
            "Blanket ten percent loyalty discount for small business",
            "logo_churn_rate",
            "small_business",
            TEAM_SMALL_BUSINESS,
            at(0.5, 28),
            [(ia05, "proposed"), (month_after(ia05, 2, 26), "cancelled")],
        ),
        (
            "IA-06",
            "Onboarding playbook with a named success manager",
            "csat_share",
            "all",
            TEAM_CS,
            after(M + 4, 15),
            [(at(0.88, 8), "proposed")],
        ),
        (
            "IA-07",
            "Expansion plays for healthy enterprise accounts",
            "nrr",
            "enterprise",
            TEAM_ENTERPRISE,
            after(M + 1, 28),
            [(ia07, "proposed"), (month_after(ia07, 1, 2), "in_progress")],
        ),
        (
            "IA-08",
            "Renewal review 120 days before every term end",
            "grr",
            "all",
            TEAM_COMMERCIAL,
            at(0.8, 28),
            [(after(-2, 14), "proposed"), (after(0, 7), "in_progress"), (at(0.8, 25), "completed")],
        ),
    ]
    actions = []
    for action_id, title, kpi, segment, team, due, history in specs:
        assert kpi in KPIS and (segment == "all" or segment in SEGMENTS)
        fixed: list[tuple[np.datetime64, str]] = []
        for date, status in history:
            if fixed and date <= fixed[-1][0]:  # short windows squeeze the timeline
                date = fixed[-1][0] + 1
            fixed.append((min(date, end), status))
        due = max(due, fixed[0][0] + 30)
        actions.append(Action(action_id, title, kpi, segment, team, due, fixed))
    return actions


def register_snapshot(world: World, as_of: np.datetime64) -> list[dict[str, object]]:
    """The register as exported on ``as_of``: actions raised by then, status as of then."""
    rows = []
    for a in world.actions:
        if a.raised_date > as_of:
            continue
        date, status = [h for h in a.history if h[0] <= as_of][-1]
        head = int(np.flatnonzero((world.rep_team == a.team) & (world.rep_manager < 0))[0])
        rows.append(
            {
                "action_id": a.action_id,
                "action_title": a.title,
                "kpi": a.kpi,
                "segment": a.segment,
                "owner": world.rep_name(head),
                "team": TEAMS[a.team],
                "raised_date": a.raised_date,
                "due_date": a.due_date,
                "status": status,
                "status_changed_date": date,
            }
        )
    return rows


def kpi_target_rows(window: Window) -> list[dict[str, object]]:
    first_year = int(str(window.start_date)[:4])
    last_year = int(str(window.end_date)[:4])
    rows = []
    for kpi in KPIS:
        direction, by_segment, step = P.KPI_TARGETS[kpi]
        for segment in ("all", *SEGMENTS):
            target, amber = by_segment[segment]
            for k, year in enumerate(range(first_year, last_year + 1)):
                sign = 1 if direction == "higher_is_better" else -1
                rows.append(
                    {
                        "kpi": kpi,
                        "segment": segment,
                        "period_start": np.datetime64(f"{year}-01-01"),
                        "period_end": np.datetime64(f"{year}-12-31"),
                        "target": round(target + sign * step * k, 4),
                        "amber_threshold": round(amber + sign * step * k, 4),
                        "direction": direction,
                    }
                )
    return rows
