"""Simulate one chunk of customers month by month and derive every observable from it.

The latent model, per customer and month:

* static traits: segment, base satisfaction, an *effort* trait (how hard we are to deal
  with for this customer), a *switching cost* (high in enterprise), *price sensitivity*
  (high in small business), owner and customer-success reps, loyalty-programme membership;
* ``core`` satisfaction = base + persistent penalty + decaying shocks (broken or late
  promises, slow or fast complaint handling, proactive contact) + the mid-market check-in
  programme once its improvement action is completed;
* an *at-risk* spell starts with a monthly hazard that falls with satisfaction and rises
  with effort and price sensitivity; proactive contact, incentives and being referred
  lower it. During the 2-6 month spell scores fall further, contact goes quiet, payments
  are late, complaints rise, add-ons are cancelled. At its end the customer leaves with a
  probability that falls with switching cost, proactive contact during the spell and a
  retention offer; those who stay only because leaving is hard stay unhappy;
* a small satisfaction-independent hazard of leaving for 'other' reasons (acquired, budget).

Everything the warehouse sees (activities, cases, surveys, invoices, payments...) is drawn
from that state, vectorised over the customers of the chunk; the only Python loop is over
months.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from loyalty_warehouse.contract import (
    ACQUISITION_CHANNELS,
    ACTIVITY_TYPES,
    CHANNELS,
    CHURN_REASONS,
    INDUSTRIES,
    REGIONS,
    REVIEW_THEMES,
    SEGMENTS,
    TOUCHPOINTS,
)

from . import names as N
from . import params as P
from .calendar import Window
from .world import SEGMENT_TEAM, TEAM_CS, World

NEVER = 10**6
ENT, MID, SB = 0, 1, 2
K = 3  # subscription slots per account: the main product and up to two add-ons
NAT = np.datetime64("NaT", "D")

(A_CHECKIN, A_REVIEW, A_COMPLAINT, A_SALES, A_ONBOARD, A_TRAINING, A_RENEWAL) = range(7)
assert ACTIVITY_TYPES[A_RENEWAL] == "renewal_discussion"
CH_EMAIL, CH_PHONE, CH_VIDEO, CH_SITE, CH_CHAT = range(5)
TP = {name: i for i, name in enumerate(TOUCHPOINTS)}
REF = ACQUISITION_CHANNELS.index("referral")
INBOUND = ACQUISITION_CHANNELS.index("inbound_marketing")
OPP_NEW, OPP_RENEWAL, OPP_EXPANSION = range(3)
OPP_OPEN, OPP_WON, OPP_LOST = range(3)
COMMIT_CATEGORIES = ("implementation", "feature", "service_level", "pricing", "training", "support")
CASE_CATEGORIES = (
    "billing",
    "product_defect",
    "service_delivery",
    "communication",
    "onboarding",
    "other",
)
R_OTHER = CHURN_REASONS.index("other")
ONEOFF_IMPL = len(P.MAIN_PRODUCTS) + len(P.ADDON_PRODUCTS)


class Rec:
    """Column-wise collector: add equal-length arrays, get local row ids back."""

    def __init__(self, **dtypes):
        self.dtypes = dtypes
        self.parts: dict[str, list[np.ndarray]] = {c: [] for c in dtypes}
        self.n = 0

    def add(self, size: int, **cols) -> np.ndarray:
        if size == 0:
            return np.empty(0, dtype=np.int64)
        for c, dt in self.dtypes.items():
            v = np.asarray(cols[c], dtype=dt)
            if v.ndim == 0:
                v = np.full(size, v, dtype=dt)
            assert len(v) == size, (c, len(v), size)
            self.parts[c].append(v)
        ids = np.arange(self.n, self.n + size, dtype=np.int64)
        self.n += size
        return ids

    def build(self) -> dict[str, np.ndarray]:
        return {
            c: np.concatenate(p) if p else np.empty(0, dtype=self.dtypes[c])
            for c, p in self.parts.items()
        }


def _pick(rng: np.random.Generator, probs: np.ndarray, n: int) -> np.ndarray:
    """n draws from a categorical distribution (probs need not be normalised)."""
    cdf = np.cumsum(probs / probs.sum())
    return np.minimum(np.searchsorted(cdf, rng.random(n), side="right"), len(probs) - 1)


def _pick_rows(rng: np.random.Generator, weights: np.ndarray) -> np.ndarray:
    """One categorical draw per row of a (n, k) weight matrix."""
    cdf = np.cumsum(weights, axis=1)
    u = rng.random(len(weights)) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), weights.shape[1] - 1)


def _round_cents(zar: np.ndarray, to: float = 0.01) -> np.ndarray:
    """Rand amounts -> integer cents, rounded to a multiple of ``to`` rand."""
    return (np.round(np.asarray(zar, dtype=np.float64) / to) * to * 100).round().astype(np.int64)


class ChunkSim:
    """Accounts ``lo``..``hi`` (global indices): their latent state, run month by month, and
    the landing tables derived from it (``tables()``). Its own random stream per chunk."""

    def __init__(self, world: World, window: Window, seed: int, chunk: int, lo: int, hi: int):
        self.world, self.W, self.M = world, window, window.months
        self.rng = rng = np.random.default_rng([seed, 7919, chunk])
        self.lo, self.n = lo, hi - lo
        n, M = self.n, self.M
        self.gidx = np.arange(lo, hi, dtype=np.int64)

        # ------------------------------------------------------------ static traits
        self.seg = _pick(rng, P.SEGMENT_SHARE, n)
        self.region = _pick(rng, P.REGION_SHARE, n)
        self.industry = rng.integers(0, len(INDUSTRIES), n)
        p_new = min(P.NEW_SHARE_CAP, P.NEW_SHARE_PER_MONTH * M)
        self.is_new = rng.random(n) < p_new
        tenure = np.minimum(rng.gamma(1.6, 26.0, n).astype(np.int64) + 1, 180)
        self.created_m = np.where(self.is_new, rng.integers(0, M, n), -tenure)
        self.cday = rng.integers(1, 29, n)  # billing anniversary day
        self.created_date = window.date(self.created_m, self.cday)
        # long-standing customers are the survivors of years of churn: a little happier
        self.base_sat = rng.normal(P.SAT_MEAN[self.seg], P.SAT_SD) + P.SURVIVOR_SAT * (
            1 - np.exp(-np.maximum(-self.created_m, 0) / 24)
        )
        self.effort = rng.normal(0.0, 1.0, n)
        self.switch = rng.beta(P.SWITCH_A[self.seg], P.SWITCH_B[self.seg])
        self.price = rng.beta(P.PRICE_A[self.seg], P.PRICE_B[self.seg])
        self.loyalty = rng.random(n) < P.LOYALTY_PROGRAMME_SHARE
        self.reviewed = rng.random(n) < P.REVIEW_SHARE[self.seg]
        self.review_phase = rng.integers(0, 3, n)
        self.owner = world.pick_rep(rng, SEGMENT_TEAM[self.seg])
        self.csrep = world.pick_rep(rng, np.full(n, TEAM_CS))
        self.channel = np.where(
            self.is_new, _pick(rng, P.CHANNEL_NEW, n), _pick(rng, P.CHANNEL_OLD, n)
        )
        self.referred_by = np.full(n, -1, dtype=np.int64)
        self._refer_existing()
        self.main_mrr = np.round(rng.lognormal(np.log(P.MAIN_MRR_MEDIAN[self.seg]), 0.45), -1)

        # contacts: contiguous local ids per account
        self.ncon = rng.integers(P.CON_MIN[self.seg], P.CON_MAX[self.seg] + 1)
        self.con_start = np.r_[0, np.cumsum(self.ncon)[:-1]]

        # ------------------------------------------------------------ records
        i64, b = np.int64, np.bool_
        D, S = "datetime64[D]", "datetime64[s]"
        self.subs = Rec(
            acc=i64, slot=i64, product=i64, start_m=i64, term=i64, mrr=i64, renewal_of=i64
        )
        self.sub_end: list[tuple[np.ndarray, np.ndarray]] = []  # (sub ids, end month excl)
        self.opps = Rec(acc=i64, rep=i64, type=i64, stage=i64, created=D, close=D, amount=i64)
        self.opp_upd: list[tuple[np.ndarray, int, np.ndarray, np.ndarray | None]] = []
        self.commits = Rec(
            acc=i64, rep=i64, opp=i64, phase=i64, category=i64, made=D, due=D, kind=i64, delivered=D
        )
        self.acts = Rec(
            acc=i64,
            rep=i64,
            date=D,
            channel=i64,
            initiative=i64,
            type=i64,
            duration=i64,
            case=i64,
            opp=i64,
            tp=i64,
        )
        self.cases = Rec(
            acc=i64, opened=S, frh=i64, res=i64, severity=i64, category=i64, complaint=b, slow=b
        )
        self.resps = Rec(
            acc=i64,
            contact=i64,
            rel=b,
            tp=i64,
            date=D,
            nps=i64,
            ces=i64,
            csat=i64,
            expct=i64,
            exper=i64,
            comment=object,
        )
        self.incs = Rec(acc=i64, date=D, type=i64, amount=i64)

        # ------------------------------------------------------------ loop state
        self.slot_on = np.zeros((n, K), dtype=bool)
        self.slot_start = np.zeros((n, K), dtype=np.int64)
        self.slot_term = np.ones((n, K), dtype=np.int64)
        self.slot_mrr = np.zeros((n, K), dtype=np.int64)
        self.slot_sub = np.full((n, K), -1, dtype=np.int64)
        self.slot_product = np.zeros((n, K), dtype=np.int64)
        self.churn_m = np.full(n, NEVER, dtype=np.int64)
        self.reason = np.full(n, -1, dtype=np.int64)
        self.atrisk = np.zeros(n, dtype=bool)
        self.ar_start = np.zeros(n, dtype=np.int64)
        self.ar_len = np.zeros(n, dtype=np.int64)
        self.ar_pro = np.zeros(n, dtype=np.int64)
        self.ar_offer = np.zeros(n, dtype=bool)
        self.ar_w = np.zeros((n, len(CHURN_REASONS)))
        self.cooldown = np.zeros(n, dtype=np.int64)
        self.shock = np.zeros(n)
        self.penalty = np.zeros(n)
        self.d_broken = np.zeros(n)
        self.d_late = np.zeros(n)
        self.d_slow = np.zeros(n)
        self.d_comm = np.zeros(n)
        self.last_pro = -rng.integers(1, 8, n)
        # relationship capital built by proactive contact, decaying; starts at its steady state
        pro_rate = P.CI_RATE[self.seg] * world.rep_proactivity[self.owner] + self.reviewed / 3
        self.care = np.where(self.is_new, 0.0, pro_rate / (1 - P.CARE_DECAY))
        self.last_act = -rng.integers(1, 4, n)
        self.inc_until = np.full(n, -99, dtype=np.int64)
        self.last_nps = np.full(n, -1, dtype=np.int64)
        self.ren_opp = np.full(n, -1, dtype=np.int64)
        self.ren_opp_for = np.full(n, -1, dtype=np.int64)
        self.shock_in = np.zeros((n, M + 1))
        self.penalty_in = np.zeros((n, M + 1))
        self.broken_in = np.zeros((n, M + 1))
        self.late_in = np.zeros((n, M + 1))
        self.slow_in = np.zeros((n, M + 1))
        self.comm_in = np.zeros((n, M + 1))
        self.sat_mat = np.zeros((n, M), dtype=np.float32)
        self.ar_mat = np.zeros((n, M), dtype=bool)
        self.core = self.base_sat.copy()
        self._init_existing_subscriptions()
        self._init_atrisk()

    # ================================================================ setup
    @property
    def referral(self) -> np.ndarray:
        return self.channel == REF

    def _refer_existing(self) -> None:
        """Pre-window referrals point at an older account of a happy type."""
        rng = self.rng
        cand = np.flatnonzero(~self.is_new & (self.base_sat > 0.7))
        cand = cand[np.argsort(self.created_m[cand], kind="stable")]
        who = np.flatnonzero(~self.is_new & (self.channel == REF))
        # candidates created strictly earlier than the referred account
        k = np.searchsorted(self.created_m[cand], self.created_m[who], side="left")
        ok = k > 0
        pick = np.floor(rng.random(len(who)) * np.maximum(k, 1)).astype(np.int64)
        self.referred_by[who[ok]] = cand[pick[ok]]
        self.channel[who[~ok]] = ACQUISITION_CHANNELS.index("direct_sales")

    def _term(self, seg: np.ndarray) -> np.ndarray:
        return P.TERM_CHOICES[_pick_rows(self.rng, P.TERM_P[seg])]

    def _new_sub(self, acc, slot, product, start_m, term, mrr, renewal_of) -> np.ndarray:
        ids = self.subs.add(
            len(acc),
            acc=acc,
            slot=slot,
            product=product,
            start_m=start_m,
            term=term,
            mrr=mrr,
            renewal_of=renewal_of,
        )
        self.slot_on[acc, slot] = True
        self.slot_start[acc, slot] = start_m
        self.slot_term[acc, slot] = term
        self.slot_mrr[acc, slot] = mrr
        self.slot_sub[acc, slot] = ids
        self.slot_product[acc, slot] = product
        return ids

    def _in_force_start(self, first_m: np.ndarray, term: np.ndarray, day: np.ndarray) -> np.ndarray:
        """Start month of the term (anniversaries of first_m) in force on the window's first day."""
        lim = np.where(day == 1, 0, -1)
        return first_m + term * ((lim - first_m) // term)

    def _init_existing_subscriptions(self) -> None:
        rng, seg = self.rng, self.seg
        old = np.flatnonzero(~self.is_new)
        s = seg[old]
        term = self._term(s)
        start = self._in_force_start(self.created_m[old], term, self.cday[old])
        self._new_sub(old, 0, seg[old], start, term, _round_cents(self.main_mrr[old]), -1)
        lim = np.where(self.cday[old] == 1, 0, -1)
        room = lim - self.created_m[old]  # months between creation and the window start
        prod1 = rng.integers(0, len(P.ADDON_PRODUCTS), len(old))
        prod2 = (prod1 + 1 + rng.integers(0, len(P.ADDON_PRODUCTS) - 1, len(old))) % len(
            P.ADDON_PRODUCTS
        )
        has1 = (rng.random(len(old)) < P.ADDON_EXISTING[s]) & (room >= 1)
        has2 = has1 & (rng.random(len(old)) < P.ADDON2_EXISTING[s])
        for slot, has, prod in ((1, has1, prod1), (2, has2, prod2)):
            acc = old[has]
            first = (
                self.created_m[acc]
                + 1
                + np.floor(rng.random(len(acc)) * room[has]).astype(np.int64)
            )
            first = np.minimum(first, lim[has])
            start = self._in_force_start(first, np.full(len(acc), 12), self.cday[acc])
            mrr = _round_cents(self.main_mrr[acc] * rng.uniform(0.1, 0.3, len(acc)), 10)
            self._new_sub(acc, slot, len(P.MAIN_PRODUCTS) + prod[has], start, 12, mrr, -1)

    def _hazard(self, t: int) -> np.ndarray:
        seg = self.seg
        h = P.H0[seg] * np.exp(
            -P.SAT_W * self.core
            + P.EFFORT_W * self.effort
            + P.PRICE_H[seg] * self.price
            + P.BROKEN_H * self.d_broken
            + P.SLOW_H * self.d_slow
        )
        h = h * np.exp(-P.CARE_W * np.minimum(self.care, P.CARE_CAP))
        h = h * np.where(t < self.inc_until, P.H_INCENTIVE, 1.0)
        h = h * np.where(self.referral, P.H_REFERRAL, 1.0)
        to_renewal = self.slot_start[:, 0] + self.slot_term[:, 0] - t
        window_mult = (
            P.H_RENEWAL_WINDOW_AFTER_ACTION
            if t >= self.world.renewal_review_month
            else P.H_RENEWAL_WINDOW
        )
        h = h * np.where((to_renewal >= 1) & (to_renewal <= 6), window_mult, 1.0)
        return np.minimum(h, P.H_MAX)

    def _init_atrisk(self) -> None:
        """Existing customers start in a steady state: some are already part-way into a spell,
        with the decisions spread evenly over the first months."""
        rng, n = self.rng, self.n
        p = np.clip(3.5 * self._hazard(0), 0, 0.35)
        init = ~self.is_new & (rng.random(n) < p)
        decide = rng.integers(1, 7, n)
        elapsed = rng.integers(0, 4, n)
        self.atrisk[init] = True
        self.ar_start[init] = -elapsed[init]
        self.ar_len[init] = decide[init] + elapsed[init]
        self.ar_w[init] = self._reason_weights(np.flatnonzero(init), 0)

    # ================================================================ helpers
    def _days(self, acc: np.ndarray, t: int) -> np.ndarray:
        """Random dates in month t for these accounts, not before their creation date."""
        dim = int(self.W.days_in_month(t))
        lo = np.where(self.created_m[acc] == t, self.cday[acc], 1)
        day = lo + np.floor(self.rng.random(len(acc)) * (dim - lo + 1)).astype(np.int64)
        return self.W.month_start(t) + (day - 1)

    def _expand(self, counts: np.ndarray) -> np.ndarray:
        return np.repeat(np.arange(self.n), counts)

    def _promises(self, acc, rep, opp, phase, made, due) -> None:
        rng, m = self.rng, len(acc)
        if m == 0:
            return
        fac = self.world.rep_reliability[rep] * np.where(phase == 0, 1.4, 1.0)
        p_broken = np.clip(0.06 * fac, 0, 0.6)
        p_late = np.clip(0.14 * fac, 0, 0.6)
        u = rng.random(m)
        kind = np.where(u < p_broken, 2, np.where(u < p_broken + p_late, 1, 0))
        delivered = np.where(kind == 0, due - rng.integers(0, 15, m), due + rng.integers(7, 61, m))
        delivered = np.maximum(delivered, made)
        delivered = np.where(kind == 2, NAT, delivered)
        weights = {
            0: np.array([4, 3, 0, 2, 2, 0.0]),
            1: np.array([4, 0, 1, 0, 3, 2.0]),
            2: np.array([0, 3, 3, 1, 1, 3.0]),
        }
        category = np.empty(m, dtype=np.int64)
        for ph, w in weights.items():
            sel = phase == ph
            category[sel] = _pick(rng, w, int(sel.sum()))
        self.commits.add(
            m,
            acc=acc,
            rep=rep,
            opp=opp,
            phase=phase,
            category=category,
            made=made,
            due=due,
            kind=kind,
            delivered=delivered,
        )
        em = self.W.month_of(due)
        ok = (em >= 0) & (em < self.M)
        eff = np.where(
            kind == 2, P.SHOCK_BROKEN, np.where(kind == 1, P.SHOCK_LATE, P.SHOCK_ON_TIME)
        )
        np.add.at(self.shock_in, (acc[ok], em[ok]), eff[ok])
        np.add.at(self.broken_in, (acc[ok], em[ok]), (kind[ok] == 2).astype(float))
        np.add.at(
            self.penalty_in,
            (acc[ok], em[ok]),
            np.where(kind[ok] == 2, P.PENALTY_BROKEN, np.where(kind[ok] == 1, P.PENALTY_LATE, 0.0)),
        )
        np.add.at(self.late_in, (acc[ok], em[ok]), (kind[ok] == 1).astype(float))

    def _activity(
        self, acc, rep, date, channel, initiative, atype, duration, case=-1, opp=-1, tp=-1
    ):
        m = len(acc)
        if m:
            self._touched[acc] = True
            self.acts.add(
                m,
                acc=acc,
                rep=rep,
                date=date,
                channel=channel,
                initiative=initiative,
                type=atype,
                duration=duration,
                case=case,
                opp=opp,
                tp=tp,
            )

    def _incentive(self, acc, t, itype, amount_zar) -> None:
        if len(acc):
            self.incs.add(
                len(acc),
                acc=acc,
                date=self._days(acc, t),
                type=itype,
                amount=_round_cents(amount_zar, 10),
            )
            self.inc_until[acc] = t + 12

    def _end_slots(self, mask_acc: np.ndarray, slot: int, t: int) -> None:
        acc = np.flatnonzero(mask_acc & self.slot_on[:, slot])
        if len(acc):
            self.sub_end.append((self.slot_sub[acc, slot], np.full(len(acc), t)))
            self.slot_on[acc, slot] = False

    # ================================================================ the month loop
    def run(self, tick: Callable[[], None] | None = None) -> None:
        for t in range(self.M):
            self._month(t)
            if tick is not None:
                tick()

    def _month(self, t: int) -> None:
        rng, n, W, world, seg = self.rng, self.n, self.W, self.world, self.seg
        self._touched = np.zeros(n, dtype=bool)
        # -------------------------------------------------- decisions at the month's start
        if t >= 1:
            alive = (self.created_m < t) & (self.churn_m == NEVER)
            ending = alive & self.atrisk & (t - self.ar_start >= self.ar_len)
            inc_active = t < self.inc_until
            p = (
                P.AR_CHURN
                * (1 - P.SWITCH_W * self.switch)
                * P.PRO_RESCUE**self.ar_pro
                * np.where(self.ar_offer, P.OFFER_RESCUE, 1.0)
                * np.where(inc_active & ~self.ar_offer, P.INCENTIVE_RESCUE, 1.0)
                * np.where(self.referral, P.REFERRAL_RESCUE, 1.0)
            )
            u = rng.random(n)
            leave = ending & (u < p)
            stay = ending & ~leave
            exo = alive & ~self.atrisk & (rng.random(n) < P.EXO[seg])
            self._reasons(leave, t)
            self.reason[exo] = R_OTHER
            gone = leave | exo
            self.churn_m[gone] = t
            self.penalty[stay & (self.ar_pro == 0) & ~self.ar_offer] -= P.STAY_PENALTY
            self.atrisk[ending] = False
            self.cooldown[stay] = t + 3
            for slot in range(K):
                self._end_slots(gone, slot, t)
            lost = np.flatnonzero(gone & (self.ren_opp >= 0))
            if len(lost):
                close = W.date(t, self.cday[lost]) - 1
                self.opp_upd.append((self.ren_opp[lost], OPP_LOST, close, None))
                self.ren_opp[lost] = -1

        active = (self.created_m <= t) & (self.churn_m == NEVER)
        new = np.flatnonzero(self.is_new & (self.created_m == t))
        self._acquire(new, t, active)

        # -------------------------------------------------- renewal opportunities and renewals
        r_main = self.slot_start[:, 0] + self.slot_term[:, 0]
        need = np.flatnonzero(
            active
            & self.slot_on[:, 0]
            & (r_main >= t)
            & (r_main - t <= 3)
            & (self.ren_opp_for != r_main)
        )
        if len(need):
            # the renewal desk makes retention offers as renewals come up, more to price-sensitive customers
            offer = need[
                (r_main[need] - t == 3)
                & (
                    rng.random(len(need))
                    < P.RENEWAL_OFFER_P + P.RENEWAL_OFFER_PRICE * self.price[need]
                )
            ]
            self._incentive(offer, t, 2, self.main_mrr[offer] * rng.uniform(0.5, 1.5, len(offer)))
            rdate = W.date(r_main[need], self.cday[need])
            created = np.minimum(rdate - 90, W.end_date)
            ids = self.opps.add(
                len(need),
                acc=need,
                rep=self.owner[need],
                type=OPP_RENEWAL,
                stage=OPP_OPEN,
                created=created,
                close=rdate,
                amount=12 * self.slot_mrr[need, 0],
            )
            self.ren_opp[need] = ids
            self.ren_opp_for[need] = r_main[need]
        self._renewals(t, active)

        # -------------------------------------------------- state this month
        bonus = np.where(
            (seg == MID) & (t >= world.checkin_programme_month),
            P.NPS_PROGRAMME_SAT * np.minimum(1.0, (t - world.checkin_programme_month + 1) / 3),
            0.0,
        )
        # bounded, so a run of bad months cannot feed on itself without limit
        self.shock = np.clip(
            P.SHOCK_DECAY * self.shock + np.maximum(self.shock_in[:, t], -3.0), -4.0, 2.0
        )
        self.penalty = np.maximum(self.penalty + self.penalty_in[:, t], -2.5)
        self.d_broken = P.DRIVER_DECAY * self.d_broken + self.broken_in[:, t]
        self.d_late = P.DRIVER_DECAY * self.d_late + self.late_in[:, t]
        self.d_slow = P.DRIVER_DECAY * self.d_slow + self.slow_in[:, t]
        self.d_comm = P.DRIVER_DECAY * self.d_comm + self.comm_in[:, t]
        self.core = (
            self.base_sat + self.penalty + self.shock + bonus + P.REFERRAL_SAT_BONUS * self.referral
        )
        drop = np.where(
            self.atrisk,
            np.minimum(
                P.ATRISK_DROP + P.ATRISK_DROP_PER_MONTH * (t - self.ar_start), P.ATRISK_DROP_MAX
            ),
            0.0,
        )
        sat = self.core - drop
        self.sat_mat[:, t] = sat
        self.ar_mat[:, t] = self.atrisk & active
        quiet = np.where(self.atrisk, P.SILENT, 1.0)

        # -------------------------------------------------- proactive and routine contact
        ci_rate = P.CI_RATE[seg] * world.rep_proactivity[self.owner] * quiet
        ci_rate = ci_rate * np.where(
            (seg == MID) & (t >= world.checkin_programme_month), P.NPS_PROGRAMME_CI, 1.0
        )
        acc = self._expand(rng.poisson(ci_rate) * active)
        m = len(acc)
        initiative = (rng.random(m) < 0.15).astype(
            np.int64
        )  # some check-ins the customer asked for
        rep = np.where(rng.random(m) < 0.5, self.owner[acc], self.csrep[acc])
        chan = _pick(rng, np.array([0.25, 0.35, 0.3, 0.1, 0.0]), m)
        self._activity(
            acc,
            rep,
            self._days(acc, t),
            chan,
            initiative,
            A_CHECKIN,
            rng.integers(10, 61, m),
            tp=TP["account_manager"],
        )
        pro_count = np.bincount(acc[initiative == 0], minlength=n)

        rv = np.flatnonzero(
            active & self.reviewed & (t % 3 == self.review_phase) & (rng.random(n) < 0.85 * quiet)
        )
        m = len(rv)
        chan = np.where(seg[rv] == ENT, CH_SITE, np.where(rng.random(m) < 0.5, CH_VIDEO, CH_SITE))
        self._activity(
            rv,
            self.owner[rv],
            self._days(rv, t),
            chan,
            0,
            A_REVIEW,
            rng.integers(45, 121, m),
            tp=TP["account_manager"],
        )
        pro_count[rv] += 1
        touched = pro_count > 0
        self.care = P.CARE_DECAY * self.care + pro_count
        self.last_pro[touched] = t
        self.ar_pro[touched & self.atrisk] += 1
        self.shock[touched] += P.SHOCK_PROACTIVE

        age = t - self.created_m
        onboarding = active & self.is_new & (age <= 1)
        cnt = rng.poisson(np.where(age == 0, 1.3, 0.8)) * onboarding
        acc = self._expand(cnt)
        m = len(acc)
        first = np.r_[True, acc[1:] != acc[:-1]] & (age[acc] == 0)
        tp = np.where(first, TP["kickoff"], TP["implementation"])
        self._activity(
            acc,
            self.csrep[acc],
            self._days(acc, t),
            np.where(rng.random(m) < 0.6, CH_VIDEO, CH_SITE),
            0,
            A_ONBOARD,
            rng.integers(45, 181, m),
            tp=tp,
        )

        train_rate = 0.02 + 0.35 * (self.is_new & (age >= 1) & (age <= 2))
        acc = self._expand(rng.poisson(train_rate * quiet) * active)
        m = len(acc)
        self._activity(
            acc,
            self.csrep[acc],
            self._days(acc, t),
            np.where(rng.random(m) < 0.7, CH_VIDEO, CH_SITE),
            (rng.random(m) < 0.7).astype(np.int64),
            A_TRAINING,
            rng.integers(60, 241, m),
            tp=TP["training"],
        )

        to_ren = self.slot_start[:, 0] + self.slot_term[:, 0] - t
        rd = np.flatnonzero(
            active
            & (self.ren_opp >= 0)
            & (to_ren >= 1)
            & (to_ren <= 2)
            & (rng.random(n) < 0.65 * quiet)
        )
        m = len(rd)
        self._activity(
            rd,
            self.owner[rd],
            self._days(rd, t),
            _pick(rng, np.array([0.2, 0.3, 0.35, 0.15, 0.0]), m),
            0,
            A_RENEWAL,
            rng.integers(20, 91, m),
            opp=self.ren_opp[rd],
            tp=TP["renewal_review"],
        )

        # -------------------------------------------------- cases and complaints
        lam = (
            P.CASE_RATE[seg]
            * np.exp(-0.45 * sat + 0.2 * self.effort)
            * np.where(self.atrisk, P.ATRISK_CASES, 1.0)
        )
        lam = np.minimum(lam, 1.0)
        acc = self._expand(rng.poisson(lam) * active)
        self._cases(acc, t, sat)

        # -------------------------------------------------- promises made after the sale
        acc = self._expand(rng.poisson(P.COMMITMENT_RATE * np.ones(n)) * (active & (age >= 1)))
        m = len(acc)
        made = self._days(acc, t)
        self._promises(
            acc,
            self.owner[acc],
            np.full(m, -1),
            np.full(m, 2),
            made,
            made + rng.integers(20, 101, m),
        )

        # -------------------------------------------------- relationship survey
        resp = np.flatnonzero(
            active
            & (rng.random(n) < P.RELATIONSHIP_INVITE)
            & (
                rng.random(n)
                < P.RELATIONSHIP_RESPONSE * np.where(self.atrisk, P.SILENT_RESPONSE, 1.0)
            )
        )
        self._relationship(resp, t, sat)

        # -------------------------------------------------- incentives
        acc = np.flatnonzero(active & self.loyalty & (rng.random(n) < P.LOYALTY_GRANT_P))
        itype = np.where(rng.random(len(acc)) < 0.55, 1, 0)  # loyalty_reward / discount
        self._incentive(acc, t, itype, self.main_mrr[acc] * rng.uniform(0.05, 0.2, len(acc)))

        # -------------------------------------------------- expansion deals
        self._expansions(t, active)

        # -------------------------------------------------- at-risk onset
        onset = (
            active
            & ~self.atrisk
            & (t >= self.cooldown)
            & (self.created_m < t)
            & (rng.random(n) < self._hazard(t))
        )
        on = np.flatnonzero(onset)
        if len(on):
            length = rng.integers(2, 7, len(on))
            to_r = self.slot_start[on, 0] + self.slot_term[on, 0] - t
            align = (to_r >= 2) & (to_r <= 6) & (rng.random(len(on)) < 0.7)
            length = np.where(align, to_r, length)
            self.atrisk[on] = True
            self.ar_start[on] = t
            self.ar_len[on] = length
            self.ar_pro[on] = 0
            self.ar_w[on] = self._reason_weights(on, t)
            offer = rng.random(len(on)) < P.RETENTION_OFFER_P
            self.ar_offer[on] = offer
            self._incentive(
                on[offer], t, 2, self.main_mrr[on[offer]] * rng.uniform(0.5, 1.5, int(offer.sum()))
            )
            cancel = np.zeros(n, dtype=bool)
            cancel[on] = rng.random(len(on)) < P.ADDON_CANCEL_P
            for slot in (1, 2):
                self._end_slots(cancel & (self.slot_start[:, slot] < t), slot, t)
        self.last_act[self._touched] = t

    # ================================================================ pieces of a month
    def _acquire(self, new: np.ndarray, t: int, active: np.ndarray) -> None:
        rng, W = self.rng, self.W
        if len(new) == 0:
            return
        ref = new[self.channel[new] == REF]
        pool = np.flatnonzero(active & (self.last_nps >= 9) & (self.created_m < t))
        if len(pool):
            self.referred_by[ref] = pool[rng.integers(0, len(pool), len(ref))]
        else:
            self.channel[ref] = INBOUND
        seg = self.seg[new]
        term = self._term(seg)
        self._new_sub(new, 0, seg, t, term, _round_cents(self.main_mrr[new]), -1)
        add = new[rng.random(len(new)) < P.ADDON_NEW[seg]]
        prod = rng.integers(0, len(P.ADDON_PRODUCTS), len(add))
        self._new_sub(
            add,
            1,
            len(P.MAIN_PRODUCTS) + prod,
            t,
            12,
            _round_cents(self.main_mrr[add] * rng.uniform(0.1, 0.3, len(add)), 10),
            -1,
        )
        m = len(new)
        cdate = self.created_date[new]
        opened = cdate - rng.integers(14, 81, m)
        acv = 12 * self.slot_mrr[new].sum(axis=1)
        opp = self.opps.add(
            m,
            acc=new,
            rep=self.owner[new],
            type=OPP_NEW,
            stage=OPP_WON,
            created=opened,
            close=cdate,
            amount=acv,
        )
        # the sales conversations before signature (prospect stage)
        k = 1 + rng.poisson(1.0, m)
        idx = np.repeat(np.arange(m), k)
        span = (cdate - opened).astype(np.int64)[idx]
        date = opened[idx] + np.floor(rng.random(len(idx)) * span).astype(np.int64)
        keep = date >= W.start_date
        idx, date = idx[keep], date[keep]
        acc = new[idx]
        self._activity(
            acc,
            self.owner[acc],
            date,
            _pick(self.rng, np.array([0.1, 0.3, 0.35, 0.25, 0.0]), len(acc)),
            0,
            A_SALES,
            rng.integers(30, 121, len(acc)),
            opp=opp[idx],
            tp=np.where(rng.random(len(acc)) < 0.7, TP["sales_meeting"], TP["proposal"]),
        )
        # promises made in the sale and at onboarding
        k = rng.integers(1, 4, m)
        idx = np.repeat(np.arange(m), k)
        span = (cdate - opened).astype(np.int64)[idx]
        made = opened[idx] + np.floor(rng.random(len(idx)) * span).astype(np.int64)
        due = cdate[idx] + rng.integers(15, 121, len(idx))
        self._promises(
            new[idx], self.owner[new[idx]], opp[idx], np.zeros(len(idx), np.int64), made, due
        )
        k = rng.integers(1, 3, m)
        idx = np.repeat(np.arange(m), k)
        made = cdate[idx] + rng.integers(0, 21, len(idx))
        made = np.minimum(made, W.end_date)
        due = made + rng.integers(20, 76, len(idx))
        self._promises(
            new[idx],
            self.csrep[new[idx]],
            np.full(len(idx), -1),
            np.ones(len(idx), np.int64),
            made,
            due,
        )

    def _renewals(self, t: int, active: np.ndarray) -> None:
        rng = self.rng
        for slot in range(K):
            acc = np.flatnonzero(
                active
                & self.slot_on[:, slot]
                & (self.slot_start[:, slot] + self.slot_term[:, slot] == t)
            )
            if len(acc) == 0:
                continue
            m = len(acc)
            old = self.slot_sub[acc, slot]
            if slot == 0:
                core, risk, eff = self.core[acc], self.atrisk[acc], self.effort[acc]
                grow = (core > 0.8) & ~risk & (eff < 0.8)
                shrink = risk | (core < -0.6) | (eff > 1.3)
                f = np.where(
                    grow,
                    rng.uniform(1.08, 1.3, m),
                    np.where(shrink, rng.uniform(0.7, 0.92, m), rng.uniform(1.03, 1.08, m)),
                )
                term = np.where(
                    rng.random(m) < 0.85, self.slot_term[acc, 0], self._term(self.seg[acc])
                )
                mrr = _round_cents(self.slot_mrr[acc, 0] / 100 * f, 10)
                self._new_sub(acc, 0, self.slot_product[acc, 0], t, term, mrr, old)
                has = self.ren_opp[acc] >= 0
                a = acc[has]
                self.opp_upd.append(
                    (self.ren_opp[a], OPP_WON, self.W.date(t, self.cday[a]), 12 * mrr[has])
                )
                self.ren_opp[a] = -1
                # price-sensitive small customers often get a renewal discount
                disc = acc[
                    (self.seg[acc] == SB)
                    & (self.price[acc] > 0.6)
                    & (rng.random(m) < P.RENEWAL_DISCOUNT_P)
                ]
                self._incentive(disc, t, 0, self.main_mrr[disc] * rng.uniform(0.5, 1.5, len(disc)))
            else:
                drop = self.atrisk[acc] & (rng.random(m) < 0.5)
                self.slot_on[acc[drop], slot] = False  # the term simply runs out
                keep = acc[~drop]
                mrr = _round_cents(
                    self.slot_mrr[keep, slot] / 100 * rng.uniform(1.0, 1.06, len(keep)), 10
                )
                self._new_sub(keep, slot, self.slot_product[keep, slot], t, 12, mrr, old[~drop])

    def _cases(self, acc: np.ndarray, t: int, sat: np.ndarray) -> None:
        rng, m = self.rng, len(acc)
        if m == 0:
            return
        day = self._days(acc, t)
        opened = day.astype("datetime64[s]") + rng.integers(7 * 3600, 17 * 3600, m)
        severity = _pick(rng, P.SEVERITY_SHARE, m)
        age = t - self.created_m[acc]
        cw = np.tile(np.array([0.2, 0.25, 0.2, 0.12, 0.0, 0.08]), (m, 1))
        cw[:, 4] = np.where(age <= 3, 0.3, 0.0)
        category = _pick_rows(rng, cw)
        complaint = rng.random(m) < 0.55 + 0.2 * (sat[acc] < 0)
        med = P.FRH_MEDIAN[self.seg[acc]] * P.SEVERITY_SPEED[severity]
        med = med * np.where(opened >= self.world.response_sla_from, P.FRH_AFTER_ACTION, 1.0)
        frh = (rng.lognormal(np.log(med), 0.6) * 3600).astype(np.int64)
        res_med = np.where(complaint, 44.0, 30.0) * P.SEVERITY_SPEED[severity]
        res = (rng.lognormal(np.log(res_med), 0.7) * 3600).astype(np.int64)
        slow = (frh > 24 * 3600) | (frh + res > 120 * 3600)
        ids = self.cases.add(
            m,
            acc=acc,
            opened=opened,
            frh=frh,
            res=res,
            severity=severity,
            category=category,
            complaint=complaint,
            slow=slow,
        )
        eff = np.where(
            complaint,
            np.where(slow, P.SHOCK_SLOW_COMPLAINT, P.SHOCK_FAST_COMPLAINT),
            np.where(slow, P.SHOCK_SLOW_SUPPORT, 0.0),
        )
        np.add.at(self.shock_in, (acc, t + 1), eff)
        np.add.at(self.slow_in, (acc, t + 1), (complaint & slow).astype(float))
        np.add.at(self.comm_in, (acc, t + 1), (complaint & (category == 3)).astype(float))
        # the follow-up call on most complaints, on the day we first responded
        fu = complaint & (rng.random(m) < 0.75)
        fdate = (opened + frh).astype("datetime64[D]")
        a = acc[fu]
        self._activity(
            a,
            self.csrep[a],
            fdate[fu],
            _pick(rng, np.array([0.35, 0.45, 0.05, 0.0, 0.15]), len(a)),
            1,
            A_COMPLAINT,
            rng.integers(10, 46, len(a)),
            case=ids[fu],
        )
        # a recovery gesture after a badly handled serious complaint
        gift = complaint & slow & (severity >= 2) & (rng.random(m) < 0.3)
        self._incentive(acc[gift], t, 3, rng.uniform(2500, 10000, int(gift.sum())))

    def _relationship(self, acc: np.ndarray, t: int, sat: np.ndarray) -> None:
        rng, m = self.rng, len(acc)
        if m == 0:
            return
        s = sat[acc]
        nps = np.clip(np.round(7.0 + 1.7 * s + rng.normal(0, 1.1, m)), 0, 10).astype(np.int64)
        expct, exper = self._exp_scores(acc, s, np.zeros(m), 0.85)
        contact = self.con_start[acc] + np.floor(rng.random(m) * self.ncon[acc]).astype(np.int64)
        contact = np.where(rng.random(m) < 0.02, -1, contact)
        self.resps.add(
            m,
            acc=acc,
            contact=contact,
            rel=True,
            tp=TP["account_manager"],
            date=self._days(acc, t),
            nps=nps,
            ces=-1,
            csat=-1,
            expct=expct,
            exper=exper,
            comment=self._comments(np.where(nps >= 9, 2, np.where(nps >= 7, 1, 0))),
        )
        self.last_nps[acc] = nps

    def _exp_scores(self, acc, s, tp_eff, share):
        rng, m = self.rng, len(acc)
        expct = np.clip(np.round(7.4 + 0.4 * (self.seg[acc] == ENT) + rng.normal(0, 1.0, m)), 1, 10)
        exper = np.clip(
            np.round(expct - 0.4 + 1.2 * s - 0.35 * tp_eff + rng.normal(0, 0.9, m)), 1, 10
        )
        has = rng.random(m) < share
        return np.where(has, expct, -1).astype(np.int64), np.where(has, exper, -1).astype(np.int64)

    def _comments(self, band: np.ndarray) -> np.ndarray:
        rng, m = self.rng, len(band)
        out = np.full(m, "", dtype=object)
        say = rng.random(m) < 0.18
        for b, texts in enumerate((P.COMMENT_BAD, P.COMMENT_MID, P.COMMENT_GOOD)):
            sel = say & (band == b)
            out[sel] = np.array(texts, dtype=object)[rng.integers(0, len(texts), int(sel.sum()))]
        return out

    def _expansions(self, t: int, active: np.ndarray) -> None:
        rng, W, n = self.rng, self.W, self.n
        age = t - self.created_m
        healthy = active & ~self.atrisk & (age >= 3)
        free = ~self.slot_on[:, 1] | ~self.slot_on[:, 2]
        win = np.flatnonzero(healthy & free & (self.core > 0.6) & (rng.random(n) < P.EXPANSION_P))
        if len(win):
            slot = np.where(~self.slot_on[win, 1], 1, 2)
            other = np.where(slot == 1, self.slot_product[win, 2], self.slot_product[win, 1])
            prod = len(P.MAIN_PRODUCTS) + rng.integers(0, len(P.ADDON_PRODUCTS), len(win))
            prod = np.where(
                prod == other,
                len(P.MAIN_PRODUCTS) + (prod - len(P.MAIN_PRODUCTS) + 1) % len(P.ADDON_PRODUCTS),
                prod,
            )
            mrr = _round_cents(self.main_mrr[win] * rng.uniform(0.1, 0.3, len(win)), 10)
            for s in (1, 2):
                sel = slot == s
                self._new_sub(win[sel], s, prod[sel], t, 12, mrr[sel], -1)
            start = W.date(t, self.cday[win])
            opened = start - rng.integers(20, 61, len(win))
            ids = self.opps.add(
                len(win),
                acc=win,
                rep=self.owner[win],
                type=OPP_EXPANSION,
                stage=OPP_WON,
                created=opened,
                close=start,
                amount=12 * mrr,
            )
            self._sales_calls(win, opened, start, ids)
        lose = np.flatnonzero(healthy & (rng.random(n) < 0.003))
        if len(lose):
            close = self._days(lose, t)
            opened = close - rng.integers(30, 61, len(lose))
            amount = _round_cents(self.main_mrr[lose] * 12 * rng.uniform(0.1, 0.3, len(lose)), 100)
            ids = self.opps.add(
                len(lose),
                acc=lose,
                rep=self.owner[lose],
                type=OPP_EXPANSION,
                stage=OPP_LOST,
                created=opened,
                close=close,
                amount=amount,
            )
            self._sales_calls(lose, opened, close, ids)
        if t >= self.M - 2:
            pipe = np.flatnonzero(healthy & (self.core > 0.3) & (rng.random(n) < 0.01))
            if len(pipe):
                opened = self._days(pipe, t)
                amount = _round_cents(
                    self.main_mrr[pipe] * 12 * rng.uniform(0.1, 0.3, len(pipe)), 100
                )
                ids = self.opps.add(
                    len(pipe),
                    acc=pipe,
                    rep=self.owner[pipe],
                    type=OPP_EXPANSION,
                    stage=OPP_OPEN,
                    created=opened,
                    close=opened + rng.integers(20, 76, len(pipe)),
                    amount=amount,
                )
                self._sales_calls(pipe, opened, opened + 1, ids)

    def _sales_calls(self, acc, start, stop, opp) -> None:
        rng = self.rng
        span = np.maximum((stop - start).astype(np.int64), 1)
        date = np.minimum(
            start + np.floor(rng.random(len(acc)) * span).astype(np.int64), self.W.end_date
        )
        self._activity(
            acc,
            self.owner[acc],
            date,
            _pick(rng, np.array([0.2, 0.3, 0.35, 0.15, 0.0]), len(acc)),
            0,
            A_SALES,
            rng.integers(30, 91, len(acc)),
            opp=opp,
            tp=np.where(rng.random(len(acc)) < 0.5, TP["sales_meeting"], TP["proposal"]),
        )

    def _reason_weights(self, acc: np.ndarray, t: int) -> np.ndarray:
        """What is driving an at-risk spell, taken when it starts: one weight per churn reason."""
        seg = self.seg[acc]
        return np.stack(
            [
                2.0 * self.d_broken[acc] + 0.7 * self.d_late[acc],
                1.2 * self.d_slow[acc]
                + 0.5 * np.clip(self.effort[acc] - 0.3, 0, None)
                + 0.3 * np.clip(-self.core[acc], 0, None),
                P.PRICE_REASON[seg] * self.price[acc],
                1.0 * self.d_comm[acc] + 0.4 * (t - self.last_act[acc] >= 3),
                0.6 * (t - self.last_pro[acc] > 3) + 0.1,
                np.full(len(acc), 0.1),
            ],
            axis=1,
        )

    def _reasons(self, leave: np.ndarray, t: int) -> None:
        acc = np.flatnonzero(leave)
        if len(acc):
            self.reason[acc] = _pick_rows(self.rng, self.ar_w[acc] ** 2 + 1e-9)

    # ================================================================ tables
    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """Every chunk-level landing entity as typed columns (ids are chunk-local ints)."""
        rng, W, M, n = self.rng, self.W, self.M, self.n
        end = W.end_date
        churned = self.churn_m < NEVER
        churn_date = np.where(churned, W.date(np.minimum(self.churn_m, M), self.cday) - 1, NAT)
        limit = np.where(churned, churn_date, end)  # last day anything can happen for an account
        out: dict[str, dict[str, np.ndarray]] = {}

        # ------------------------------------------------------------ accounts, contacts
        name, domain = N.company_names(self.gidx, self.industry, 0)
        out["crm.accounts"] = {
            "account_id": np.arange(n),
            "account_name": name,
            "segment": np.array(SEGMENTS)[self.seg],
            "region": np.array(REGIONS)[self.region],
            "industry": np.array(INDUSTRIES)[self.industry],
            "created_date": self.created_date,
            "acquisition_channel": np.array(ACQUISITION_CHANNELS)[self.channel],
            "referred_by_account_id": self.referred_by,
            "owner_rep_id": self.owner,
        }
        cacc = np.repeat(np.arange(n), self.ncon)
        first, last = N.people(rng, len(cacc))
        primary = np.r_[True, cacc[1:] != cacc[:-1]] if len(cacc) else np.zeros(0, bool)
        titles = np.array(P.JOB_TITLES)
        title = np.where(
            primary,
            titles[rng.integers(0, 4, len(cacc))],
            titles[rng.integers(0, len(titles), len(cacc))],
        )
        title = np.where(rng.random(len(cacc)) < 0.1, "", title)
        out["crm.contacts"] = {
            "contact_id": np.arange(len(cacc)),
            "account_id": cacc,
            "first_name": np.array(P.FIRST_NAMES)[first],
            "last_name": np.array(P.LAST_NAMES)[last],
            "email": N.emails(cacc, first, last, domain),
            "phone": N.phones(rng, len(cacc)),
            "job_title": title,
            "is_primary": primary,
        }

        # ------------------------------------------------------------ subscriptions
        sb = self.subs.build()
        end_excl = sb["start_m"] + sb["term"]
        for ids, month in self.sub_end:
            np.minimum.at(end_excl, ids, month)
        assert (end_excl > sb["start_m"]).all()
        sday = self.cday[sb["acc"]]
        sub_order = np.lexsort((sb["slot"], sb["acc"], sb["start_m"]))
        sub_new = np.empty_like(sub_order)
        sub_new[sub_order] = np.arange(len(sub_order))
        ren = sb["renewal_of"]
        out["finance.subscriptions"] = _sorted(
            {
                "subscription_id": sub_new,
                "account_id": sb["acc"],
                "product": np.array(P.PRODUCTS)[sb["product"]],
                "start_date": W.date(sb["start_m"], sday),
                "end_date": W.date(end_excl, sday) - 1,
                "term_months": sb["term"],
                "mrr": sb["mrr"],
                "currency": None,
                "renewal_of_subscription_id": np.where(ren >= 0, sub_new[np.maximum(ren, 0)], -1),
            },
            sub_order,
        )

        # ------------------------------------------------------------ invoices and payments
        first_m = np.maximum(sb["start_m"], 0)
        last_m = np.minimum(end_excl, M)
        cnt = np.maximum(last_m - first_m, 0)
        sidx = np.repeat(np.arange(len(cnt)), cnt)
        off = np.repeat(np.cumsum(cnt) - cnt, cnt)
        l_month = first_m[sidx] + (np.arange(len(sidx)) - off)
        l_acc = sb["acc"][sidx]
        l_prod = sb["product"][sidx]
        l_amt = sb["mrr"][sidx]
        l_rank = sb["slot"][sidx]
        # one-off services: implementation at the start, now and then later, never when unhappy
        act_mat = (np.arange(M)[None, :] >= self.created_m[:, None]) & (
            np.arange(M)[None, :] < self.churn_m[:, None]
        )
        age = np.arange(M)[None, :] - self.created_m[:, None]
        p1 = np.where(act_mat & ~self.ar_mat, 0.02, 0.0)
        p1 = np.where(act_mat & self.is_new[:, None] & (age == 0), 0.6, p1)
        p1 = np.where(act_mat & self.is_new[:, None] & (age == 1), 0.3, p1)
        oa, om = np.nonzero(rng.random((n, M)) < p1)
        onboard = self.is_new[oa] & (om - self.created_m[oa] <= 1)
        kind = np.where(onboard, 0, 1 + rng.integers(0, len(P.ONE_OFF_PRODUCTS) - 1, len(oa)))
        scale = np.array([2.0, 1.0, 0.4])[self.seg[oa]]
        zar = np.where(
            kind == 0,
            self.main_mrr[oa] * rng.uniform(1.0, 3.0, len(oa)),
            scale
            * np.array([0, 12_000.0, 40_000.0, 25_000.0])[kind]
            * rng.uniform(0.6, 1.4, len(oa)),
        )
        o_amt = _round_cents(zar, 10)
        l_month = np.r_[l_month, om]
        l_acc = np.r_[l_acc, oa]
        l_prod = np.r_[l_prod, ONEOFF_IMPL + kind]
        l_amt = np.r_[l_amt, o_amt]
        l_rank = np.r_[l_rank, np.full(len(oa), K)]
        order = np.lexsort((l_rank, l_acc, l_month))
        l_month, l_acc, l_prod, l_amt = l_month[order], l_acc[order], l_prod[order], l_amt[order]
        key = l_month * n + l_acc
        inv_key, l_inv = np.unique(key, return_inverse=True)
        i_month, i_acc = inv_key // n, inv_key % n
        i_date = W.date(i_month, self.cday[i_acc])
        out["finance.invoices"] = {
            "invoice_line_id": np.arange(len(l_inv)),
            "invoice_id": l_inv,
            "account_id": l_acc,
            "invoice_date": i_date[l_inv],
            "due_date": i_date[l_inv] + 30,
            "product": np.array(P.PRODUCTS)[l_prod],
            "amount": l_amt,
            "currency": None,
        }
        ni = len(inv_key)
        total = np.bincount(l_inv, weights=l_amt, minlength=ni).round().astype(np.int64)
        risky = self.ar_mat[i_acc, i_month]
        unhappy = self.sat_mat[i_acc, i_month] < -1.0
        p_late = np.where(risky, 0.55, 0.05 + 0.1 * unhappy)
        p_unpaid = np.where(self.churn_m[i_acc] - i_month <= 2, 0.25, 0.008)
        late = rng.random(ni) < p_late
        unpaid = rng.random(ni) < p_unpaid
        pay = np.where(
            late, i_date + 30 + rng.integers(3, 76, ni), i_date + rng.integers(3, 31, ni)
        )
        keep = ~unpaid & (pay <= end)
        p_inv = np.flatnonzero(keep)
        order = np.lexsort((p_inv, pay[p_inv]))
        p_inv = p_inv[order]
        out["finance.payments"] = {
            "payment_id": np.arange(len(p_inv)),
            "invoice_id": p_inv,
            "account_id": i_acc[p_inv],
            "payment_date": pay[p_inv],
            "amount": total[p_inv],
            "currency": None,
        }

        # ------------------------------------------------------------ cases
        cs = self.cases.build()
        opened = cs["opened"]
        first_resp = opened + cs["frh"]
        resolved = first_resp + cs["res"]
        end_ts = W.end_ts
        case_order = np.lexsort((cs["acc"], opened))
        case_new = np.empty_like(case_order)
        case_new[case_order] = np.arange(len(case_order))
        out["crm.cases"] = _sorted(
            {
                "case_id": case_new,
                "account_id": cs["acc"],
                "opened_at": opened,
                "first_response_at": np.where(
                    first_resp <= end_ts, first_resp, np.datetime64("NaT", "s")
                ),
                "resolved_at": np.where(resolved <= end_ts, resolved, np.datetime64("NaT", "s")),
                "severity": np.array(["low", "medium", "high", "critical"])[cs["severity"]],
                "category": np.array(CASE_CATEGORIES)[cs["category"]],
                "is_complaint": cs["complaint"],
            },
            case_order,
        )

        # ------------------------------------------------------------ opportunities
        op = self.opps.build()
        for ids, stage, close, amount in self.opp_upd:
            op["stage"][ids] = stage
            op["close"][ids] = close
            if amount is not None:
                op["amount"][ids] = amount
        opp_order = np.lexsort((op["acc"], op["created"]))
        opp_new = np.empty_like(opp_order)
        opp_new[opp_order] = np.arange(len(opp_order))
        out["crm.opportunities"] = _sorted(
            {
                "opportunity_id": opp_new,
                "account_id": op["acc"],
                "rep_id": op["rep"],
                "opportunity_type": np.array(["new_business", "renewal", "expansion"])[op["type"]],
                "stage": np.array(["open", "won", "lost"])[op["stage"]],
                "created_date": op["created"],
                "close_date": op["close"],
                "amount": op["amount"],
                "currency": None,
            },
            opp_order,
        )

        # ------------------------------------------------------------ commitments
        cm = self.commits.build()
        limit_c = limit[cm["acc"]]
        delivered = cm["delivered"]
        kind = cm["kind"]
        gone_first = churned[cm["acc"]] & ~(delivered <= limit_c)  # left before delivery: moot
        status = np.where(
            kind == 2, np.where(cm["due"] + 14 <= end, 2, 0), np.where(delivered <= end, 1, 0)
        )
        status = np.where(gone_first & (cm["made"] <= limit_c), 2, status)
        keep = cm["made"] <= np.minimum(limit_c, end)
        status = status[keep]
        cm = {k: v[keep] for k, v in cm.items()}
        order = np.lexsort((cm["acc"], cm["made"]))
        texts = np.array([t for c in COMMIT_CATEGORIES for t in P.COMMITMENT_TEXT[c]], dtype=object)
        desc = texts[cm["category"][order] * 3 + rng.integers(0, 3, len(order))]
        out["crm.commitments"] = {
            "commitment_id": np.arange(len(order)),
            "account_id": cm["acc"][order],
            "rep_id": cm["rep"][order],
            "opportunity_id": np.where(
                cm["opp"][order] >= 0, opp_new[np.maximum(cm["opp"][order], 0)], -1
            ),
            "phase": np.array(["pre_sale", "onboarding", "post_sale"])[cm["phase"][order]],
            "category": np.array(COMMIT_CATEGORIES)[cm["category"][order]],
            "description": desc,
            "made_date": cm["made"][order],
            "due_date": cm["due"][order],
            "delivered_date": np.where(status[order] == 1, cm["delivered"][order], NAT),
            "status": np.array(["open", "delivered", "broken"])[status[order]],
        }

        # ------------------------------------------------------------ activities
        ac = self.acts.build()
        keep = (ac["date"] <= limit[ac["acc"]]) & (ac["date"] >= W.start_date)
        ac = {k: v[keep] for k, v in ac.items()}
        order = np.lexsort((ac["acc"], ac["date"]))
        ac = {k: v[order] for k, v in ac.items()}
        out["crm.activities"] = {
            "activity_id": np.arange(len(ac["acc"])),
            "account_id": ac["acc"],
            "rep_id": ac["rep"],
            "activity_date": ac["date"],
            "channel": np.array(CHANNELS)[ac["channel"]],
            "initiative": np.array(["proactive", "reactive"])[ac["initiative"]],
            "activity_type": np.array(ACTIVITY_TYPES)[ac["type"]],
            "duration_minutes": ac["duration"],
            "case_id": np.where(ac["case"] >= 0, case_new[np.maximum(ac["case"], 0)], -1),
            "opportunity_id": np.where(ac["opp"] >= 0, opp_new[np.maximum(ac["opp"], 0)], -1),
        }

        # ------------------------------------------------------------ account reviews
        rv = ac["type"] == A_REVIEW
        out["survey.account_reviews"] = self._reviews(ac["acc"][rv], ac["rep"][rv], ac["date"][rv])

        # ------------------------------------------------------------ churn events
        ch = np.flatnonzero(churned)
        ch = ch[np.lexsort((ch, churn_date[ch]))]
        reason = self.reason[ch]
        text = np.empty(len(ch), dtype=object)
        for r, name_ in enumerate(CHURN_REASONS):
            sel = reason == r
            opts = np.array(P.CHURN_TEXT[name_], dtype=object)
            text[sel] = opts[rng.integers(0, len(opts), int(sel.sum()))]
        text = np.where(rng.random(len(ch)) < 0.15, "", text)
        out["crm.churn_events"] = {
            "churn_event_id": np.arange(len(ch)),
            "account_id": ch,
            "churn_date": churn_date[ch],
            "churn_reason": np.array(CHURN_REASONS)[reason],
            "reason_text": text,
        }

        # ------------------------------------------------------------ survey responses
        out["survey.responses"] = self._responses(
            ac, cs, case_new, first_resp, resolved, i_acc, i_date, i_month, limit
        )

        # ------------------------------------------------------------ incentives
        inc = self.incs.build()
        order = np.lexsort((inc["acc"], inc["date"]))
        inc = {k: v[order] for k, v in inc.items()}
        out["finance.incentives"] = {
            "incentive_id": np.arange(len(order)),
            "account_id": inc["acc"],
            "granted_date": inc["date"],
            "incentive_type": np.array(
                ["discount", "loyalty_reward", "retention_offer", "free_service"]
            )[inc["type"]],
            "amount": inc["amount"],
            "currency": None,
        }

        # ------------------------------------------------------------ cost to serve
        parts_acc, parts_m, parts_t, parts_amt = [], [], [], []
        am = W.month_of(ac["date"])
        parts_acc.append(ac["acc"])
        parts_m.append(am)
        parts_t.append(np.full(len(am), 1))
        parts_amt.append(ac["duration"] * P.ACCOUNT_MGMT_PER_MIN)
        hours = np.minimum((cs["frh"] + cs["res"]) / 3600, 200)
        parts_acc.append(cs["acc"])
        parts_m.append(W.month_of(opened))
        parts_t.append(np.full(len(hours), 0))
        parts_amt.append(
            (P.CASE_COST_BASE + P.CASE_COST_PER_HOUR * hours) * np.where(cs["complaint"], 1.5, 1.0)
        )
        onb = np.flatnonzero(self.is_new)
        for k in (0, 1):
            a = onb[self.created_m[onb] + k < np.minimum(self.churn_m[onb], M)]
            parts_acc.append(a)
            parts_m.append(self.created_m[a] + k)
            parts_t.append(np.full(len(a), 2))
            parts_amt.append(0.15 * self.main_mrr[a])
        parts_acc.append(oa)
        parts_m.append(om)
        parts_t.append(np.full(len(oa), 2))
        parts_amt.append(0.55 * o_amt / 100)
        parts_acc.append(inc["acc"])
        parts_m.append(W.month_of(inc["date"]))
        parts_t.append(np.full(len(inc["acc"]), 3))
        parts_amt.append(inc["amount"] / 100 + 650.0)
        c_acc, c_m, c_t = (
            np.concatenate(parts_acc),
            np.concatenate(parts_m),
            np.concatenate(parts_t),
        )
        c_amt = np.concatenate(parts_amt)
        ok = (c_m >= 0) & (c_m < M)
        key = (c_m[ok] * n + c_acc[ok]) * 4 + c_t[ok]
        ukey, inv = np.unique(key, return_inverse=True)
        amt = np.bincount(inv, weights=c_amt[ok], minlength=len(ukey))
        u_t, u_acc, u_m = ukey % 4, (ukey // 4) % n, ukey // 4 // n
        out["finance.cost_to_serve"] = {
            "account_id": u_acc,
            "month": W.month_start(u_m),
            "cost_type": np.array(["support", "account_management", "delivery", "retention"])[u_t],
            "amount": _round_cents(amt),
            "currency": None,
        }

        # ------------------------------------------------------------ acquisition costs
        acq = (
            P.ACQ_COST_BASE[self.seg]
            * P.ACQ_CHANNEL_FACTOR[self.channel]
            * rng.lognormal(0, 0.3, n)
        )
        out["finance.acquisition_costs"] = {
            "account_id": np.arange(n),
            "incurred_date": self.created_date,
            "amount": _round_cents(acq, 10),
            "currency": None,
        }
        return out

    def _reviews(self, acc, rep, date) -> dict[str, np.ndarray]:
        rng, m = self.rng, len(acc)
        sat = self.sat_mat[acc, np.clip(self.W.month_of(date), 0, self.M - 1)]
        unhappy = 1 / (1 + np.exp(1.5 * sat))
        problem = np.isin(
            np.array(REVIEW_THEMES), ["pricing", "support_quality", "communication", "delivery"]
        )
        w = np.where(problem[None, :], unhappy[:, None] + 0.05, 1.05 - unhappy[:, None])
        g = np.log(w) - np.log(-np.log(rng.random((m, len(REVIEW_THEMES)))))  # Gumbel top-k
        rank = np.argsort(np.argsort(-g, axis=1), axis=1)
        k = rng.integers(1, 4, m)
        chosen = rank < k[:, None]
        mask = (chosen * (1 << np.arange(len(REVIEW_THEMES)))).sum(axis=1)
        themes, risks, actions = _theme_tables()
        success = np.array(P.REVIEW_SUCCESS, dtype=object)[
            rng.integers(0, len(P.REVIEW_SUCCESS), m)
        ]
        return {
            "review_id": np.arange(m),
            "account_id": acc,
            "rep_id": rep,
            "review_date": date,
            "themes": themes[mask],
            "success_definition": np.where(rng.random(m) < 0.7, success, ""),
            "risks": risks[mask],
            "agreed_actions": np.where(rng.random(m) < 0.85, actions[mask], ""),
        }

    def _responses(self, ac, cs, case_new, first_resp, resolved, i_acc, i_date, i_month, limit):
        rng, W, M = self.rng, self.W, self.M
        parts = []
        # after activities (not complaint follow-ups: the case itself is surveyed)
        a_m = np.clip(W.month_of(ac["date"]), 0, M - 1)
        p = P.TRANSACTIONAL_P_ACTIVITY * np.where(
            self.ar_mat[ac["acc"], a_m], P.SILENT_RESPONSE, 1.0
        )
        sel = (ac["tp"] >= 0) & (rng.random(len(p)) < p)
        parts.append(
            (ac["acc"][sel], ac["tp"][sel], ac["date"][sel], a_m[sel], np.zeros(int(sel.sum())))
        )
        # after a case is resolved
        done = ~np.isnat(resolved)
        c_m = np.clip(W.month_of(cs["opened"]), 0, M - 1)
        p = P.TRANSACTIONAL_P_CASE * np.where(self.ar_mat[cs["acc"], c_m], P.SILENT_RESPONSE, 1.0)
        sel = done & (rng.random(len(p)) < p)
        extra = np.where(cs["slow"], 1.4, -0.3) + 0.3 * (cs["severity"] >= 2)
        parts.append(
            (
                cs["acc"][sel],
                np.full(int(sel.sum()), TP["helpdesk"]),
                resolved[sel].astype("datetime64[D]"),
                c_m[sel],
                extra[sel],
            )
        )
        # after an invoice
        p = P.TRANSACTIONAL_P_INVOICE * np.where(
            self.ar_mat[i_acc, i_month], P.SILENT_RESPONSE, 1.0
        )
        sel = rng.random(len(p)) < p
        parts.append(
            (
                i_acc[sel],
                np.full(int(sel.sum()), TP["invoice"]),
                i_date[sel],
                i_month[sel],
                np.zeros(int(sel.sum())),
            )
        )
        acc = np.concatenate([x[0] for x in parts])
        tp = np.concatenate([x[1] for x in parts])
        date = np.concatenate([x[2] for x in parts]) + rng.integers(0, 5, len(acc))
        month = np.concatenate([x[3] for x in parts])
        extra = np.concatenate([x[4] for x in parts])
        keep = date <= limit[acc]
        acc, tp, date, month, extra = acc[keep], tp[keep], date[keep], month[keep], extra[keep]
        m = len(acc)
        s = self.sat_mat[acc, month]
        diff = np.array([P.TOUCHPOINT_DIFFICULTY[x] for x in TOUCHPOINTS])[tp]
        tp_eff = self.effort[acc] + diff + extra + rng.normal(0, 0.6, m)
        ces = np.clip(
            np.round(5.1 - 0.95 * tp_eff + 0.35 * s + rng.normal(0, 0.7, m)), 1, 7
        ).astype(np.int64)
        csat = np.clip(
            np.round(3.7 + 0.65 * s - 0.3 * tp_eff + rng.normal(0, 0.6, m)), 1, 5
        ).astype(np.int64)
        u = rng.random(m)
        ces = np.where(u < 0.9, ces, -1)
        csat = np.where((u >= 0.1) & (u < 0.95) | (ces < 0), csat, -1)
        expct, exper = self._exp_scores(acc, s, tp_eff, 0.8)
        contact = self.con_start[acc] + np.floor(rng.random(m) * self.ncon[acc]).astype(np.int64)
        contact = np.where(rng.random(m) < 0.04, -1, contact)
        band = np.where(
            csat >= 0,
            np.where(csat >= 4, 2, np.where(csat == 3, 1, 0)),
            np.where(ces >= 6, 2, np.where(ces >= 4, 1, 0)),
        )
        rel = self.resps.build()
        n_rel = len(rel["acc"])
        allc = {
            "acc": np.r_[rel["acc"], acc],
            "contact": np.r_[rel["contact"], contact],
            "rel": np.r_[rel["rel"], np.zeros(m, bool)],
            "tp": np.r_[rel["tp"], tp],
            "date": np.r_[rel["date"], date],
            "nps": np.r_[rel["nps"], np.full(m, -1)],
            "ces": np.r_[rel["ces"], ces],
            "csat": np.r_[rel["csat"], csat],
            "expct": np.r_[rel["expct"], expct],
            "exper": np.r_[rel["exper"], exper],
            "comment": np.r_[rel["comment"], self._comments(band)],
        }
        assert n_rel + m == len(allc["acc"])
        order = np.lexsort((allc["acc"], allc["date"]))
        allc = {k: v[order] for k, v in allc.items()}
        stage = np.array([P.TOUCHPOINT_STAGE[x] for x in TOUCHPOINTS])
        return {
            "response_id": np.arange(len(order)),
            "account_id": allc["acc"],
            "contact_id": allc["contact"],
            "survey_type": np.where(allc["rel"], "relationship", "transactional"),
            "journey_stage": stage[allc["tp"]],
            "touchpoint": np.array(TOUCHPOINTS)[allc["tp"]],
            "responded_date": allc["date"],
            "nps_score": allc["nps"],
            "ces_score": allc["ces"],
            "csat_score": allc["csat"],
            "expectation_score": allc["expct"],
            "experience_score": allc["exper"],
            "comment": allc["comment"],
        }


def _sorted(table: dict[str, np.ndarray | None], order: np.ndarray) -> dict[str, np.ndarray | None]:
    return {k: (v[order] if v is not None else None) for k, v in table.items()}


_THEMES_CACHE: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None


def _theme_tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Theme list, risks and actions text for each of the 2^7 theme subsets."""
    global _THEMES_CACHE
    if _THEMES_CACHE is None:
        k = len(REVIEW_THEMES)
        themes, risks, actions = [], [], []
        for mask in range(1 << k):
            chosen = [REVIEW_THEMES[i] for i in range(k) if mask >> i & 1]
            themes.append(";".join(chosen))
            risks.append("; ".join(P.REVIEW_RISK_BY_THEME[c] for c in chosen))
            actions.append("; ".join(P.REVIEW_ACTION_BY_THEME[c] for c in chosen))
        _THEMES_CACHE = (
            np.array(themes, dtype=object),
            np.array(risks, dtype=object),
            np.array(actions, dtype=object),
        )
    return _THEMES_CACHE
