"""The bot: a Host with the slash-command tree and the cogs wired on; every core call runs in a worker thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.discord_app.cogs.articles import ArticleWatcher
from bot.discord_app.cogs.briefing import DailyBriefing
from bot.discord_app.cogs.feeds import FeedPoller
from bot.discord_app.cogs.mentions import Mentions
from bot.discord_app.components import FollowUpButton, QuotesButton, ShareButton, VoteButton, reply_view
from bot.discord_app.host import Host
from bot.discord_app.tree import YaluTree

if TYPE_CHECKING:
    from bot.services import Services


class YaluBot(Host):
    """Slash commands, mentions and threads, the daily briefing and new-article posts over one Services."""

    def __init__(self, services: Services) -> None:
        """Build the bot without connecting; cogs are added and commands synced in `setup_hook`."""
        super().__init__(services, tree_cls=YaluTree, buttons=reply_view)

    async def setup_hook(self) -> None:
        """Add the button handlers and cogs, then sync the slash commands (to the allowed guilds at once)."""
        self.add_dynamic_items(QuotesButton, VoteButton, FollowUpButton, ShareButton)
        await self.add_cog(Mentions(self))
        await self.add_cog(ArticleWatcher(self))
        await self.add_cog(FeedPoller(self))
        if self.settings.briefing_channel_id:
            await self.add_cog(DailyBriefing(self))
        await self.sync_commands()
