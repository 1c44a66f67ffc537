"""transaction() and after_commit(): deferred effects run after the outermost commit, never after a rollback."""

import asyncpg
import pytest

from shared.transactions import after_commit, transaction


@pytest.fixture
async def pool(infra):
    pool = await asyncpg.create_pool(await infra.create_database("transactions"), min_size=1, max_size=2)
    await pool.execute("CREATE TABLE marks (name text)")
    yield pool
    await pool.close()


async def count(pool: asyncpg.Pool, name: str) -> int:
    return await pool.fetchval("SELECT count(*) FROM marks WHERE name = $1", name)


async def test_an_effect_runs_after_the_commit_and_sees_it(pool):
    seen = []
    async with transaction(pool) as conn:
        await conn.execute("INSERT INTO marks VALUES ('a')")

        async def look() -> None:
            seen.append(await count(pool, "a"))  # another connection: only committed rows

        after_commit(look)
        assert seen == []
    assert seen == [1]


async def test_no_effect_after_a_rollback(pool):
    ran = []
    with pytest.raises(ValueError):
        async with transaction(pool) as conn:
            await conn.execute("INSERT INTO marks VALUES ('b')")
            after_commit(lambda: _append(ran, "b"))
            raise ValueError("use case refused")
    assert ran == [] and await count(pool, "b") == 0


async def test_a_joined_transaction_defers_to_its_owner(pool):
    ran = []
    async with transaction(pool) as outer:
        async with transaction(outer) as inner:  # as a use case called by a consumer
            assert inner is outer
            await inner.execute("INSERT INTO marks VALUES ('c')")
            after_commit(lambda: _append(ran, "inner"))
        assert ran == []  # the inner block ended, but nothing has committed yet
    assert ran == ["inner"] and await count(pool, "c") == 1


async def test_a_bare_connection_gets_its_own_transaction(pool):
    ran = []
    async with pool.acquire() as conn:
        async with transaction(conn) as same:
            await same.execute("INSERT INTO marks VALUES ('d')")
            after_commit(lambda: _append(ran, "d"))
    assert ran == ["d"] and await count(pool, "d") == 1


async def test_a_failing_effect_neither_undoes_the_commit_nor_stops_the_next(pool):
    ran = []

    async def fail() -> None:
        raise RuntimeError("cache down")

    async with transaction(pool) as conn:
        await conn.execute("INSERT INTO marks VALUES ('e')")
        after_commit(fail)
        after_commit(lambda: _append(ran, "after"))
    assert ran == ["after"] and await count(pool, "e") == 1


async def test_after_commit_outside_a_transaction_is_a_mistake():
    with pytest.raises(RuntimeError):
        after_commit(lambda: _append([], "x"))


async def _append(target: list, value: str) -> None:
    target.append(value)


async def test_a_read_borrows_from_the_pool_or_uses_the_connection_given(pool):
    from shared.transactions import connection

    async with connection(pool) as borrowed:
        assert await borrowed.fetchval("SELECT 1") == 1
    async with pool.acquire() as mine:
        async with connection(mine) as same:
            assert same is mine


async def test_a_failed_savepoint_undoes_its_writes_effects_and_contributions_alone(pool):
    from shared.transactions import coalesce, savepoint

    ran, flushed = [], []

    async def flush(conn, value) -> None:
        flushed.append(value)
        await conn.execute("INSERT INTO marks VALUES ($1)", f"flushed-{value}")

    async with transaction(pool) as conn:
        async with savepoint(conn):
            await conn.execute("INSERT INTO marks VALUES ('kept')")
            after_commit(lambda: _append(ran, "kept"))
            coalesce("odometer", 10, max, flush)
        with pytest.raises(ValueError):
            async with savepoint(conn):
                await conn.execute("INSERT INTO marks VALUES ('undone')")
                after_commit(lambda: _append(ran, "undone"))
                coalesce("odometer", 99, max, flush)
                raise ValueError("poison event")
        async with savepoint(conn):
            coalesce("odometer", 30, max, flush)
            coalesce("odometer", 20, max, flush)
        assert flushed == []  # made once, at the end
    assert flushed == [30]
    assert ran == ["kept"]
    assert await count(pool, "kept") == 1 and await count(pool, "undone") == 0
    assert await count(pool, "flushed-30") == 1


async def test_coalesced_writes_roll_back_with_their_transaction(pool):
    from shared.transactions import coalesce

    async def flush(conn, value) -> None:
        await conn.execute("INSERT INTO marks VALUES ($1)", f"never-{value}")

    with pytest.raises(RuntimeError):
        async with transaction(pool):
            coalesce("k", 1, max, flush)
            raise RuntimeError("before the commit")
    assert await count(pool, "never-1") == 0


async def test_a_single_statement_scope_runs_its_effects_after_the_statement(pool):
    from shared.transactions import single_statement

    ran = []
    async with single_statement(pool) as conn:
        assert not conn.is_in_transaction()  # no BEGIN: the statement commits on its own
        await conn.execute("INSERT INTO marks VALUES ('single')")
        after_commit(lambda: _append(ran, "single"))
        assert ran == []
    assert ran == ["single"] and await count(pool, "single") == 1

    with pytest.raises(ValueError):
        async with single_statement(pool):
            after_commit(lambda: _append(ran, "failed"))
            raise ValueError("refused before writing")
    assert ran == ["single"]
