"""Live run progress over a websocket: ws/towns/<slug>/runs/<id>/.

The run row is the truth. The consumer sends the current state on connect, then every change
it sees (polling the row twice a second, so progress written by a worker in another process
arrives without a message broker), and closes after exactly one terminal event.
"""

from __future__ import annotations

import asyncio
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from scenarios.models import ScenarioRun
from twin.api.permissions import towns_of

POLL_S = 0.5
FORBIDDEN = 4403


class RunProgressConsumer(AsyncJsonWebsocketConsumer):
    """Streams ``{"status", "step", "progress", "error"}`` events of one run."""

    async def connect(self) -> None:
        kwargs = self.scope["url_route"]["kwargs"]
        self.run_id = int(kwargs["run_id"])
        if not await self._visible(kwargs["town_slug"]):
            await self.close(code=FORBIDDEN)
            return
        await self.accept()
        self.task = asyncio.ensure_future(self._stream())

    async def disconnect(self, code: int) -> None:
        task = getattr(self, "task", None)
        if task is not None:
            task.cancel()

    async def _stream(self) -> None:
        last: dict[str, Any] | None = None
        while True:
            state = await self._state()
            if state != last:
                await self.send_json(state)
                last = state
            if state["terminal"]:
                await self.close()
                return
            await asyncio.sleep(POLL_S)

    @database_sync_to_async
    def _visible(self, town_slug: str) -> bool:
        user = self.scope.get("user")
        if user is None:
            return False
        return ScenarioRun.objects.filter(
            pk=self.run_id, scenario__town__in=towns_of(user), scenario__town__slug=town_slug
        ).exists()

    @database_sync_to_async
    def _state(self) -> dict[str, Any]:
        run = ScenarioRun.objects.get(pk=self.run_id)
        return {
            "run": run.pk,
            "status": run.status,
            "step": run.step,
            "progress": run.progress,
            "error": run.error,
            "terminal": run.finished,
        }
