"""The services' connection pool: released connections skip asyncpg's reset query, but a
transaction left open (a handler cancelled mid-write) is still rolled back, never committed or
handed to the next borrower."""

from shared.db import open_pool


async def test_a_transaction_left_open_is_rolled_back_on_release(infra):
    pool = await open_pool(await infra.create_database("pool_release"), min_size=1, max_size=1)
    try:
        await pool.execute("CREATE TABLE written (n int)")
        conn = await pool.acquire()
        transaction = conn.transaction()
        await transaction.start()  # not a managed `async with`: as if the handler was cancelled
        await conn.execute("INSERT INTO written VALUES (1)")
        await pool.release(conn)
        async with pool.acquire() as again:  # max_size=1: the same connection
            assert again.is_in_transaction() is False
            assert await again.fetchval("SELECT count(*) FROM written") == 0
    finally:
        await pool.close()


async def test_released_connections_send_no_reset_query(infra):
    pool = await open_pool(await infra.create_database("pool_reset"), min_size=1, max_size=1)
    sent: list[str] = []
    try:
        async with pool.acquire() as conn:
            conn.add_query_logger(lambda record: sent.append(record.query))
            await conn.fetchval("SELECT 1")
        async with pool.acquire() as conn:
            await conn.fetchval("SELECT 2")
        assert not any("RESET ALL" in query or "UNLISTEN" in query for query in sent), sent
        assert any("SELECT 1" in query for query in sent)
    finally:
        await pool.close()
