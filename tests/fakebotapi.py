"""A fake Telegram Bot API server on 127.0.0.1, for end-to-end tests and benchmarks.

It speaks HTTP like api.telegram.org, so the real aiogram client and our adapter run unchanged against it. It
keeps each chat the way her phone shows it (edits applied) and rejects what Telegram rejects (bad HTML, texts
over 4096 characters, callback data over 64 bytes, edits of missing or unchanged messages...), so a test fails
where production would.

    async with FakeBotAPI() as api:
        bot = make_bot(api.token, api.base_url)
        amina = api.user("Amina", "en")
        api.push_text(amina, "/start")
        await api.wait_for(lambda: api.last(amina) is not None, "a reply")

Everything runs on the caller's event loop; the helpers are plain methods, safe to call between awaits.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import json
import re
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

TEXT_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
COMMAND = re.compile(r"[a-z0-9_]{1,32}")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly the same "
    "as a current content and reply markup of the message"
)

# -- Telegram's HTML parse mode ----------------------------------------------------------------------------

# https://core.telegram.org/bots/api#html-style
HTML_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a", "code", "pre"}
    | {"blockquote", "tg-emoji", "tg-time"}
)
NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#([0-9]{1,7})|#[xX]([0-9a-fA-F]{1,6})|([a-zA-Z][a-zA-Z0-9]*));")
_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z][a-zA-Z0-9-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\"'>]+))?)*)\s*>"
)
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")


class HTMLError(ValueError):
    """Telegram's `can't parse entities` reason."""


@dataclass(frozen=True)
class Entity:
    tag: str
    offset: int  # in characters of the visible text
    length: int


def parse_html(markup: str) -> tuple[str, tuple[Entity, ...]]:
    """The visible text and its formatting, or HTMLError where Telegram would refuse the message.

    Stricter than Telegram in one way: a bare `&` that starts no entity is refused (Telegram shows it as is),
    so a user's value that was not escaped fails the test instead of slipping through by luck.
    """
    visible: list[str] = []
    size = 0  # characters in `visible`, kept apart because an entity may decode to one character
    open_tags: list[tuple[str, int]] = []
    entities: list[Entity] = []
    i = 0
    while i < len(markup):
        char = markup[i]
        byte = len(markup[:i].encode())
        if char == "&":
            match = _ENTITY.match(markup, i)
            decoded = _decode_entity(match) if match else None
            if match is None or decoded is None:
                raise HTMLError(f"Unsupported HTML entity at byte offset {byte}")
            visible.append(decoded)
            size += len(decoded)
            i = match.end()
        elif markup.startswith("</", i):
            match = _END_TAG.match(markup, i)
            if match is None or not open_tags:
                raise HTMLError(f"Unexpected end tag at byte offset {byte}")
            tag = match.group(1).lower()
            expected, start = open_tags.pop()
            if tag != expected:
                raise HTMLError(f'Unmatched end tag at byte offset {byte}, expected "</{expected}>", found "</{tag}>"')
            entities.append(Entity(tag, start, size - start))
            i = match.end()
        elif char == "<":
            match = _START_TAG.match(markup, i)
            tag = match.group(1).lower() if match else ""
            if match is None or tag not in HTML_TAGS:
                raise HTMLError(f'Unsupported start tag "{tag}" at byte offset {byte}')
            open_tags.append((tag, size))
            i = match.end()
        else:
            visible.append(char)
            size += 1
            i += 1
    if open_tags:
        raise HTMLError(f'Can\'t find end tag corresponding to start tag "{open_tags[-1][0]}"')
    return "".join(visible), tuple(sorted(entities, key=lambda e: (e.offset, -e.length)))


def _decode_entity(match: re.Match[str]) -> str | None:
    decimal, hexadecimal, name = match.groups()
    if name is not None:
        return NAMED_ENTITIES.get(name)
    code = int(decimal) if decimal is not None else int(hexadecimal, 16)
    return chr(code) if 0 < code <= 0x10FFFF else None


def visible_text(markup: str) -> str:
    """What the user reads for an HTML text."""
    return parse_html(markup)[0]


# -- what the server keeps --------------------------------------------------------------------------------


class ApiError(Exception):
    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after


SENDING = frozenset({"sendmessage", "senddocument", "sendphoto"})


class Limits:
    """Telegram's flood limits, opt-in: at most `per_second` sends a second for the bot and one a second per chat.

    Past either, Telegram answers 429 with `retry_after`; so does this.
    """

    def __init__(self, per_second: int = 30, per_chat_seconds: float = 1.0) -> None:
        self.per_second = per_second
        self.per_chat_seconds = per_chat_seconds
        self.recent: list[float] = []
        self.last_in_chat: dict[str, float] = {}
        self.refused = 0
        self.forced: list[int] = []  # retry_after values to answer the next sends with, for tests

    def check(self, chat: str) -> None:
        now = time.monotonic()
        if self.forced:
            self._refuse(self.forced.pop(0))
        self.recent = [t for t in self.recent if now - t < 1.0]
        if len(self.recent) >= self.per_second or now - self.last_in_chat.get(chat, -1e9) < self.per_chat_seconds:
            self._refuse(1)
        self.recent.append(now)
        self.last_in_chat[chat] = now

    def _refuse(self, retry_after: int) -> None:
        self.refused += 1
        raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)


@dataclass(frozen=True)
class FakeUser:
    id: int
    first_name: str
    language_code: str | None = None
    username: str | None = None

    @property
    def chat_id(self) -> int:
        return self.id  # a private chat's id is the user's id

    def as_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            data["language_code"] = self.language_code
        if self.username:
            data["username"] = self.username
        return data

    def chat_json(self) -> dict[str, Any]:
        return {"id": self.chat_id, "type": "private", "first_name": self.first_name}


@dataclass(frozen=True)
class ShownMessage:
    """One message as the chat shows it at some moment."""

    chat_id: int
    message_id: int
    text: str  # visible: tags gone, entities decoded
    html: str  # as it was sent
    entities: tuple[Entity, ...] = ()
    reply_markup: dict[str, Any] | None = None
    from_bot: bool = True
    date: int = 0
    edits: int = 0
    document: tuple[str, bytes] | None = None  # (file name, content) of a sent file

    @property
    def button_rows(self) -> list[list[str]]:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [[button["text"] for button in row] for row in rows]

    @property
    def buttons(self) -> list[str]:
        return [title for row in self.button_rows for title in row]

    def button(self, title: str) -> dict[str, Any] | None:
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return next((b for row in rows for b in row if b.get("text") == title), None)

    def as_json(self, sender: dict[str, Any], chat: dict[str, Any]) -> dict[str, Any]:
        data: dict[str, Any] = {
            "message_id": self.message_id,
            "from": sender,
            "chat": chat,
            "date": self.date,
            "text": self.text,
        }
        if self.reply_markup is not None:
            data["reply_markup"] = self.reply_markup
        if self.edits:
            data["edit_date"] = self.date
        return data


@dataclass
class Chat:
    user: FakeUser
    messages: dict[int, ShownMessage] = field(default_factory=dict)  # current state by id, edits applied
    history: list[ShownMessage] = field(default_factory=list)  # every send and edit by the bot, in order
    blocked: bool = False
    _ids: Iterator[int] = field(default_factory=lambda: itertools.count(1))  # shared by her and the bot

    def next_id(self) -> int:
        return next(self._ids)


@dataclass(frozen=True)
class ApiCall:
    method: str
    params: dict[str, Any]
    status: int
    description: str | None = None
    content_type: str = ""
    result: Any = None

    @property
    def ok(self) -> bool:
        return self.status == 200


# -- the server -------------------------------------------------------------------------------------------


class FakeBotAPI:
    """`async with FakeBotAPI() as api:` serves /bot<token>/<method> on a free port of 127.0.0.1."""

    def __init__(
        self,
        token: str = "123456789:TEST-fake-bot-api-token",
        *,
        username: str = "MentornetTestBot",
        limits: Limits | None = None,
    ) -> None:
        self.token = token
        self.limits = limits
        self.me: dict[str, Any] = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Mentornet",
            "username": username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, Chat] = {}
        self.calls: list[ApiCall] = []
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}  # (scope type, language code or "")
        self.allowed_updates: list[str] | None = None
        self.waiting_polls = 0  # getUpdates requests parked right now: the bot is polling
        self.files: dict[str, str] = {f"photo-{size}": "photo.jpg" for size in (90, 320, 800)}  # file id -> name
        self._queue: list[dict[str, Any]] = []  # unconfirmed updates, in order
        self._update_ids = itertools.count(1)
        self._user_ids = itertools.count(700_000_001)
        self._query_ids = itertools.count(1)
        self._open_queries: set[str] = set()
        self._arrived = asyncio.Event()
        self._closing = False
        # A send held on the wire, for crash tests: `hold_send(n)` parks the send after n accepted ones.
        self._hold_after: int | None = None
        self.holding = asyncio.Event()
        self._held: web.Request | None = None
        self._let_go = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self.port = 0
        # Webhook mode: while a URL is set, getUpdates is refused and updates are posted to it instead.
        self.webhook_url = ""
        self.webhook_secret = ""
        self.webhook_refused = 0  # posts the bot did not answer with 200 (each is delivered again)
        self._webhook_task: asyncio.Task[None] | None = None
        self._poll_generation = 0
        self.on_sent: Callable[[int], None] | None = None  # told of every accepted sendMessage, for benchmarks
        self._methods: dict[str, Callable[[dict[str, Any]], Awaitable[Any]]] = {
            "getme": self._get_me,
            "getupdates": self._get_updates,
            "deletewebhook": self._delete_webhook,
            "setwebhook": self._set_webhook,
            "getwebhookinfo": self._get_webhook_info,
            "sendmessage": self._send_message,
            "editmessagetext": self._edit_message_text,
            "senddocument": self._send_document,
            "sendphoto": self._send_photo,
            "sendvoice": self._send_voice,
            "answercallbackquery": self._answer_callback_query,
            "setmycommands": self._set_my_commands,
            "getmycommands": self._get_my_commands,
            "deletemycommands": self._delete_my_commands,
        }

    # -- lifecycle --------------------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # A short shutdown: parked long polls are woken on close, nothing else should be in flight.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]

    async def close(self) -> None:
        self._closing = True
        self._arrived.set()  # parked getUpdates return at once instead of holding the shutdown
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    # -- users and what they do -------------------------------------------------------------------------
    def user(
        self, first_name: str = "Amina", language_code: str | None = "en", *, user_id: int | None = None
    ) -> FakeUser:
        """A Telegram user who has opened a private chat with the bot."""
        user = FakeUser(next(self._user_ids) if user_id is None else user_id, first_name, language_code)
        self.chats.setdefault(user.chat_id, Chat(user))
        return user

    def push(self, update: dict[str, Any]) -> dict[str, Any]:
        """Queue a raw update; an update_id is assigned unless it has one."""
        if "update_id" not in update:
            update = {"update_id": next(self._update_ids), **update}
        self._queue.append(update)
        self._arrived.set()
        return update

    def push_again(self, update: dict[str, Any]) -> dict[str, Any]:
        """Telegram delivers at least once: the very same update (same update_id) arrives again.

        Pushed right after the first copy, both come in one getUpdates batch. Pushed later, only a poller that
        has not confirmed past it sees it: one that starts afresh after a crash, as with the real Telegram.
        """
        self._queue.append(update)
        self._arrived.set()
        return update

    def push_text(self, user: FakeUser, text: str) -> dict[str, Any]:
        message = self._user_message(user, text=text)
        if text.startswith("/"):
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
        return self.push({"message": message})

    def push_photo(self, user: FakeUser, caption: str | None = None) -> dict[str, Any]:
        photo = [
            {"file_id": f"photo-{size}", "file_unique_id": f"p{size}", "width": size, "height": size}
            for size in (90, 320, 800)
        ]
        extra: dict[str, Any] = {"photo": photo}
        if caption:
            extra["caption"] = caption
        return self.push({"message": self._user_message(user, **extra)})

    def push_document(self, user: FakeUser, file_name: str, caption: str | None = None) -> dict[str, Any]:
        file_id = f"doc-{len(self.files) + 1}"
        self.files[file_id] = file_name
        document = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_name": file_name, "file_size": 52_000}
        extra: dict[str, Any] = {"document": document}
        if caption:
            extra["caption"] = caption
        return self.push({"message": self._user_message(user, **extra)})

    def push_voice(self, user: FakeUser) -> dict[str, Any]:
        file_id = f"voice-{len(self.files) + 1}"
        self.files[file_id] = "voice.ogg"
        voice = {"file_id": file_id, "file_unique_id": f"u{file_id}", "duration": 7}
        return self.push({"message": self._user_message(user, voice=voice)})

    def push_sticker(self, user: FakeUser) -> dict[str, Any]:
        sticker = {
            "file_id": "sticker-1",
            "file_unique_id": "s1",
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "🌸",
        }
        return self.push({"message": self._user_message(user, sticker=sticker)})

    def push_press(self, user: FakeUser, title: str, message: ShownMessage | int | None = None) -> dict[str, Any]:
        """Tap the button with exactly this title, on the given message or the newest one that shows it."""
        chat = self.chats[user.chat_id]
        if message is None:
            candidates = [m for m in reversed(chat.messages.values()) if m.from_bot]
        else:
            message_id = message if isinstance(message, int) else message.message_id
            candidates = [chat.messages[message_id]]
        for shown in candidates:
            button = shown.button(title)
            if button is not None:
                break
        else:
            on_screen = [b for m in chat.messages.values() for b in m.buttons]
            raise AssertionError(f"no button {title!r}; on screen: {on_screen}")
        query_id = str(next(self._query_ids))
        self._open_queries.add(query_id)
        query = {
            "id": query_id,
            "from": user.as_json(),
            "message": shown.as_json(self.me, user.chat_json()),
            "chat_instance": f"ci-{user.chat_id}",
            "data": button["callback_data"],
        }
        return self.push({"callback_query": query})

    def push_member_status(self, user: FakeUser, status: str) -> dict[str, Any]:
        """my_chat_member: she blocked the bot (`kicked`) or started it again (`member`)."""
        old, new = ("member", "kicked") if status == "kicked" else ("kicked", status)
        bot_user = {k: self.me[k] for k in ("id", "is_bot", "first_name", "username")}

        def member(state: str) -> dict[str, Any]:
            return {"status": state, "user": bot_user} | ({"until_date": 0} if state == "kicked" else {})

        event = {
            "chat": user.chat_json(),
            "from": user.as_json(),
            "date": int(time.time()),
            "old_chat_member": member(old),
            "new_chat_member": member(new),
        }
        return self.push({"my_chat_member": event})

    def block(self, user: FakeUser) -> dict[str, Any]:
        self.chats[user.chat_id].blocked = True
        return self.push_member_status(user, "kicked")

    def unblock(self, user: FakeUser) -> dict[str, Any]:
        self.chats[user.chat_id].blocked = False
        return self.push_member_status(user, "member")

    def _user_message(self, user: FakeUser, **content: Any) -> dict[str, Any]:
        chat = self.chats.setdefault(user.chat_id, Chat(user))
        shown = ShownMessage(user.chat_id, chat.next_id(), content.get("text", ""), "", from_bot=False, date=_now())
        chat.messages[shown.message_id] = shown
        head = {"message_id": shown.message_id, "from": user.as_json(), "chat": user.chat_json(), "date": shown.date}
        return head | content

    # -- reading ----------------------------------------------------------------------------------------
    def messages(self, user: FakeUser) -> list[ShownMessage]:
        """The bot's messages in her chat as they look now, oldest first."""
        return [m for m in self.chats[user.chat_id].messages.values() if m.from_bot]

    def last(self, user: FakeUser) -> ShownMessage | None:
        shown = self.messages(user)
        return shown[-1] if shown else None

    def history(self, user: FakeUser) -> list[ShownMessage]:
        """Every send and edit by the bot in her chat, in order: an edit appears with its message's id."""
        return list(self.chats[user.chat_id].history)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [c for c in self.calls if c.method.lower() == method.lower()]

    @property
    def rejected(self) -> list[ApiCall]:
        """Calls Telegram would refuse as a bad request: a bug in the bot, never a user's doing."""
        return [c for c in self.calls if c.status == 400]

    @property
    def failed(self) -> list[ApiCall]:
        return [c for c in self.calls if not c.ok]

    @property
    def unanswered_callbacks(self) -> int:
        return len(self._open_queries)

    @property
    def pending_updates(self) -> int:
        """Updates not yet confirmed by a later getUpdates offset."""
        return len(self._queue)

    async def wait_for(self, condition: Callable[[], bool], what: str = "condition", within: float = 10.0) -> None:
        """Poll every 10 ms until `condition()` holds; fail after `within` seconds, naming what was awaited."""
        deadline = asyncio.get_running_loop().time() + within
        while True:
            if condition():
                return
            if asyncio.get_running_loop().time() > deadline:
                recent = [(c.method, c.status, c.description) for c in self.calls[-5:]]
                raise AssertionError(f"timed out after {within} s waiting for {what}; last calls: {recent}")
            await asyncio.sleep(0.01)

    # -- HTTP -------------------------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params: dict[str, Any] = {}
        try:
            params = await _read_params(request)
            if request.match_info["token"] != self.token:
                raise ApiError(401, "Unauthorized")
            handler = self._methods.get(method.lower())
            if handler is None:
                raise ApiError(404, "Not Found")
            if self._hold_after is not None and method.lower() in SENDING and self._sends() >= self._hold_after:
                await self._hold(request)
            if self.limits is not None and method.lower() in SENDING:
                self.limits.check(str(params.get("chat_id")))
            body: dict[str, Any] = {"ok": True, "result": await handler(params)}
            status = 200
        except ApiError as exc:
            status = exc.status
            body = {"ok": False, "error_code": exc.status, "description": exc.description}
            if exc.retry_after is not None:
                body["parameters"] = {"retry_after": exc.retry_after}
        self.calls.append(
            ApiCall(method, params, status, body.get("description"), request.content_type, body.get("result"))
        )
        return web.json_response(body, status=status)

    def hold_send(self, after: int) -> None:
        """Park the send that comes after `after` accepted sends until `let_go()`: a request still travelling
        when its sender dies. If the sender's connection is gone by then, it never arrives, as on a real network.
        """
        self._hold_after = after

    def let_go(self) -> None:
        self._let_go.set()

    def _sends(self) -> int:
        return sum(1 for c in self.calls if c.method.lower() in SENDING and c.ok)

    @property
    def held_sender_gone(self) -> bool:
        """The connection of the held send is closed: its sender is gone."""
        request = self._held
        return request is not None and (request.transport is None or request.transport.is_closing())

    async def _hold(self, request: web.Request) -> None:
        self._hold_after = None
        self._held = request
        self.holding.set()
        await self._let_go.wait()
        if self.held_sender_gone:
            raise ConnectionResetError("the sender went away before its request arrived")

    async def _true(self, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, params: dict[str, Any]) -> dict[str, Any]:
        return self.me

    async def _get_webhook_info(self, params: dict[str, Any]) -> dict[str, Any]:
        return {"url": self.webhook_url, "has_custom_certificate": False, "pending_update_count": len(self._queue)}

    async def _set_webhook(self, params: dict[str, Any]) -> bool:
        url = str(params.get("url", ""))
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ApiError(400, "Bad Request: bad webhook: An HTTPS URL must be provided for webhook")
        if _json(params, "drop_pending_updates", False):
            self._queue.clear()
        allowed = _json(params, "allowed_updates", None)
        if allowed:
            self.allowed_updates = list(allowed)
        self.webhook_url, self.webhook_secret = url, str(params.get("secret_token", ""))
        if self._webhook_task is None:
            self._webhook_task = asyncio.create_task(self._post_updates())
        self._arrived.set()
        return True

    async def _delete_webhook(self, params: dict[str, Any]) -> bool:
        if _json(params, "drop_pending_updates", False):
            self._queue.clear()
        self.webhook_url = ""
        return True

    async def _post_updates(self, connections: int = 8) -> None:
        """Like Telegram: each waiting update is posted to the webhook until it is answered with 200; one
        woman's updates one after the other, different women's side by side."""
        async with aiohttp.ClientSession() as client:
            while not self._closing:
                self._arrived.clear()
                if not self.webhook_url or not self._queue:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._arrived.wait(), 0.5)
                    continue
                by_chat: dict[int, list[dict[str, Any]]] = {}
                for update in list(self._queue)[:400]:
                    if self.allowed_updates and _update_type(update) not in self.allowed_updates:
                        self._queue.remove(update)
                        continue
                    by_chat.setdefault(_update_chat(update), []).append(update)
                gate = asyncio.Semaphore(connections)

                async def post_all(updates: list[dict[str, Any]], gate: asyncio.Semaphore = gate) -> None:
                    async with gate:
                        for update in updates:
                            if not await self._post(client, update):
                                return  # the rest of hers wait behind the one refused

                await asyncio.gather(*(post_all(u) for u in by_chat.values()))
                if self.webhook_refused:
                    await asyncio.sleep(0.2)  # Telegram retries a refused update after a while

    async def _post(self, client: aiohttp.ClientSession, update: dict[str, Any]) -> bool:
        headers = {"X-Telegram-Bot-Api-Secret-Token": self.webhook_secret} if self.webhook_secret else {}
        try:
            async with client.post(
                self.webhook_url, json=update, headers=headers, timeout=aiohttp.ClientTimeout(total=60)
            ) as response:
                ok = response.status == 200
        except (aiohttp.ClientError, TimeoutError):
            ok = False
        if ok:
            with contextlib.suppress(ValueError):
                self._queue.remove(update)
        else:
            self.webhook_refused += 1
        return ok

    async def _get_updates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        if self.webhook_url:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
            )
        # A newer getUpdates ends the one still parked, as Telegram does when two processes poll one token.
        self._poll_generation += 1
        generation = self._poll_generation
        self._arrived.set()
        offset = _int(params, "offset", 0)
        limit = min(max(_int(params, "limit", 100), 1), 100)
        timeout = max(_int(params, "timeout", 0), 0)
        allowed = _json(params, "allowed_updates", None)
        if allowed:
            self.allowed_updates = list(allowed)  # Telegram remembers it for later calls too
        if offset > 0:
            # Confirm-by-offset: everything before it is forgotten for good.
            self._queue = [u for u in self._queue if u["update_id"] >= offset]
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            if self.allowed_updates:  # types she did not ask for are never delivered
                self._queue = [u for u in self._queue if _update_type(u) in self.allowed_updates]
            ready = [u for u in self._queue if u["update_id"] >= offset][:limit]
            remaining = deadline - asyncio.get_running_loop().time()
            if generation != self._poll_generation:
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
                )
            if ready or self._closing or remaining <= 0:
                return ready
            self._arrived.clear()
            self.waiting_polls += 1
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                return []
            finally:
                self.waiting_polls -= 1

    async def _send_message(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        html, (text, entities) = self._text(params)
        markup = _reply_markup(params)
        shown = ShownMessage(chat.user.chat_id, chat.next_id(), text, html, entities, markup, date=_now())
        chat.messages[shown.message_id] = shown
        chat.history.append(shown)
        if self.on_sent is not None:
            self.on_sent(chat.user.chat_id)
        return shown.as_json(self.me, chat.user.chat_json())

    async def _send_photo(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_document({**params, "document": params.get("photo")})

    async def _send_voice(self, params: dict[str, Any]) -> dict[str, Any]:
        return await self._send_document({**params, "document": params.get("voice")})

    async def _send_document(self, params: dict[str, Any]) -> dict[str, Any]:
        chat = self._chat(params)
        document = params.get("document")
        if isinstance(document, str) and document.startswith("attach://"):
            document = params.get(document.removeprefix("attach://"))
        elif isinstance(document, str):  # a file id: only one Telegram knows (a file someone sent) is valid
            if document not in self.files:
                raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
            document = (self.files[document], b"")
        if not isinstance(document, tuple):
            raise ApiError(400, "Bad Request: there is no document in the request")
        html = str(params.get("caption", ""))
        caption, entities = html, ()
        if html and str(params.get("parse_mode") or "").lower() == "html":
            try:
                caption, entities = parse_html(html)
            except HTMLError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        if len(caption) > 1024:
            raise ApiError(400, "Bad Request: message caption is too long")
        shown = ShownMessage(
            chat.user.chat_id, chat.next_id(), caption, html, entities, _reply_markup(params), date=_now(),
            document=document,
        )
        chat.messages[shown.message_id] = shown
        chat.history.append(shown)
        return {
            **shown.as_json(self.me, chat.user.chat_json()),
            "document": {
                "file_id": f"f{shown.message_id}",
                "file_unique_id": f"u{shown.message_id}",
                "file_name": document[0],
            },
        }

    async def _edit_message_text(self, params: dict[str, Any]) -> dict[str, Any]:
        if params.get("inline_message_id"):
            raise ApiError(400, "Bad Request: the fake serves no inline messages")
        chat = self._chat(params)
        html, (text, entities) = self._text(params)
        markup = _reply_markup(params)  # none given: the keyboard goes, as on Telegram
        current = chat.messages.get(_int(params, "message_id"))
        if current is None:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not current.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        if (current.text, current.entities, current.reply_markup) == (text, entities, markup):
            raise ApiError(400, NOT_MODIFIED)
        shown = dataclasses.replace(
            current, text=text, html=html, entities=entities, reply_markup=markup, edits=current.edits + 1
        )
        chat.messages[shown.message_id] = shown
        chat.history.append(shown)
        return shown.as_json(self.me, chat.user.chat_json())

    async def _answer_callback_query(self, params: dict[str, Any]) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._open_queries:
            raise ApiError(400, "Bad Request: query is too old and response timeout expired or query ID is invalid")
        if len(str(params.get("text", ""))) > 200:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        return True

    async def _set_my_commands(self, params: dict[str, Any]) -> bool:
        commands = _json(params, "commands", None)
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            if not COMMAND.fullmatch(str(command.get("command", ""))):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description must be 1-256 characters")
        self.commands[_commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    async def _get_my_commands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.commands.get(_commands_key(params), [])

    async def _delete_my_commands(self, params: dict[str, Any]) -> bool:
        self.commands.pop(_commands_key(params), None)
        return True

    # -- checks shared by the methods -------------------------------------------------------------------
    def _chat(self, params: dict[str, Any]) -> Chat:
        if params.get("chat_id") in (None, ""):
            raise ApiError(400, "Bad Request: chat_id is empty")
        chat = self.chats.get(_int(params, "chat_id"))
        if chat is None:
            raise ApiError(400, "Bad Request: chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _text(self, params: dict[str, Any]) -> tuple[str, tuple[str, tuple[Entity, ...]]]:
        html = str(params.get("text", ""))  # aiogram leaves an empty text out altogether
        mode = str(params.get("parse_mode") or "")
        if mode.lower() == "html":
            try:
                text, entities = parse_html(html)
            except HTMLError as exc:
                raise ApiError(400, f"Bad Request: can't parse entities: {exc}") from None
        elif mode:
            raise ApiError(400, f"Bad Request: the fake parses HTML only, not {mode}")
        else:
            text, entities = html, ()
        if not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        # Telegram counts after entity parsing; code points are what our adapter counts too.
        if len(text) > TEXT_LIMIT:
            raise ApiError(400, "Bad Request: message is too long")
        return html, (text, entities)


# -- request parsing --------------------------------------------------------------------------------------


async def _read_params(request: web.Request) -> dict[str, Any]:
    """Telegram takes the query string, JSON, urlencoded or multipart bodies alike; aiogram sends a form."""
    params: dict[str, Any] = dict(request.query)
    if request.content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON body") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        params.update(body)
    elif request.can_read_body:
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, str):
                params[key] = value
            elif isinstance(value, web.FileField):
                params[key] = (value.filename, value.file.read())
    return params


def _update_chat(update: dict[str, Any]) -> int:
    for value in update.values():
        if isinstance(value, dict) and "from" in value:
            return int(value["from"]["id"])
    return 0


def _int(params: dict[str, Any], name: str, default: int | None = None) -> int:
    value = params.get(name)
    if value in (None, ""):
        if default is None:
            raise ApiError(400, f"Bad Request: {name} is empty")
        return default
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ApiError(400, f"Bad Request: invalid {name} specified") from None


def _json(params: dict[str, Any], name: str, default: Any) -> Any:
    """Structured fields arrive as JSON strings in a form and as objects in a JSON body."""
    value = params.get(name)
    if value in (None, ""):
        return default
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise ApiError(400, f"Bad Request: can't parse {name} JSON object") from None
    return value


def _reply_markup(params: dict[str, Any]) -> dict[str, Any] | None:
    markup = _json(params, "reply_markup", None)
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
    rows = markup.get("inline_keyboard")
    if rows is None:
        return markup  # reply keyboards and their removal pass unchecked: the adapter sends inline ones only
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise ApiError(
            400, 'Bad Request: can\'t parse inline keyboard button: field "inline_keyboard" must be an Array of Array'
        )
    for row in rows:
        for button in row:
            if not isinstance(button, dict) or not str(button.get("text", "")).strip():
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed")
            data = button.get("callback_data")
            if data is None and "url" not in button:
                raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text buttons are unallowed")
            if data is not None and not 1 <= len(str(data).encode()) <= CALLBACK_DATA_LIMIT:
                raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    return markup


def _commands_key(params: dict[str, Any]) -> tuple[str, str]:
    scope = _json(params, "scope", None) or {"type": "default"}
    language = str(params.get("language_code") or "")
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise ApiError(400, "Bad Request: invalid language code specified")
    return str(scope.get("type", "default")), language


def _update_type(update: dict[str, Any]) -> str:
    return next(key for key in update if key != "update_id")


def _now() -> int:
    return int(time.time())
