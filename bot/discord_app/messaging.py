"""Sending replies: store them (for the buttons), render them, post every part with no pings."""

from __future__ import annotations

import asyncio
import io
from typing import TYPE_CHECKING, Any

import discord

from bot.discord_app.pages import Pages, paged
from bot.discord_app.render import NO_PINGS, Post, pack, reply_embeds
from bot.redact import redact

if TYPE_CHECKING:
    from bot.discord_app.host import Host
    from bot.present.reply import Reply


async def reply_posts(bot: Host, reply: Reply, follow_up: bool = False, share: bool = False) -> list[Post]:
    """The messages of a reply; a cited reply is stored first so its buttons work after a restart.

    An answer may carry a Follow up button (a public /ask answer) or a Post to channel one (a private answer).
    """
    posts = pack(reply_embeds(reply))
    if reply.citations:
        citations = [c.to_json() for c in reply.citations]
        # Stored as shown: a notice quoting another server's error never puts a secret in the votes export.
        text, question = redact(reply.text), redact(reply.question) if reply.question else None
        reply_id = await asyncio.to_thread(bot.feedback.save_reply, reply.kind, question, text, citations)
        answer = reply.kind == "answer"
        posts[-1].view = bot.buttons(reply_id, votes=answer, follow_up=follow_up and answer, share=share and answer)
    return posts


def _parts(post: Post, picture: tuple[str, bytes] | None = None) -> dict[str, Any]:
    """The send() arguments of a post; a reply's picture goes with its first post, shown in its first embed."""
    parts: dict[str, Any] = {"embeds": post.embeds, "allowed_mentions": NO_PINGS}
    if post.content:
        parts["content"] = post.content
    if post.view is not None:
        parts["view"] = post.view
    if picture is not None:
        name, data = picture
        parts["file"] = discord.File(io.BytesIO(data), filename=name)
        if post.embeds:
            post.embeds[0].set_image(url=f"attachment://{name}")
    return parts


async def send_to_interaction(
    interaction: discord.Interaction[Host], reply: Reply, ephemeral: bool = False
) -> list[discord.Message]:
    """Answer a (deferred) interaction with every part of a reply, as follow-ups."""
    sent: list[discord.Message] = []
    in_text_channel = isinstance(interaction.channel, discord.TextChannel)
    posts = await reply_posts(interaction.client, reply, follow_up=in_text_channel and not ephemeral, share=ephemeral)
    for i, post in enumerate(paged(posts, reply.kind)):
        picture = reply.picture if i == 0 else None
        message = await interaction.followup.send(**_parts(post, picture), ephemeral=ephemeral, wait=True)
        _remember(post, message)
        sent.append(message)
    return sent


def _remember(post: Post, message: discord.Message) -> None:
    """Let a paged view remove its buttons from the message when it times out."""
    if isinstance(post.view, Pages):
        post.view.message = message


async def send_to_channel(
    bot: Host, channel: discord.abc.Messageable, reply: Reply, shared_by: int | None = None
) -> list[discord.Message]:
    """Post every part of a reply in a channel or thread (`shared_by`: the user who posted a private answer)."""
    posts = await reply_posts(bot, reply)
    if shared_by is not None and posts:
        posts[0].content = f"Shared by <@{shared_by}>"  # NO_PINGS: named, not pinged
    sent = []
    for i, post in enumerate(paged(posts, reply.kind)):
        message = await channel.send(**_parts(post, reply.picture if i == 0 else None))
        _remember(post, message)
        sent.append(message)
    return sent
