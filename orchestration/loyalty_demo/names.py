"""Fake but plausible South African company names, people, emails and phone numbers."""

from __future__ import annotations

import math
import re

import numpy as np
from loyalty_warehouse.contract import INDUSTRIES

from . import params as P

_NOUNS = np.array([P.COMPANY_NOUNS[i] for i in INDUSTRIES])  # (industry, 8)
_A = np.array(P.COMPANY_A)
_B = np.array(P.COMPANY_B)


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _domain_part(words: np.ndarray) -> np.ndarray:
    if not len(words):
        return words
    out = np.strings.lower(words)
    return np.strings.replace(out, " ", "-")


def _coprime(n: int) -> int:
    for p in (7919, 104_729, 1_299_709, 15_485_863, 179_424_673):
        if math.gcd(p, n) == 1:
            return p
    return 1


def company_names(
    gidx: np.ndarray, industry: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """(registered name, email domain) per global account index; unique across any run.

    Index -> name is a bijection: the first A*8 accounts get "<A> <Noun>", the next A*B*8
    "<A> <B> <Noun>", later ones a number on top. Nouns are disjoint across industries.
    """
    na, nb, nn = len(_A), len(_B), _NOUNS.shape[1]
    s1, s2 = na * nn, na * nb * nn
    gidx = np.asarray(gidx, dtype=np.int64)
    name = np.empty(len(gidx), dtype=object)
    dom = np.empty(len(gidx), dtype=object)

    t1 = gidx < s1
    k = (gidx[t1] * _coprime(s1) + seed) % s1
    a, n = k // nn, k % nn
    noun = _NOUNS[industry[t1], n]
    base = np.strings.add(np.strings.add(_A[a], " "), noun)
    name[t1] = base
    dom[t1] = _domain_part(base)

    t2 = ~t1
    j = gidx[t2] - s1
    rep = j // s2
    k = (j % s2 * _coprime(s2) + seed) % s2
    a, b, n = k // (nb * nn), (k // nn) % nb, k % nn
    noun = _NOUNS[industry[t2], n]
    base = np.strings.add(
        np.strings.add(np.strings.add(np.strings.add(_A[a], " "), _B[b]), " "), noun
    )
    suffix = np.where(rep > 0, np.strings.add(" ", (rep + 1).astype(str)), "")
    base = np.strings.add(base, suffix)
    name[t2] = base
    dom[t2] = _domain_part(base)

    name = np.strings.add(name.astype(str), " (Pty) Ltd")
    dom = np.strings.add(dom.astype(str), ".co.za")
    return name, dom


FIRST_SLUG = np.array([slug(x) for x in P.FIRST_NAMES])
LAST_SLUG = np.array([slug(x) for x in P.LAST_NAMES])
_MOBILE = np.array(["82", "83", "84", "72", "73", "74", "76", "79", "60", "61", "71", "81"])


def people(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices into FIRST_NAMES / LAST_NAMES."""
    return rng.integers(0, len(P.FIRST_NAMES), n), rng.integers(0, len(P.LAST_NAMES), n)


def emails(
    account: np.ndarray, first: np.ndarray, last: np.ndarray, domain: np.ndarray
) -> np.ndarray:
    """first.last@domain, numbered when two contacts of one account share a name."""
    key = (account.astype(np.int64) * len(P.FIRST_NAMES) + first) * len(P.LAST_NAMES) + last
    order = np.argsort(key, kind="stable")
    ks = key[order]
    start = np.r_[0, np.flatnonzero(ks[1:] != ks[:-1]) + 1]
    group_start = np.repeat(start, np.diff(np.r_[start, len(ks)]))
    occ_sorted = np.arange(len(ks)) - group_start
    occ = np.empty_like(occ_sorted)
    occ[order] = occ_sorted
    local = np.strings.add(np.strings.add(FIRST_SLUG[first], "."), LAST_SLUG[last])
    local = np.strings.add(local, np.where(occ > 0, (occ + 1).astype(str), ""))
    return np.strings.add(np.strings.add(local, "@"), domain[account])


def phones(rng: np.random.Generator, n: int, missing: float = 0.08) -> np.ndarray:
    code = _MOBILE[rng.integers(0, len(_MOBILE), n)]
    a = np.strings.zfill(rng.integers(0, 1000, n).astype(str), 3)
    b = np.strings.zfill(rng.integers(0, 10000, n).astype(str), 4)
    out = np.strings.add(np.strings.add(np.strings.add(np.strings.add("+27 ", code), " "), a), " ")
    out = np.strings.add(out, b)
    return np.where(rng.random(n) < missing, "", out)
