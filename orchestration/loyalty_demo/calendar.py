"""The data window: M whole months ending at a fixed end month, month indices 0..M-1."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Window:
    end_month: str  # "YYYY-MM"
    months: int

    @property
    def m0(self) -> np.datetime64:
        return np.datetime64(self.end_month, "M") - (self.months - 1)

    @property
    def start_date(self) -> np.datetime64:
        return self.m0.astype("datetime64[D]")

    @property
    def end_date(self) -> np.datetime64:
        """Last day of the end month: nothing is dated after it except plans."""
        return (np.datetime64(self.end_month, "M") + 1).astype("datetime64[D]") - 1

    @property
    def end_ts(self) -> np.datetime64:
        return (self.end_date + 1).astype("datetime64[s]") - 1

    def month_start(self, t) -> np.ndarray:
        return (self.m0 + np.asarray(t, dtype=np.int64)).astype("datetime64[D]")

    def date(self, t, day) -> np.ndarray:
        """Day ``day`` (1..28) of window month ``t`` (may be negative or beyond the window)."""
        return self.month_start(t) + (np.asarray(day, dtype=np.int64) - 1)

    def days_in_month(self, t) -> np.ndarray:
        t = np.asarray(t, dtype=np.int64)
        return (self.month_start(t + 1) - self.month_start(t)).astype(np.int64)

    def month_of(self, dates) -> np.ndarray:
        """Window month index of each date."""
        return (np.asarray(dates).astype("datetime64[M]") - self.m0).astype(np.int64)
