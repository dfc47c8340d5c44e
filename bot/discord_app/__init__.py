"""The Discord adapter: slash commands, mentions and threads, embeds, the daily briefing, new-article posts.

It holds no logic of its own: commands run the shared table of `bot.chat_commands` over Services,
in a worker thread, and render the reply. Nothing outside this package imports discord.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord_app.client import YaluBot
    from bot.services import Services

__all__ = ["create_bot"]


def create_bot(services: Services) -> YaluBot:
    """The bot over `services`, with its slash commands on the tree, not connected.

    Cogs are added and the commands synced with Discord in `setup_hook`, which discord.py runs at login.
    """
    from bot.discord_app.client import YaluBot
    from bot.discord_app.commands import slash_commands

    bot = YaluBot(services)
    for command in slash_commands():
        bot.tree.add_command(command)
    return bot
