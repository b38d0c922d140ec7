"""Group commit and group read (backend/scanning/batching.py): concurrent submissions share one
call of the batch function, each waiter gets its own result, and nobody is answered with a
result that was not produced."""

from __future__ import annotations

import asyncio
import contextvars
import sqlite3

import pytest

from backend.scanning.batching import BatchAborted, Batcher
from backend.scanning.statements import is_row_error


async def test_concurrent_submissions_share_one_batch_and_each_gets_its_own_result():
    calls: list[list[int]] = []

    async def double(items: list[int]) -> list[int]:
        calls.append(items)
        return [2 * item for item in items]

    batcher: Batcher[int, int] = Batcher(double)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(10)))
    assert results == [2 * n for n in range(10)]
    assert calls == [list(range(10))]


async def test_the_next_batch_gathers_while_one_is_being_handled():
    release = asyncio.Event()
    calls: list[list[int]] = []

    async def slow(items: list[int]) -> list[int]:
        calls.append(items)
        if len(calls) == 1:
            await release.wait()
        return items

    batcher: Batcher[int, int] = Batcher(slow)
    first = asyncio.ensure_future(batcher.submit(0))
    await asyncio.sleep(0.01)  # the first batch is being handled now
    later = [asyncio.ensure_future(batcher.submit(n)) for n in range(1, 6)]
    await asyncio.sleep(0.01)
    release.set()
    assert await first == 0
    assert await asyncio.gather(*later) == [1, 2, 3, 4, 5]
    assert calls == [[0], [1, 2, 3, 4, 5]]


async def test_a_batch_is_at_most_max_batch_items():
    sizes: list[int] = []

    async def count(items: list[int]) -> list[int]:
        sizes.append(len(items))
        return items

    batcher: Batcher[int, int] = Batcher(count, max_batch=4)
    assert await asyncio.gather(*(batcher.submit(n) for n in range(10))) == list(range(10))
    assert sizes == [4, 4, 2]


async def test_an_item_that_failed_fails_only_its_own_waiter():
    async def refuse_odd(items: list[int]) -> list[int | Exception]:
        return [ValueError(f"odd {n}") if n % 2 else n for n in items]

    batcher: Batcher[int, int] = Batcher(refuse_odd)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(6)), return_exceptions=True)
    assert results[0::2] == [0, 2, 4]
    assert [str(error) for error in results[1::2]] == ["odd 1", "odd 3", "odd 5"]


async def test_when_the_batch_function_fails_every_waiter_of_the_batch_gets_the_failure():
    async def broken(items: list[int]) -> list[int]:
        raise OSError("disk gone")

    batcher: Batcher[int, int] = Batcher(broken)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(5)), return_exceptions=True)
    assert all(isinstance(r, OSError) for r in results)


async def test_a_wrong_number_of_results_answers_nobody_with_a_result():
    async def short(items: list[int]) -> list[int]:
        return items[:-1]

    batcher: Batcher[int, int] = Batcher(short)
    results = await asyncio.gather(*(batcher.submit(n) for n in range(3)), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_a_crash_before_the_flush_answers_nobody_success():
    handled: list[list[int]] = []

    async def never_reached(items: list[int]) -> list[int]:
        handled.append(items)
        return items

    batcher: Batcher[int, int] = Batcher(never_reached)
    waiters = [asyncio.ensure_future(batcher.submit(n)) for n in range(5)]
    await asyncio.sleep(0)  # submitted: the flusher task exists but has not run yet
    queue = batcher._queues[asyncio.get_running_loop()]
    assert queue.task is not None
    queue.task.cancel()  # the process stops here
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, BatchAborted) for r in results)
    assert handled == []


async def test_a_crash_during_the_flush_answers_the_batch_and_those_still_waiting_with_an_error():
    started = asyncio.Event()

    async def hangs(items: list[int]) -> list[int]:
        started.set()
        await asyncio.sleep(3600)
        return items

    batcher: Batcher[int, int] = Batcher(hangs)
    first = [asyncio.ensure_future(batcher.submit(n)) for n in range(3)]
    await started.wait()
    later = [asyncio.ensure_future(batcher.submit(n)) for n in range(3, 5)]
    await asyncio.sleep(0)
    batcher._queues[asyncio.get_running_loop()].task.cancel()  # type: ignore[union-attr]
    results = await asyncio.gather(*first, *later, return_exceptions=True)
    assert all(isinstance(r, BatchAborted) for r in results)


async def test_the_batch_runs_outside_the_context_of_the_request_that_started_it():
    current = contextvars.ContextVar("current", default="none")
    seen: list[str] = []

    async def look(items: list[int]) -> list[int]:
        seen.append(current.get())
        return items

    batcher: Batcher[int, int] = Batcher(look)
    current.set("a request's transaction")
    assert await batcher.submit(1) == 1
    assert seen == ["none"]


async def test_a_cancelled_waiter_does_not_stop_the_others():
    async def slow(items: list[int]) -> list[int]:
        await asyncio.sleep(0.01)
        return items

    batcher: Batcher[int, int] = Batcher(slow)
    waiters = [asyncio.ensure_future(batcher.submit(n)) for n in range(3)]
    await asyncio.sleep(0)
    waiters[1].cancel()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert results[0] == 0 and results[2] == 2
    assert isinstance(results[1], asyncio.CancelledError)


@pytest.mark.parametrize(
    ("sql", "row_error"),
    [
        ("INSERT INTO t VALUES (1)", True),  # UNIQUE: this row's data
        ("INSERT INTO missing VALUES (1)", False),  # the statement itself
    ],
)
def test_only_a_refusal_of_row_data_is_worth_splitting_a_batch_for(sql, row_error):
    con = sqlite3.connect(":memory:")
    con.execute("CREATE TABLE t (x INTEGER UNIQUE)")
    con.execute("INSERT INTO t VALUES (1)")
    with pytest.raises(sqlite3.Error) as caught:
        con.execute(sql)
    assert is_row_error(caught.value) is row_error
