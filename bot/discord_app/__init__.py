"""The Discord adapter: slash commands, mentions and threads, embeds, the daily briefing, new-article posts.

It holds no logic of its own: commands run the shared table of `bot.chat_commands` over Services,
in a worker thread, and render the reply. Nothing outside this package imports discord.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.discord_app.client import YaluBot
    from bot.services import Services

__all__ = ["create_bot", "run_bot"]


def create_bot(services: Services) -> YaluBot:
    """The bot over `services`, with its slash commands on the tree, not connected.

    Cogs are added and the commands synced with Discord in `setup_hook`, which discord.py runs at login.
    """
    from bot.discord_app.client import YaluBot
    from bot.discord_app.commands import slash_commands
    from bot.redact import remember

    remember(services.settings)  # the token and keys are masked in every reply and log line from here on
    logging.getLogger("discord.client").addFilter(_no_voice_warning)
    bot = YaluBot(services)
    for command in slash_commands():
        bot.tree.add_command(command)
    return bot


def _no_voice_warning(record: logging.LogRecord) -> bool:
    """Drop discord.py's start-up notes that voice libraries are missing: the bot never joins voice."""
    return "voice will NOT be supported" not in record.getMessage()


def run_bot(bot: YaluBot, token: str) -> None:
    """Serve until stopped; a failure to log in or to reach Discord is one clear error, not a traceback."""
    import aiohttp
    import discord

    from bot.errors import ConfigError, ServiceUnreachable

    try:
        bot.run(token, log_handler=None)  # logging is configured by `yalu`
    except discord.LoginFailure:
        raise ConfigError(
            "Discord refused DISCORD_TOKEN: copy a new one from the Developer Portal (Bot, Reset Token) into .env"
        ) from None
    except discord.PrivilegedIntentsRequired:
        raise ConfigError(
            "Discord refused the Message Content intent: enable it on the Developer Portal's Bot page"
        ) from None
    except (aiohttp.ClientError, OSError, TimeoutError, discord.GatewayNotFound, discord.HTTPException) as exc:
        detail = str(exc).strip() or type(exc).__name__
        raise ServiceUnreachable(f"cannot reach Discord ({detail}); check the network, then start again") from None
