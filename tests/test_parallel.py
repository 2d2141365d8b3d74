"""How `make test` spreads the suite over pytest-xdist workers (tests/parallel.py)."""

import pytest

from tests.parallel import RESERVED_DBS, SCRATCH_ENV, db_of, units, worker_environments


@pytest.mark.parametrize("redis_url", ["", "redis://127.0.0.1:6379/11", "redis://127.0.0.1:6379/15"])
@pytest.mark.parametrize("workers", [1, 2, 6])
def test_each_worker_gets_redis_databases_of_its_own_past_those_other_runs_use(redis_url, workers):
    environments = worker_environments(redis_url, workers)

    assert len(environments) == workers
    dbs = [db_of(url) for environment in environments for url in environment.values()]
    assert len(dbs) == len(set(dbs)) == workers * (2 if redis_url else 1)
    derived = set(dbs) - ({db_of(redis_url)} if redis_url else set())
    assert not derived & set(RESERVED_DBS)
    if redis_url:
        assert environments[0]["REDIS_URL"] == redis_url
        assert all(
            environment["REDIS_URL"].startswith("redis://127.0.0.1:6379/") for environment in environments
        )


def test_ci_s_database_gives_the_second_worker_database_1_and_the_scratch_databases_2_and_3():
    assert worker_environments("redis://127.0.0.1:6379/15", 2) == [
        {"REDIS_URL": "redis://127.0.0.1:6379/15", SCRATCH_ENV: "redis://127.0.0.1:6379/2"},
        {"REDIS_URL": "redis://127.0.0.1:6379/1", SCRATCH_ENV: "redis://127.0.0.1:6379/3"},
    ]


def test_without_redis_url_the_workers_scratch_databases_leave_the_default_database_alone():
    assert [env[SCRATCH_ENV] for env in worker_environments("", 2)] == [
        "redis://127.0.0.1:6379/1",
        "redis://127.0.0.1:6379/2",
    ]


def test_more_workers_than_free_redis_databases_are_refused():
    with pytest.raises(ValueError, match="7 workers need 14 Redis databases"):
        worker_environments("redis://127.0.0.1:6379/1", 7)


def test_a_unit_of_work_is_a_run_of_consecutive_tests_of_one_module():
    collection = ["a.py::t1", "a.py::t2", "b.py::t1", "a.py::t3", "c.py::t[1]", "c.py::t[2]"]

    assert units(collection) == {
        "a.py::t1": "a.py#1",
        "a.py::t2": "a.py#1",
        "b.py::t1": "b.py#1",
        "a.py::t3": "a.py#2",
        "c.py::t[1]": "c.py#1",
        "c.py::t[2]": "c.py#1",
    }
