"""Process caches: bounded, expiring, safe across threads, and emptied by one hook."""

import threading

from branchsite.infra.caches import ExpiringCache, clear_process_caches
from queueing import selectors


def test_an_entry_is_forgotten_once_its_seconds_are_up():
    now = [100.0]
    cache = ExpiringCache("test", seconds=5, max_entries=10, clock=lambda: now[0])
    cache.put("a", 1)
    now[0] += 4.9
    assert cache.get("a") == 1
    now[0] += 0.2
    assert cache.get("a") is None


def test_the_oldest_entries_go_first_when_the_cache_is_full():
    cache = ExpiringCache("test", seconds=60, max_entries=3)
    for key in "abcd":
        cache.put(key, key.upper())
    assert [cache.get(key) for key in "abcd"] == [None, "B", "C", "D"]
    assert len(cache) == 3


def test_threads_filling_one_cache_never_pass_its_bound():
    cache = ExpiringCache("test", seconds=60, max_entries=50)

    def fill(offset: int) -> None:
        for n in range(2_000):
            cache.put((offset, n), n)
            cache.get((offset, n - 1))

    threads = [threading.Thread(target=fill, args=(offset,)) for offset in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(cache) == 50


def test_one_hook_empties_every_cache_of_the_process():
    cache = ExpiringCache("test", seconds=60, max_entries=3)
    cache.put("a", 1)
    clear_process_caches()
    assert cache.get("a") is None


def test_a_service_renamed_in_this_process_is_issued_under_its_new_name_at_once(cash):
    assert selectors.service_for_issuing(branch_code="GZ-TH01", prefix="A").name_en == "Cash"
    cash.name_en = "Cash and cheques"
    cash.save()
    found = selectors.service_for_issuing(branch_code="GZ-TH01", prefix="A")
    assert found.name_en == "Cash and cheques"


def test_a_branch_looked_up_once_costs_no_query_the_second_time(cash, django_assert_num_queries):
    selectors.service_for_issuing(branch_code="GZ-TH01", prefix="A")
    with django_assert_num_queries(0):
        selectors.service_for_issuing(branch_code="GZ-TH01", prefix="A")
