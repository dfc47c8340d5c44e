"""A Discord stand-in for the bot's tests, and the tests of start-up: only the network is faked.

Gateway events and channel messages go through dpytest's fake backend; slash commands, autocomplete
and button clicks arrive as raw INTERACTION_CREATE payloads (discord.py builds the real
`discord.Interaction`), and the interaction HTTP calls (defer, follow-ups) are answered locally and
recorded, as in discord.py's own tests/test_app_commands_invoke.py. dpytest needs a few private
attributes re-linked after it swaps in its own connection state; that is done once, here.
"""

from __future__ import annotations

import asyncio
import dataclasses
import itertools
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NamedTuple

import discord
import discord.ext.test as dpytest
from discord.ext.test import backend, factories
from discord.webhook.async_ import AsyncWebhookAdapter, async_context

from bot.discord_app import create_bot
from bot.discord_app.client import YaluBot
from bot.services import Services

APP_ID = 4242
ADMIN_ROLE = "Yalu admin"
_ids = itertools.count(10_000)
_TIMESTAMP = "2024-01-01T00:00:00+00:00"
_OPTION_TYPES = {str: 3, int: 4, bool: 5}
SENT_IDS: dict[int, str] = {}  # id() of a recorded message payload -> the message id Discord gave it


class Request(NamedTuple):
    """One interaction HTTP call: method, route template and JSON body."""

    method: str
    path: str
    body: dict[str, Any]


def _message_payload(body: dict[str, Any], channel_id: int, author: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": str(next(_ids)),
        "channel_id": str(channel_id),
        "author": author,
        "content": body.get("content") or "",
        "embeds": body.get("embeds") or [],
        "components": body.get("components") or [],
        "attachments": [],
        "timestamp": _TIMESTAMP,
        "edited_timestamp": None,
        "tts": False,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "pinned": False,
        "type": 0,
        "flags": body.get("flags") or 0,
        "webhook_id": str(APP_ID),
    }


def _read(value: Any) -> bytes:
    """A multipart file part's bytes (discord.py hands over the file object itself)."""
    if isinstance(value, bytes):
        return value
    value.seek(0)
    data: bytes = value.read()
    return data


class InteractionHTTP(AsyncWebhookAdapter):
    """Discord's interaction endpoints (callback, follow-ups, original response), answered here and recorded."""

    def __init__(self, author: dict[str, Any]) -> None:
        super().__init__()
        self.author = author
        self.requests: list[Request] = []
        self.channel_id = 0

    async def request(self, route: Any, session: Any, *, payload: Any = None, multipart: Any = None, **_: Any) -> Any:
        body = dict(payload or {})
        if multipart:  # a message with files: its JSON part, and the files kept as (name, bytes) for the tests
            body = json.loads(next(part["value"] for part in multipart if part["name"] == "payload_json"))
            body["_files"] = [(part["filename"], _read(part["value"])) for part in multipart if "filename" in part]
        self.requests.append(Request(route.method, route.path, body))
        if route.path.endswith("/callback"):
            return {"interaction": {"id": str(route.webhook_id), "type": body.get("type")}}
        if route.method == "DELETE":
            return None
        message = _message_payload(body, self.channel_id, self.author)
        SENT_IDS[id(body)] = message["id"]
        return message

    def messages(self) -> list[dict[str, Any]]:
        """Every message the bot sent in answer to interactions: initial responses and follow-ups."""
        found = []
        for r in self.requests:
            if r.path.endswith("/callback") and r.body.get("type") == 4:
                found.append(r.body["data"])
            elif r.method == "POST" and not r.path.endswith("/callback"):
                found.append(r.body)
        return found

    def embeds(self) -> list[dict[str, Any]]:
        """The embeds of those messages, in order."""
        return [e for m in self.messages() for e in m.get("embeds", [])]


@dataclasses.dataclass
class Harness:
    """A configured bot in a fake guild: one text channel, a member, an admin, and what the bot sent."""

    bot: YaluBot
    http: InteractionHTTP
    guild: discord.Guild
    channel: discord.TextChannel
    member: discord.Member
    admin: discord.Member
    channel_posts: list[tuple[int, dict[str, Any]]]
    synced: list[list[dict[str, Any]]]
    reactions: list[tuple[int, int, str]] = dataclasses.field(default_factory=list)  # (channel, message, emoji)

    async def interact(self, payload: dict[str, Any]) -> None:
        """Deliver an INTERACTION_CREATE as the gateway would, and wait until the bot has handled it."""
        self.http.channel_id = int(payload.get("channel_id", self.channel.id))
        self.bot._connection.parse_interaction_create(payload)  # type: ignore[arg-type]
        await settle()

    def _base(self, kind: int, user: discord.Member | None, channel: Any) -> dict[str, Any]:
        user = user or self.member
        channel = channel or self.channel
        return {
            "id": str(next(_ids)),
            "application_id": str(APP_ID),
            "token": "interaction-token",
            "version": 1,
            "type": kind,
            "guild_id": str(self.guild.id),
            "channel_id": str(channel.id),
            "channel": {"id": str(channel.id), "type": channel.type.value, "guild_id": str(self.guild.id)},
            "member": {
                "user": {"id": str(user.id), "username": user.name, "discriminator": "0001", "avatar": None},
                "roles": [str(r.id) for r in user.roles if r.id != self.guild.id],
                "joined_at": _TIMESTAMP,
                "deaf": False,
                "mute": False,
                "flags": 0,
                "permissions": "0",
            },
            "locale": "en-US",
            "app_permissions": "0",
            "attachment_size_limit": 8_000_000,
            "entitlements": [],
        }

    async def slash(self, name: str, user: discord.Member | None = None, channel: Any = None, **options: Any) -> None:
        """Invoke a slash command; an option given as a Path is sent as an attached file."""
        await self.interact(self.slash_payload(name, user, channel, **options))

    def dispatch(self, name: str, user: discord.Member | None = None, **options: Any) -> None:
        """Deliver a slash command without waiting for the bot to handle it (for commands that must queue)."""
        self.http.channel_id = self.channel.id
        self.bot._connection.parse_interaction_create(self.slash_payload(name, user, None, **options))  # type: ignore[arg-type]

    def slash_payload(
        self, name: str, user: discord.Member | None = None, channel: Any = None, **options: Any
    ) -> dict[str, Any]:
        """The INTERACTION_CREATE payload of a slash command."""
        payload = self._base(2, user, channel)
        data: dict[str, Any] = {"id": str(APP_ID + 1), "name": name, "type": 1, "options": []}
        for key, value in options.items():
            if isinstance(value, Path):
                data["options"].append({"type": 11, "name": key, "value": str(next(_ids))})
                data["resolved"] = {"attachments": {data["options"][-1]["value"]: _attachment(value)}}
            else:
                data["options"].append({"type": _OPTION_TYPES[type(value)], "name": key, "value": value})
        payload["data"] = data
        return payload

    async def autocomplete(self, name: str, option: str, typed: str) -> list[dict[str, Any]]:
        """The choices the bot offers while `typed` is in `option` of command `name`."""
        payload = self._base(4, None, None)
        focused = {"type": 3, "name": option, "value": typed, "focused": True}
        payload["data"] = {"id": str(APP_ID + 1), "name": name, "type": 1, "options": [focused]}
        await self.interact(payload)
        return list(self.http.requests[-1].body["data"]["choices"])

    async def click(self, custom_id: str, user: discord.Member | None = None) -> None:
        """Click a button of a message the bot sent."""
        payload = self._base(3, user, None)
        payload["data"] = {"custom_id": custom_id, "component_type": 2}
        sent = [m for m in self.http.messages() + [p for _, p in self.channel_posts] if custom_id in custom_ids(m)]
        payload["message"] = _message_payload(sent[-1], self.channel.id, self.http.author)  # the clicked message
        payload["message"]["id"] = SENT_IDS.get(id(sent[-1]), payload["message"]["id"])  # a view waits on its id
        await self.interact(payload)

    async def every_page(self, message: dict[str, Any]) -> list[dict[str, Any]]:
        """The embeds of every page of a message, turning a paged one with its Next button to the end."""
        embeds = list(message.get("embeds") or [])
        ids = [i for i in custom_ids(message)]
        labels = [c.get("label") for row in message.get("components") or [] for c in row.get("components", [])]
        if "Next" not in labels:
            return embeds
        forward = ids[labels.index("Next")]
        pages = int(str(labels[labels.index("Next") - 1]).rsplit(" ", 1)[1])
        for _ in range(pages - 1):
            await self.click(forward)
            shown = self.http.requests[-1].body["data"]
            embeds += shown["embeds"]
        return embeds

    async def say(self, content: str, channel: Any = None, member: discord.Member | None = None) -> discord.Message:
        """A member posts a message (in a channel or one of its threads); returns once the bot is done."""
        channel = channel or self.channel
        member = member or self.member
        if isinstance(channel, discord.TextChannel):
            message = await dpytest.message(content, channel=channel, member=member)
            await settle()
            return message
        # dpytest builds messages for text channels only: a thread message is the same payload with the guild id
        data = factories.make_message_dict(channel, member, content=content, guild_id=self.guild.id)
        data["member"] = {"roles": [], "joined_at": _TIMESTAMP, "deaf": False, "mute": False}
        backend._cur_config.messages.setdefault(channel.id, []).append(data)  # what history reads back
        self.bot._connection.parse_message_create(data)  # type: ignore[arg-type]
        await dpytest.run_all_events()
        await settle()
        return self.bot._connection._get_message(data["id"])  # type: ignore[return-value]

    async def stop(self) -> None:
        """Unload the cogs (stopping their loops) and close the bot; dpytest's socket has nothing to close."""
        self.bot.ws = None  # type: ignore[assignment]
        await self.bot.close()

    def posts_in(self, channel_id: int) -> list[dict[str, Any]]:
        """The message payloads the bot sent to a channel or thread (not interaction responses)."""
        return [payload for where, payload in self.channel_posts if where == channel_id]

    @property
    def threads(self) -> list[discord.Thread]:
        """Threads of the guild (the bot's, since members open none here)."""
        return list(self.guild.threads)


def _attachment(path: Path) -> dict[str, Any]:
    return {
        "id": str(next(_ids)),
        "filename": path.name,
        "size": path.stat().st_size,
        "url": path.resolve().as_uri(),
        "proxy_url": path.resolve().as_uri(),
        "content_type": "text/markdown",
    }


async def settle() -> None:
    """Wait for the tasks discord.py spawned for interactions and events (not the cogs' loops)."""
    prefixes = ("CommandTree-invoker", "discord-ui", "discord.py: on_")
    current = asyncio.current_task()
    for _ in range(50):
        await asyncio.sleep(0)
        busy = [t for t in asyncio.all_tasks() if t is not current and not t.done() and _handled_here(t, prefixes)]
        if not busy:
            return
        await asyncio.wait(busy, timeout=30)


def _handled_here(task: asyncio.Task[Any], prefixes: tuple[str, ...]) -> bool:
    return task.get_name().startswith(prefixes) or getattr(task.get_coro(), "__name__", "") == "_run_event"


def bot_settings(services: Services, data_dir: Path, **discord_settings: Any) -> Services:
    """The same store and models with Discord settings for a test (no cooldown or queue bound unless given)."""
    update = {
        "data_dir": data_dir,
        "discord_cooldown_s": 0.0,
        "discord_admin_role": ADMIN_ROLE,
        "discord_queue_per_user": 1000,
        "discord_queue_per_server": 1000,
    }
    settings = services.settings.model_copy(update={**update, **discord_settings})
    return dataclasses.replace(services, settings=settings)


async def start(services: Services) -> Harness:
    """Build the bot with `create_bot`, connect it to dpytest's fake Discord, run its `setup_hook`."""
    bot = create_bot(services)
    await bot._async_setup_hook()  # dpytest workarounds (see DEPENDENCIES.md)
    # dpytest's fake guild keeps its members only if members are cached (the real bot needs no member cache)
    bot._connection._intents.members = True
    bot._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(bot._connection._intents)
    dpytest.configure(bot, members=["analyst", "editor"])
    state = bot._connection
    state.loop = asyncio.get_running_loop()
    # dpytest replaced the connection state: re-link the command tree and give the app an id to sync under
    state._command_tree = bot.tree
    bot.tree._state = state
    bot.tree._http = bot.http
    state.application_id = APP_ID
    config = dpytest.get_config()
    guild, channel = config.guilds[0], config.channels[0]
    member, admin = config.members[0], config.members[1]
    role = backend.make_role(ADMIN_ROLE, guild)
    await dpytest.add_role(admin, role)
    posts: list[tuple[int, dict[str, Any]]] = []
    synced: list[list[dict[str, Any]]] = []
    reactions: list[tuple[int, int, str]] = []
    _extend_fake_http(bot, guild, posts, synced, reactions)
    author = {"id": str(bot.user.id), "username": bot.user.name, "discriminator": "0001", "avatar": None, "bot": True}
    http = InteractionHTTP(author)
    async_context.set(http)
    await bot.setup_hook()
    return Harness(bot, http, guild, channel, member, guild.get_member(admin.id) or admin, posts, synced, reactions)


def _extend_fake_http(
    bot: YaluBot, guild: discord.Guild, posts: list[Any], synced: list[Any], reactions: list[Any]
) -> None:
    """Add what dpytest's HTTP lacks (threads, command sync, reactions) and record every channel message payload."""
    http: Any = bot.http
    original_send = http.send_message

    async def send_message(channel_id: int, *, params: Any) -> Any:
        channel = sys._getframe(1).f_locals.get("channel")  # noqa: F841 (dpytest reads its caller's `channel`)
        posts.append((channel_id, dict(params.payload or {})))
        sent = await original_send(channel_id, params=params)
        SENT_IDS[id(posts[-1][1])] = str(sent["id"])
        return sent

    async def start_thread_with_message(channel_id: int, message_id: int, **options: Any) -> dict[str, Any]:
        data = {
            "id": str(message_id),
            "guild_id": str(guild.id),
            "parent_id": str(channel_id),
            "owner_id": str(bot.user.id),
            "name": options["name"],
            "type": 11,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": options["auto_archive_duration"],
                "archive_timestamp": _TIMESTAMP,
                "locked": False,
            },
        }
        bot._connection.parse_thread_create(data)  # type: ignore[arg-type]  # as the gateway would tell the bot
        return data

    async def bulk_upsert(*ids: Any, payload: list[dict[str, Any]]) -> list[dict[str, Any]]:
        synced.append(payload)
        return [
            {**command, "id": str(next(_ids)), "application_id": str(APP_ID), "version": "1"} for command in payload
        ]

    async def add_reaction(channel_id: int, message_id: int, emoji: str) -> None:
        reactions.append((int(channel_id), int(message_id), emoji))  # dpytest's own misses a 2.7 payload key

    original_get = http.get_message

    async def get_message(channel_id: int, message_id: int) -> Any:
        try:
            return await original_get(channel_id, message_id)
        except KeyError:  # dpytest knows no message of a channel it never stored one for: Discord says 404
            raise discord.NotFound(HTTPResponse(404), {"code": 10008, "message": "Unknown Message"}) from None

    http.send_message = send_message
    http.add_reaction = add_reaction
    http.get_message = get_message
    http.start_thread_with_message = start_thread_with_message
    http.bulk_upsert_global_commands = bulk_upsert
    http.bulk_upsert_guild_commands = bulk_upsert


class HTTPResponse(NamedTuple):
    """What discord.HTTPException reads of an aiohttp response."""

    status: int
    reason: str = "Not Found"


def limits_ok(message: dict[str, Any]) -> bool:
    """Whether a message payload is within Discord's limits (content, embeds, fields, totals)."""
    embeds = message.get("embeds") or []
    total = 0
    for e in embeds:
        fields = e.get("fields", [])
        size = len(e.get("title", "")) + len(e.get("description", "")) + len(e.get("footer", {}).get("text", ""))
        size += sum(len(f["name"]) + len(f["value"]) for f in fields)
        if len(e.get("title", "")) > 256 or len(e.get("description", "")) > 4096 or len(fields) > 25:
            return False
        if any(len(f["value"]) > 1024 for f in fields) or size > 6000:
            return False
        total += size
    return len(message.get("content") or "") <= 2000 and len(embeds) <= 10 and total <= 6000


def custom_ids(message: dict[str, Any]) -> Iterator[str]:
    """The custom ids of the buttons under a message."""
    for row in message.get("components") or []:
        for component in row.get("components", []):
            yield component["custom_id"]


# --- start-up ----------------------------------------------------------------------------------
COMMAND_NAMES = [
    "accounts",
    "add",
    "ask",
    "bench",
    "brief",
    "compare",
    "eval",
    "feedback",
    "feeds",
    "help",
    "quotes",
    "search",
    "sources",
    "summarize",
    "timeline",
    "trace",
    "watch",
    "watches",
]


async def test_create_bot_syncs_the_commands(seeded: Services, tmp_path: Path) -> None:
    """create_bot puts the eighteen commands on the tree (ask ... help, the analysis tools, eval, feedback,
    bench, feeds, watch, watches); setup_hook syncs them."""
    services = bot_settings(seeded, tmp_path)
    assert sorted(c.name for c in create_bot(services).tree.get_commands()) == COMMAND_NAMES
    harness = await start(services)
    try:
        assert [sorted(c["name"] for c in payload) for payload in harness.synced] == [COMMAND_NAMES]
        assert all(len(c["description"]) <= 100 for c in harness.synced[0])
    finally:
        await harness.stop()


async def test_admin_commands_are_for_server_managers_and_never_in_dms(seeded: Services, tmp_path: Path) -> None:
    """/add, /eval, /feedback, /bench and /feeds sync with default_member_permissions (Manage Server) and no DM
    context; /ask allows both."""
    harness = await start(bot_settings(seeded, tmp_path))
    try:
        synced = {c["name"]: c for c in harness.synced[0]}
        for name in ("add", "eval", "feedback", "bench", "feeds"):
            assert synced[name]["default_member_permissions"] == 32 and synced[name]["dm_permission"] is False
            assert synced[name]["contexts"] == [0]  # guild only
        assert synced["ask"]["default_member_permissions"] is None
        assert [o["name"] for o in synced["feeds"]["options"]] == ["add", "list", "remove", "poll"]
    finally:
        await harness.stop()


async def test_commands_sync_to_each_allowed_guild(seeded: Services, tmp_path: Path) -> None:
    """With DISCORD_GUILD_IDS set, the commands are synced to each of those guilds (instantly available)."""
    harness = await start(bot_settings(seeded, tmp_path, discord_guild_ids=[1, 2]))
    try:
        assert len(harness.synced) == 2 and all(len(p) == len(COMMAND_NAMES) for p in harness.synced)
    finally:
        await harness.stop()


def test_the_bot_pings_nobody_by_default(seeded: Services, tmp_path: Path) -> None:
    """The bot's default allowed mentions are none: no @everyone, role or user ping from any send."""
    mentions = create_bot(bot_settings(seeded, tmp_path)).allowed_mentions
    assert mentions is not None and mentions.to_dict() == {"parse": []}
