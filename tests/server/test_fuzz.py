"""Fuzzing over the OpenAPI document (schemathesis + hypothesis) against a served instance:
whatever the generated parameters and bodies, no answer is a 5xx. Bounded in time."""

from __future__ import annotations

import json
import time
import urllib.request
from collections import Counter
from typing import Any

import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from tests.server.test_openapi import offline

#: wall-clock budget of the whole fuzz run (the suite stays fast)
BUDGET_S = 45.0
EXAMPLES_PER_OPERATION = 6


def _operations(base: str) -> list[Any]:
    with urllib.request.urlopen(f"{base}/openapi?f=json", timeout=30) as resp:
        doc = offline(json.load(resp))
    schema = schemathesis.openapi.from_dict(doc)
    return [result.ok() for result in schema.get_all_operations()]


def test_generated_requests_never_get_a_server_error(hardening_server: str) -> None:
    operations = _operations(hardening_server)
    assert len(operations) > 10, "the OpenAPI document lists the server's operations"
    deadline = time.monotonic() + BUDGET_S
    errors: list[str] = []
    statuses: list[int] = []
    tried = 0
    for operation in operations:
        if time.monotonic() > deadline:
            break
        tried += 1

        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], derandomize=True,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def call(case: Any) -> None:
            if time.monotonic() > deadline:
                return
            response = case.call(base_url=hardening_server, timeout=30)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                errors.append(f"{response.status_code} {case.method} "
                              f"{response.request.url}: {response.text[:200]}")

        call()
    assert tried >= len(operations) // 2, f"only {tried} of {len(operations)} operations fuzzed"
    print(f"fuzz: {len(statuses)} requests over {tried} operations", Counter(statuses))
    assert not errors, "\n".join(errors[:10])
