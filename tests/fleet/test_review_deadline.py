"""A job's time limit (:func:`mlkaizen.fleet.worker.deadline`) holds whatever the scan does
inside it: a parse's own time budget, or code that catches every exception."""

from __future__ import annotations

import contextlib
import signal

import pytest

from mlkaizen.evidence.budget import ParseTimeoutError, time_budget
from mlkaizen.fleet.worker import JobTimeout, deadline


def _left() -> float:
    return signal.getitimer(signal.ITIMER_REAL)[0]


def test_a_parse_budget_inside_a_job_leaves_the_jobs_timer_running() -> None:
    with deadline(3600):
        with time_budget(30):
            assert 0 < _left() <= 30  # the parse's own, shorter, budget
        assert 30 < _left() <= 3600  # the job's timer again, not switched off by the parse
    assert _left() == 0


def test_a_parse_budget_longer_than_what_the_job_has_left_leaves_the_job_in_charge() -> None:
    with pytest.raises(JobTimeout), deadline(10), time_budget(30):
        assert 0 < _left() <= 10  # the job's timer, untouched
        signal.raise_signal(signal.SIGALRM)  # rings the job's limit, not the parse's
    assert _left() == 0


def test_a_parse_budget_alone_still_times_out_the_parse() -> None:
    with pytest.raises(ParseTimeoutError), time_budget(30):
        signal.raise_signal(signal.SIGALRM)
    assert _left() == 0


def test_code_that_catches_every_exception_does_not_swallow_the_jobs_time_limit() -> None:
    swallowed = []
    with pytest.raises(JobTimeout), deadline(600):
        try:  # as run_detectors does with a detector that raises
            signal.raise_signal(signal.SIGALRM)
        except Exception as exc:
            swallowed.append(exc)
    assert swallowed == []


def test_a_time_limit_swallowed_anyway_is_still_a_timeout() -> None:
    with pytest.raises(JobTimeout), deadline(600), contextlib.suppress(BaseException):
        signal.raise_signal(signal.SIGALRM)


def test_a_job_within_its_limit_ends_normally() -> None:
    with deadline(600):
        pass
    assert _left() == 0
