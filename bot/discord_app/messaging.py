"""Sending replies: store them (for the buttons), render them, post every part with no pings."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app.components import reply_view
from bot.discord_app.render import NO_PINGS, Post, pack, reply_embeds
from bot.redact import redact

if TYPE_CHECKING:
    from bot.chat_commands import Reply
    from bot.discord_app.client import YaluBot


async def reply_posts(bot: YaluBot, reply: Reply) -> list[Post]:
    """The messages of a reply; a cited reply is stored first so its buttons work after a restart."""
    posts = pack(reply_embeds(reply))
    if reply.citations:
        citations = [c.to_json() for c in reply.citations]
        # Stored as shown: a notice quoting another server's error never puts a secret in the votes export.
        text, question = redact(reply.text), redact(reply.question) if reply.question else None
        reply_id = await asyncio.to_thread(bot.feedback.save_reply, reply.kind, question, text, citations)
        posts[-1].view = reply_view(reply_id, votes=reply.kind == "answer")
    return posts


def _parts(post: Post) -> dict[str, Any]:
    parts: dict[str, Any] = {"embeds": post.embeds, "allowed_mentions": NO_PINGS}
    if post.content:
        parts["content"] = post.content
    if post.view is not None:
        parts["view"] = post.view
    return parts


async def send_to_interaction(
    interaction: discord.Interaction[YaluBot], reply: Reply, ephemeral: bool = False
) -> list[discord.Message]:
    """Answer a (deferred) interaction with every part of a reply, as follow-ups."""
    sent: list[discord.Message] = []
    for post in await reply_posts(interaction.client, reply):
        sent.append(await interaction.followup.send(**_parts(post), ephemeral=ephemeral, wait=True))
    return sent


async def send_to_channel(bot: YaluBot, channel: discord.abc.Messageable, reply: Reply) -> list[discord.Message]:
    """Post every part of a reply in a channel or thread."""
    return [await channel.send(**_parts(post)) for post in await reply_posts(bot, reply)]
