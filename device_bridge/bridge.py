"""Wires the port readers, the durable queue and the uplink together and runs them until stopped."""

from __future__ import annotations

import asyncio
import logging
import random

from device_bridge.backoff import Backoff
from device_bridge.config import Config
from device_bridge.framing import Captured
from device_bridge.ports import PortOpener, PortReader, SerialPort
from device_bridge.store import AsyncFrameStore
from device_bridge.uplink import Uplink

log = logging.getLogger(__name__)

#: Most frames committed in one SQLite transaction.
MAX_BATCH = 1000


class Bridge:
    """One running bridge: a reader thread per port, a queue writer, an uplink."""

    def __init__(
        self,
        config: Config,
        *,
        opener: PortOpener = SerialPort,
        rng: random.Random | None = None,
    ) -> None:
        self.config = config
        self._opener = opener
        self._rng = rng or random.Random()
        self.readers: list[PortReader] = []
        self.uplink: Uplink | None = None
        #: Set once the queue is open and the readers run; tests wait on it.
        self.started = asyncio.Event()

    async def run(self, stop: asyncio.Event) -> None:
        """Run until ``stop`` is set; frames captured so far stay in the queue."""
        config = self.config
        token = config.require_token()
        store = await AsyncFrameStore.open(config.queue_path)
        loop = asyncio.get_running_loop()
        captured: asyncio.Queue[Captured] = asyncio.Queue()

        def emit(item: Captured) -> None:
            loop.call_soon_threadsafe(captured.put_nowait, item)

        uplink = self.uplink = Uplink(
            url=config.server_url,
            token=token,
            store=store,
            window=config.window,
            backoff=Backoff(config.backoff.initial_s, config.backoff.uplink_cap_s, rng=self._rng),
            auth_retry_s=config.backoff.auth_retry_s,
            hello_timeout_s=config.hello_timeout_s,
            ack_timeout_s=config.ack_timeout_s,
            ping_interval_s=config.ping_interval_s,
            rng=self._rng,
        )
        self.readers = [
            PortReader(
                port,
                config.profile_for(port),
                config.station,
                emit,
                Backoff(config.backoff.initial_s, config.backoff.port_cap_s, rng=self._rng),
                self._opener,
            )
            for port in config.ports
        ]
        writer = asyncio.create_task(self._write_loop(captured, store, uplink), name="writer")
        sending = asyncio.create_task(uplink.run(), name="uplink")
        stopping = asyncio.create_task(stop.wait(), name="stop")
        for reader in self.readers:
            reader.start()
        log.info(
            "bridge: station %r, %d port(s), queue %s",
            config.station,
            len(config.ports),
            config.queue_path,
        )
        self.started.set()
        try:
            done, _ = await asyncio.wait(
                {writer, sending, stopping}, return_when=asyncio.FIRST_COMPLETED
            )
            for task in done - {stopping}:
                task.result()  # a writer or uplink that ended on its own is a bug: surface it
        finally:
            await self._shutdown(captured, store, writer, sending, stopping)

    async def _shutdown(
        self,
        captured: asyncio.Queue[Captured],
        store: AsyncFrameStore,
        *tasks: asyncio.Task[None] | asyncio.Task[bool],
    ) -> None:
        for reader in self.readers:
            reader.stop()
        await asyncio.to_thread(self._join_readers)
        # The threads are gone, but their last call_soon_threadsafe callbacks may still wait in
        # the loop: one turn lets them reach the queue before it is drained.
        await asyncio.sleep(0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        rest: list[Captured] = []
        while not captured.empty():
            rest.append(captured.get_nowait())
        await store.append(rest)
        stats = await store.stats()
        await store.close()
        log.info("bridge: stopped; %d frame(s) wait in the queue", stats.depth)

    def _join_readers(self) -> None:
        for reader in self.readers:
            reader.join(timeout=5)

    @staticmethod
    async def _write_loop(
        captured: asyncio.Queue[Captured], store: AsyncFrameStore, uplink: Uplink
    ) -> None:
        while True:
            batch = [await captured.get()]
            while len(batch) < MAX_BATCH and not captured.empty():
                batch.append(captured.get_nowait())
            # Cancelled here, the executor still finishes this commit; frames not yet taken
            # stay in ``captured`` for the shutdown to store, so none is lost either way.
            await store.append(batch)
            uplink.notify()
