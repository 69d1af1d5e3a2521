"""schemathesis against a live OPAC: every operation of /api/v1/openapi.json, with generated
valid and invalid parameters, must answer without a 5xx and within its documented status
codes, content types and response schemas.

The run is bounded (a fixed number of examples per operation, a fixed seed so that a
failure reproduces) to stay well under a minute. The live OPAC's admission limits are
relaxed by the fixture (tests/opac/conftest.py); 429 and 503 are documented anyway."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import pytest
from django.utils import timezone
from tests.opac.conftest import public_branch, public_item, public_record

from shoka.opac.api import openapi

pytestmark = pytest.mark.slow

CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]
MAX_EXAMPLES = 25
SEED = 20261201


@pytest.fixture(scope="module")
def opac(live_opac):
    today = timezone.localdate()
    records = [
        # record 1 and branch "main" are the OpenAPI document's examples
        public_record(
            1,
            "こころ",
            isbns=["9784101010137"],
            hold_queue=1,
            items=[
                public_item(11, acquired_on=today - dt.timedelta(days=1)),
                public_item(
                    12,
                    branch="east",
                    branch_name="東分館",
                    status="on_loan",
                    due_on=today + dt.timedelta(days=7),
                ),
                public_item(13, loanable=False, status="in_repair"),
            ],
        ),
        *[public_record(n, f"本 {n}", ndc=f"{n % 10}10") for n in range(2, 30)],
    ]
    branches = [
        public_branch("main", "中央図書館", kind="main", position=1),
        public_branch("east", "東分館", position=2, closed={today: ("stocktaking", "蔵書点検")}),
    ]
    live_opac.publish(records=records, branches=branches)
    return live_opac


def test_schemathesis_finds_no_server_error_and_no_schema_violation(opac, tmp_path):
    command = [
        sys.executable,
        "-m",
        "schemathesis.cli",
        "run",
        f"{opac.base}/api/v1/openapi.json",
        "--checks",
        ",".join(CHECKS),
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--no-color",
    ]
    done = subprocess.run(
        command, cwd=tmp_path, capture_output=True, text=True, timeout=240, check=False
    )
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-6000:]
    # it really ran every operation (a schema that failed to load would test nothing)
    operations = len(openapi.PATHS)
    assert f"Selected: {operations}/{operations}" in report, report[-3000:]
    assert f"Tested: {operations}" in report, report[-3000:]
    generated = re.search(r"(\d+) generated", report)
    assert generated and int(generated.group(1)) >= 100 * operations // 2, report[-3000:]
