"""AdmissionMiddleware through Django's test client: 429 with Retry-After per network group
or API key, the aggregators' allowlist, trusted proxies, 503 shedding, and a polite crawler
that is never limited. Counters live in this process (memory://) or in the real Redis."""

from __future__ import annotations

import datetime as dt
import json
import logging
import socket
import threading
import time
import uuid

import pytest
import time_machine
from django.db import connection, transaction
from django.http import HttpResponse, JsonResponse
from django.test import Client
from django.urls import path

from shoka.admission.config import Policy, load

KEY = "calil-0123456789abcdef"
OTHER_KEY = "someone-else-0123456789"
gate = threading.Event()
entered = threading.Event()
inside: list[str] = []  # the slow requests that are running or have run


def _page(request):
    return HttpResponse("ok")


def _api(request):
    return JsonResponse({"ok": True})


def _slow(request):
    inside.append(request.path)
    entered.set()
    gate.wait(10)
    return HttpResponse("slow")


def _timed_out(request):
    """A real statement timeout of the test database: SQLite's progress handler interrupting
    the query (as shoka.admission.dbtimeout does), PostgreSQL's statement_timeout."""
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        connection.connection.set_progress_handler(lambda: 1, 1)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        finally:
            connection.connection.set_progress_handler(None, 1)
    else:
        # in a savepoint: the test's transaction stays usable after the cancelled statement
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL statement_timeout = 50")
            cursor.execute("SELECT pg_sleep(2)")
    return HttpResponse("not reached")


def _broken(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table_here")
    return HttpResponse("not reached")


class Urls:
    urlpatterns = [
        path("", _page),
        path("timed-out", _timed_out),
        path("api/v1/timed-out", _timed_out),
        path("broken", _broken),
        path("api/v1/search", _api),
        path("slow", _slow),
        path("publish/changesets", _page),
    ]


@pytest.fixture
def admitted(settings):
    """Install the middleware with a policy; each Client gets a fresh middleware instance
    (as each server process does)."""

    def install(**values) -> type[Client]:
        settings.ROOT_URLCONF = Urls
        settings.MIDDLEWARE = ["shoka.admission.middleware.AdmissionMiddleware"]
        settings.SHOKA_ADMISSION = Policy(**values)
        return Client

    return install


def _get(client: Client, url: str = "/", ip: str = "192.0.2.1", **headers):
    return client.get(url, REMOTE_ADDR=ip, **headers)


def test_over_the_limit_answers_429_with_retry_after_and_both_languages(admitted):
    client = admitted(per_client="3/minute")()
    assert [_get(client).status_code for _ in range(3)] == [200, 200, 200]
    refused = _get(client)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused["Cache-Control"] == "no-store"
    body = refused.content.decode()
    assert "Too many requests from your network" in body
    assert "リクエスト" in body  # the Japanese line, from the translation catalogue


def test_api_paths_get_a_json_429(admitted):
    client = admitted(per_client="1/minute")()
    assert _get(client, "/api/v1/search").status_code == 200
    refused = _get(client, "/api/v1/search")
    assert refused.status_code == 429 and refused["Content-Type"] == "application/json"
    data = json.loads(refused.content)
    assert data["error"] == "too_many_requests"
    assert data["retry_after"] == int(refused["Retry-After"])
    assert set(data["message"]) == {"ja", "en"} and data["message"]["ja"] != data["message"]["en"]


def test_addresses_are_grouped_by_network_prefix(admitted):
    client = admitted(per_client="2/minute")()
    assert _get(client, ip="192.0.2.1").status_code == 200
    assert _get(client, ip="192.0.2.250").status_code == 200
    assert _get(client, ip="192.0.2.77").status_code == 429  # same /24
    assert _get(client, ip="192.0.3.1").status_code == 200  # the next /24 has its own
    assert _get(client, ip="2001:db8:0:1::1").status_code == 200
    assert _get(client, ip="2001:db8:0:ff::2").status_code == 200
    assert _get(client, ip="2001:db8:0:aa::3").status_code == 429  # same /56
    assert _get(client, ip="2001:db8:0:100::1").status_code == 200  # the next /56


def test_forged_forwarded_for_does_not_escape_the_limit(admitted):
    client = admitted(per_client="2/minute")()
    codes = [_get(client, HTTP_X_FORWARDED_FOR=f"198.51.{n}.1").status_code for n in range(4)]
    assert codes == [200, 200, 429, 429]


def test_behind_a_trusted_proxy_each_client_has_its_own_bucket(admitted):
    client = admitted(
        per_client="1/minute",
        trusted_proxies=load({"SHOKA_OPAC_TRUSTED_PROXIES": "127.0.0.1"}).trusted_proxies,
    )()
    proxy = "127.0.0.1"
    assert _get(client, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert _get(client, ip=proxy, HTTP_X_FORWARDED_FOR="203.0.113.1").status_code == 200
    assert _get(client, ip=proxy, HTTP_X_FORWARDED_FOR="198.51.100.9").status_code == 429


def test_allowlisted_aggregators_skip_the_buckets(admitted):
    allow = load({"SHOKA_OPAC_ALLOW_NETWORKS": "203.0.113.0/24"}).allow_networks
    client = admitted(
        per_client="1/minute", allow_networks=allow, allow_api_keys=frozenset({KEY})
    )()
    assert all(_get(client, ip="203.0.113.5").status_code == 200 for _ in range(20))
    assert all(_get(client, f"/api/v1/search?api_key={KEY}").status_code == 200 for _ in range(10))
    assert all(_get(client, HTTP_X_API_KEY=KEY).status_code == 200 for _ in range(10))
    # …while everyone else in 192.0.2.0/24 has used up their one request
    assert _get(client, ip="192.0.2.9").status_code == 200
    assert _get(client, ip="192.0.2.9").status_code == 429


def test_the_signed_publishing_receiver_is_not_rate_limited(admitted):
    client = admitted(per_client="1/minute")()
    # A full re-publish pushes changesets in a row from the staff side's one address.
    assert all(_get(client, "/publish/changesets").status_code == 200 for _ in range(10))
    assert _get(client).status_code == 200
    assert _get(client).status_code == 429  # the same address is limited everywhere else


def test_a_known_api_key_has_its_own_bucket_and_an_unknown_one_changes_nothing(admitted):
    client = admitted(per_client="1/minute", per_api_key="3/minute", api_keys=frozenset({KEY}))()
    assert [_get(client, HTTP_X_API_KEY=KEY).status_code for _ in range(4)] == [200] * 3 + [429]
    assert _get(client, HTTP_X_API_KEY=OTHER_KEY).status_code == 200  # counted by address
    assert _get(client, HTTP_X_API_KEY=OTHER_KEY + "x").status_code == 429


@pytest.mark.parametrize("requests", [120, 660])
def test_a_polite_crawler_at_one_request_per_second_is_never_limited(admitted, requests):
    """The 2010 crawler: serial, one request a second (660 covers eleven full minutes),
    against the shipped defaults."""
    client = admitted(**{})()
    refused = []
    with time_machine.travel(dt.datetime(2026, 6, 2, 1, 0, tzinfo=dt.UTC), tick=False) as clock:
        for n in range(requests):
            url = "/" if n % 2 else "/api/v1/search"
            status = _get(client, url, ip="192.0.2.44").status_code
            if status != 200:
                refused.append((n, status))
            clock.shift(1)
    assert refused == []


def test_the_polite_crawler_is_never_limited_by_two_processes_counting_in_memory(admitted):
    """`shoka serve` runs one process per core, each counting its share of the rates: the
    crawler's connection lands on one of them (here: every request on the same one)."""
    client = admitted(processes=2)()
    with time_machine.travel(dt.datetime(2026, 6, 2, 1, 0, tzinfo=dt.UTC), tick=False) as clock:
        statuses = set()
        for _ in range(660):
            statuses.add(_get(client, ip="192.0.2.45").status_code)
            clock.shift(1)
    assert statuses == {200}


def test_processes_counting_in_memory_share_the_allowance(admitted):
    """Two processes with their own counters admit together what the policy says, not twice
    as much: each allows half of every window (rounded up)."""
    client_class = admitted(per_client="4/minute", processes=2)
    one, two = client_class(), client_class()
    with time_machine.travel(dt.datetime(2026, 6, 2, 1, 0, tzinfo=dt.UTC), tick=False):
        codes = [_get(c, ip="192.0.2.46").status_code for c in (one, two, one, two, one, two)]
    assert codes == [200, 200, 200, 200, 429, 429]


def test_the_default_limits_do_stop_a_fast_client(admitted):
    client = admitted(**{})()
    with time_machine.travel(dt.datetime(2026, 6, 2, 1, 0, tzinfo=dt.UTC), tick=False) as clock:
        codes = []
        for _ in range(100):  # five a second for 100 seconds: fine
            codes += [_get(client).status_code for _ in range(5)]
            clock.shift(1)
        assert set(codes) == {200}
        burst = [_get(client).status_code for _ in range(30)]  # thirty in one instant
    assert 429 in burst


def test_concurrency_cap_sheds_at_once_with_503(admitted):
    client_class = admitted(max_concurrent=1, busy_retry_after=3)
    client = client_class()
    gate.clear()
    entered.clear()
    worker = threading.Thread(target=lambda: _get(client, "/slow"))
    worker.start()
    try:
        assert entered.wait(5)
        shed = _get(client, ip="198.51.100.1")
        assert shed.status_code == 503 and shed["Retry-After"] == "3"
        assert "busy" in shed.content.decode()
        api = _get(client, "/api/v1/search", ip="198.51.100.2")
        assert api.status_code == 503 and json.loads(api.content)["error"] == "busy"
    finally:
        gate.set()
        worker.join(10)
    assert _get(client).status_code == 200  # the slot is free again


def test_allowlisted_clients_are_still_subject_to_the_cap(admitted):
    allow = load({"SHOKA_OPAC_ALLOW_NETWORKS": "203.0.113.0/24"}).allow_networks
    client = admitted(max_concurrent=1, allow_networks=allow)()
    gate.clear()
    entered.clear()
    worker = threading.Thread(target=lambda: _get(client, "/slow"))
    worker.start()
    try:
        assert entered.wait(5)
        assert _get(client, ip="203.0.113.5").status_code == 503
    finally:
        gate.set()
        worker.join(10)


def test_one_client_holds_at_most_its_share_of_the_slots(admitted):
    """A second request of the same network while its first still runs is refused with 429
    at once (another network's is served, and so is an allowlisted one); once the first
    is answered, the network is served again."""
    allow = load({"SHOKA_OPAC_ALLOW_NETWORKS": "203.0.113.0/24"}).allow_networks
    client = admitted(per_client_concurrent=1, max_concurrent=4, allow_networks=allow)()
    gate.clear()
    entered.clear()
    worker = threading.Thread(target=lambda: _get(client, "/slow", ip="192.0.2.7"))
    worker.start()
    try:
        assert entered.wait(5)
        started = time.monotonic()
        second = _get(client, ip="192.0.2.8")  # same /24
        assert second.status_code == 429 and second["Retry-After"] == "1"
        assert time.monotonic() - started < 0.5
        api = _get(client, "/api/v1/search", ip="192.0.2.9")
        assert api.status_code == 429 and json.loads(api.content)["error"] == "too_many_requests"
        assert _get(client, ip="198.51.100.1").status_code == 200
        assert _get(client, ip="203.0.113.5").status_code == 200
    finally:
        gate.set()
        worker.join(10)
    assert _get(client, ip="192.0.2.8").status_code == 200


def test_by_default_a_client_may_have_two_requests_in_flight(admitted):
    client = admitted(max_concurrent=4)()
    # One request first: the test client builds its middleware on the first request, and two
    # threads making the first request together could each build their own.
    assert _get(client, ip="198.51.100.1").status_code == 200
    gate.clear()
    entered.clear()
    inside.clear()
    workers = [
        threading.Thread(target=lambda: _get(client, "/slow", ip="192.0.2.7")) for _ in range(2)
    ]
    for worker in workers:
        worker.start()
    try:
        assert entered.wait(5)
        deadline = time.monotonic() + 5
        while len(inside) < 2:  # both are running
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert _get(client, ip="192.0.2.8").status_code == 429
    finally:
        gate.set()
        for worker in workers:
            worker.join(10)


# --- Redis ----------------------------------------------------------------------------------
REDIS = "redis://127.0.0.1:6379/0"


def _redis_up() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis server at 127.0.0.1:6379")
def test_redis_counts_are_shared_between_processes(admitted):
    import redis

    # A network of our own per run, so that parallel runs and leftovers cannot collide.
    third = uuid.uuid4().int % 250
    ip = f"198.18.{third}.1"
    # Two middleware instances: two "processes", which in Redis count the whole allowance.
    client_class = admitted(per_client="3/minute", storage=REDIS, processes=2)
    one, two = client_class(), client_class()
    try:
        assert _get(one, ip=ip).status_code == 200
        assert _get(two, ip=ip).status_code == 200
        assert _get(one, ip=ip).status_code == 200
        refused = _get(two, ip=ip)
        assert refused.status_code == 429 and int(refused["Retry-After"]) >= 1
        keys = redis.Redis.from_url(REDIS).keys(f"*198.18.{third}.0*")
        assert keys, "the counters are in Redis"
    finally:
        r = redis.Redis.from_url(REDIS)
        for key in r.keys(f"*198.18.{third}.0*"):
            r.delete(key)


def test_when_redis_is_unreachable_limits_still_apply_in_process(admitted, caplog):
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    client = admitted(per_client="2/minute", storage=f"redis://127.0.0.1:{port}/0")()
    with caplog.at_level(logging.WARNING, logger="shoka.admission"):
        codes = [_get(client).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert "counting in process memory" in caplog.text


def test_a_short_wait_for_a_slot_admits_the_request_when_one_frees_up(admitted):
    client = admitted(max_concurrent=1, concurrency_wait=5.0)()
    gate.clear()
    entered.clear()
    worker = threading.Thread(target=lambda: _get(client, "/slow"))
    worker.start()
    try:
        assert entered.wait(5)
        threading.Timer(0.3, gate.set).start()
        assert _get(client, ip="198.51.100.1").status_code == 200  # waited, then admitted
    finally:
        gate.set()
        worker.join(10)


def test_switched_off_admits_everything(admitted):
    client = admitted(per_client="1/minute", max_concurrent=1, enabled=False)()
    assert {_get(client).status_code for _ in range(5)} == {200}


@pytest.mark.django_db
def test_a_query_stopped_by_the_statement_timeout_is_a_503_with_retry_after(admitted):
    client = admitted(busy_retry_after=4)(raise_request_exception=False)
    page = _get(client, "/timed-out")
    assert page.status_code == 503 and page["Retry-After"] == "4"
    assert page["Cache-Control"] == "no-store" and "busy" in page.content.decode()
    api = _get(client, "/api/v1/timed-out", ip="198.51.100.3")
    assert api.status_code == 503 and json.loads(api.content)["error"] == "busy"


@pytest.mark.django_db
def test_other_database_errors_are_still_server_errors(admitted):
    client = admitted()(raise_request_exception=False)
    assert _get(client, "/broken").status_code == 500
