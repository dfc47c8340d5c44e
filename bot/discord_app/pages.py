"""Long replies in one message: a list of pages turned with Previous and Next buttons.

/sources at 1,000 articles would be some twenty messages, a 100-article briefing a dozen: paged, each is
one message the reader turns. The pages live with the view in memory for PAGE_TIMEOUT_S, then the buttons
are removed and the page shown stays; the Quotes button of a cited reply is kept beside them.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import discord

if TYPE_CHECKING:
    from bot.discord_app.render import Post

log = logging.getLogger(__name__)
PAGE_TIMEOUT_S = 3600.0
PAGED_KINDS = frozenset({"sources", "briefing"})


class Pages(discord.ui.View):
    """Previous / page n of N / Next over a reply's posts, and the reply's own buttons (Quotes) after them."""

    def __init__(self, posts: list[Post], extra: discord.ui.View | None = None) -> None:
        """Page through `posts`, starting at the first."""
        super().__init__(timeout=PAGE_TIMEOUT_S)
        self.posts = posts
        self.page = 0
        self.message: discord.Message | None = None  # set once sent, so the buttons can be removed at timeout
        self.previous: discord.ui.Button[Pages] = discord.ui.Button(label="Previous", emoji="\u25c0")
        self.counter: discord.ui.Button[Pages] = discord.ui.Button(disabled=True)
        self.next: discord.ui.Button[Pages] = discord.ui.Button(label="Next", emoji="\u25b6")
        self.previous.callback = self._back  # type: ignore[method-assign]
        self.next.callback = self._forward  # type: ignore[method-assign]
        for item in (self.previous, self.counter, self.next, *(extra.children if extra else [])):
            self.add_item(item)
        self._label()

    def _label(self) -> None:
        self.counter.label = f"Page {self.page + 1} of {len(self.posts)}"
        self.previous.disabled = self.page == 0
        self.next.disabled = self.page == len(self.posts) - 1

    async def _back(self, interaction: discord.Interaction[Any]) -> None:
        await self._turn(interaction, -1)

    async def _forward(self, interaction: discord.Interaction[Any]) -> None:
        await self._turn(interaction, 1)

    async def _turn(self, interaction: discord.Interaction[Any], step: int) -> None:
        """Show the next or previous page in the same message."""
        self.page = max(0, min(len(self.posts) - 1, self.page + step))
        self._label()
        await interaction.response.edit_message(embeds=self.posts[self.page].embeds, view=self)

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        """A failed page turn is one private line, as every other failure."""
        from bot.discord_app.tree import send_ephemeral, user_message

        await send_ephemeral(interaction, user_message(error))

    async def on_timeout(self) -> None:
        """Remove the buttons: the pages are no longer held."""
        if self.message is not None:
            try:
                await self.message.edit(view=None)
            except discord.HTTPException as exc:
                log.debug("could not remove the page buttons: %s", exc)


def paged(posts: list[Post], kind: str) -> list[Post]:
    """The posts as one paged message for a long list or briefing; other replies as they are."""
    if kind not in PAGED_KINDS or len(posts) < 2:
        return posts
    first = posts[0]
    pages = Pages(posts, posts[-1].view)
    from bot.discord_app.render import Post

    return [Post(list(first.embeds), first.content, pages)]
