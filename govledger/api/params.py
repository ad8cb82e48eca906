"""Path and query parameters the routes share, validated at the edge (docs/platform.md,
"Hostile input"): a value the database or the chain encoders cannot hold is a 422
``invalid-input`` before any route code runs, never a 500 from deep inside."""

from __future__ import annotations

from typing import Annotated

from annotated_types import Interval
from pydantic import StringConstraints

from govledger.auth.directory import DEPARTMENT_CODE_PATTERN

# What SQLite's INTEGER and PostgreSQL's BIGINT hold; the contracts count ids from 1.
MAX_ID = 2**63 - 1

Id = Annotated[int, Interval(ge=1, le=MAX_ID)]
DepartmentCode = Annotated[str, StringConstraints(pattern=DEPARTMENT_CODE_PATTERN)]
