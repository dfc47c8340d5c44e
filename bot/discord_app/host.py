"""The bot as its parts see it: one Services, the core thread, the queue, the channel lookups."""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, ParamSpec, Protocol, TypeVar

import discord
from discord import app_commands
from discord.ext import commands

from bot.discord_app.guards import Cooldown
from bot.discord_app.queue import WorkQueue, within
from bot.discord_app.render import NO_PINGS
from bot.errors import ConfigError
from bot.feedback import FeedbackStore

if TYPE_CHECKING:
    from bot.index.store import ArticleInfo
    from bot.services import Services

log = logging.getLogger(__name__)
P = ParamSpec("P")
T = TypeVar("T")


class ReplyButtons(Protocol):
    """Makes the buttons under a stored reply (`components.reply_view`, wired on by `client.YaluBot`)."""

    def __call__(self, reply_id: int, votes: bool, follow_up: bool = False, share: bool = False) -> discord.ui.View:
        """The view of buttons for the stored reply `reply_id`."""
        ...


def intents() -> discord.Intents:
    """Guilds and guild messages, plus message content: follow-ups in threads do not mention the bot."""
    chosen = discord.Intents.none()
    chosen.guilds = True
    chosen.guild_messages = True
    chosen.message_content = True
    return chosen


class Host(commands.Bot):
    """What every cog, command and button reaches: one Services, its settings, the core thread and the queue.

    The cogs and the command tree are wired on by `client.YaluBot`, which sits above them; they see
    the bot through this class only, so nothing here imports them.
    """

    def __init__(
        self, services: Services, tree_cls: type[app_commands.CommandTree[Any]], buttons: ReplyButtons
    ) -> None:
        """Build the bot without connecting: slash commands on a `tree_cls` tree, `buttons` under stored replies.

        Both are handed in from above because they, in turn, reach the bot through this class.
        """
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents(),
            allowed_mentions=NO_PINGS,  # an article quoting "@everyone" pings nobody
            tree_cls=tree_cls,
            help_command=None,
        )
        self.services = services
        self.buttons = buttons
        self.settings = services.settings
        self.feedback = FeedbackStore.in_data_dir(services.settings.data_dir)
        self.cooldown = Cooldown(services.settings.discord_cooldown_s)
        # One worker: the core's caches and index files are not built for concurrent writers,
        # and the event loop (gateway heartbeat) never waits for it.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="yalu-core")
        settings = services.settings
        self.queue = WorkQueue(
            settings.discord_queue_per_user, settings.discord_queue_per_server, settings.discord_deadline_s
        )
        self._articles: list[ArticleInfo] = []
        self._articles_read = float("-inf")
        self._article_listeners: list[Callable[[], Awaitable[object]]] = []

    async def core(self, fn: Callable[P, T], /, *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a core call in the core thread and wait for it without blocking the event loop."""
        return await self._submit(functools.partial(fn, *args, **kwargs))

    def _submit(self, job: Callable[[], T]) -> asyncio.Future[T]:
        """Queue a job for the core thread, counted in `queue.in_flight` until it is done or cancelled."""
        future = asyncio.get_running_loop().run_in_executor(self._executor, job)
        self.queue.in_flight += 1

        def done(_: asyncio.Future[T]) -> None:
            self.queue.in_flight -= 1

        future.add_done_callback(done)
        return future

    async def queued(
        self,
        who: tuple[int, int | None],
        started: float,
        on_queued: Callable[[int], Awaitable[None]],
        fn: Callable[P, T],
        /,
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """A core call on behalf of (user, server): admitted within the queue's bounds, told how many are
        ahead (`on_queued`), and given up with Busy at the deadline counted from `started`."""
        ahead = self.queue.admit(*who)
        try:
            future = self._submit(functools.partial(fn, *args, **kwargs))
            if ahead:
                await on_queued(ahead)
            return await within(future, self.queue.remaining(started))
        finally:
            self.queue.release(*who)

    async def articles(self, max_age: float = 60.0) -> list[ArticleInfo]:
        """The indexed articles, re-read when older than `max_age` seconds (autocomplete must answer in 3 s)."""
        if time.monotonic() - self._articles_read > max_age:
            # A plain read of the registry: it need not queue behind a slow answer in the core thread.
            self._articles = await asyncio.to_thread(self.services.articles)
            self._articles_read = time.monotonic()
        return self._articles

    def on_new_articles(self, listener: Callable[[], Awaitable[object]]) -> None:
        """Call `listener` whenever articles may have been added (an /add, a feed poll)."""
        self._article_listeners.append(listener)

    def forget_new_articles(self, listener: Callable[[], Awaitable[object]]) -> None:
        """Stop calling a listener given to `on_new_articles` (its cog was unloaded)."""
        if listener in self._article_listeners:
            self._article_listeners.remove(listener)

    async def announce_new_articles(self) -> None:
        """Tell the listeners (the new-article announcer) that articles may have been added."""
        for listener in list(self._article_listeners):
            await listener()

    async def text_channel(self, channel_id: int, setting: str) -> discord.abc.Messageable:
        """The channel a setting names, from the cache or fetched; a clear error names the setting."""
        channel = self.get_channel(channel_id) or await self.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable):
            raise ConfigError(f"{setting}={channel_id} is not a channel Yalu can post in")
        return channel

    async def sync_commands(self) -> None:
        """Register the slash commands with Discord: per allowed guild (instant), else globally."""
        if not self.settings.discord_guild_ids:
            await self.tree.sync()
            return
        for guild_id in self.settings.discord_guild_ids:
            guild = discord.Object(guild_id)
            self.tree.copy_global_to(guild=guild)
            await self.tree.sync(guild=guild)

    async def on_ready(self) -> None:
        """Log who the bot is and where."""
        log.info("connected as %s to %d guild(s)", self.user, len(self.guilds))

    async def on_message(self, message: discord.Message, /) -> None:
        """No prefix commands: mentions and thread follow-ups are handled by the Mentions cog."""

    async def close(self) -> None:
        """Disconnect, unload the cogs (stopping their loops), then stop the core thread."""
        await super().close()
        self._executor.shutdown(wait=False, cancel_futures=True)
