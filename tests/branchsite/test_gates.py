"""A gate lets so many callers in at once and turns the next away once its wait is over."""

import threading
import time
from pathlib import Path

import pytest

from branchsite.infra.gates import Gate, GateBusy

ROOT = Path(__file__).resolve().parents[2]


def hold(gate: Gate, entered: threading.Event, leave: threading.Event) -> threading.Thread:
    def body() -> None:
        with gate.slot():
            entered.set()
            leave.wait(5)

    thread = threading.Thread(target=body)
    thread.start()
    assert entered.wait(5)
    return thread


def test_a_full_gate_turns_the_next_caller_away_once_its_wait_is_over():
    gate = Gate("test", size=1, wait=0.2)
    leave = threading.Event()
    holder = hold(gate, threading.Event(), leave)
    started = time.monotonic()
    with pytest.raises(GateBusy), gate.slot():
        pass
    waited = time.monotonic() - started
    leave.set()
    holder.join()
    assert 0.15 < waited < 1.0


def test_a_waiting_caller_gets_the_slot_as_soon_as_it_is_given_back():
    gate = Gate("test", size=1, wait=5)
    leave = threading.Event()
    holder = hold(gate, threading.Event(), leave)
    threading.Timer(0.1, leave.set).start()
    started = time.monotonic()
    with gate.slot():
        waited = time.monotonic() - started
    holder.join()
    assert waited < 1.0


def test_no_more_callers_than_its_size_are_inside_at_once():
    gate = Gate("test", size=2, wait=5)
    inside, most = 0, 0
    lock = threading.Lock()

    def enter() -> None:
        nonlocal inside, most
        with gate.slot():
            with lock:
                inside += 1
                most = max(most, inside)
            time.sleep(0.02)
            with lock:
                inside -= 1

    threads = [threading.Thread(target=enter) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most == 2


def test_a_slot_is_given_back_when_its_holder_fails():
    gate = Gate("test", size=1, wait=0.1)
    with pytest.raises(RuntimeError), gate.slot():
        raise RuntimeError("the password check failed")
    with gate.slot():
        pass


def test_a_gate_has_at_least_one_slot():
    with pytest.raises(ValueError, match="at least one slot"):
        Gate("test", size=0, wait=1)
