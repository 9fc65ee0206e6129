"""End to end on Telegram: the real aiogram client and our adapter against the fake Bot API server.

Each test is a conversation on her phone: updates go in through getUpdates, and what she sees is what the fake
kept from sendMessage and editMessageText. The `engine` fixture runs every conversation on SQLite and PostgreSQL.
After each test, every callback query must have been answered and no call refused as a bad request.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import aiohttp
import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest
from aiogram.types import BotCommand, InlineKeyboardButton, InlineKeyboardMarkup
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from bot.outbox_runner import Undeliverable
from bot.telegram.app import TelegramService, make_bot
from bot.telegram.send import TEXT_LIMIT, chunks, send_one
from conversations.commands import MENU
from conversations.kernel import calendar
from conversations.kernel.engine import Engine, addressed_to
from conversations.kernel.i18n import LANGUAGES, Translator
from conversations.kernel.messages import Attachment, Button, Inbound, Kind, Reply, UserRef
from conversations.kernel.questions import fitted
from conversations.privacy import NOTICE_VERSION, SHORT
from storage import outbox, repo
from storage.models import MenteeProfile, MentorProfile, User
from tests.fakebotapi import FakeBotAPI, FakeUser, HTMLError, ShownMessage, parse_html, visible_text
from tests.running import running

# The language picker's msgid (conversations/language.py), the first thing anyone sees.
GREETING = (
    "Welcome to Mentornet! 🌱 We bring together women who are new in Denmark and women who know "
    "Danish working life.\n\nWhich language would you like to use?"
)
UNSUPPORTED = "Sorry, I can only read text and buttons here."
CHOOSE = "Please choose one of the buttons."
TRICKY_NAME = "<b>Zoë</b> & Co 🌸 زينب"  # markup, an ampersand, an emoji and right-to-left script


class Errors(logging.Handler):
    """Every error our code logs during a test: a step that failed is caught and apologised for, and the test
    must still see it."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.name.startswith(("bot", "conversations", "storage")):
            self.records.append(record)


class Telegram:
    """Our bot polling the fake server, and her thumbs on the phone."""

    def __init__(self, api: FakeBotAPI, engine: Engine) -> None:
        self.api = api
        self.engine = engine
        self.errors = Errors()
        self.service: TelegramService

    @property
    def bot(self) -> Bot:
        return self.service.bot

    async def start(self) -> None:
        self.service = TelegramService(self.engine, self.api.token, self.api.base_url, clock=False)
        await self.service.start()
        await self.api.wait_for(lambda: self.api.waiting_polls > 0 or self._stopped(), "polling to start")
        self._check()

    async def stop(self) -> None:
        await self.settle()
        await self.service.stop()

    async def restart(self) -> None:
        """A new process: a fresh client that has confirmed nothing yet, and a fresh engine on the same database."""
        await self.stop()
        self.engine = Engine(self.engine.sessions, coordinator_ids=self.engine.coordinator_ids)
        await self.start()

    async def settle(self) -> None:
        """Every pushed update confirmed by the client and completely handled, replies included: nothing left
        with Telegram, nothing stored and waiting, no step running."""

        deadline = asyncio.get_running_loop().time() + 10
        while not self._stopped():
            if self.api.pending_updates == 0 and self.service.workers.idle:
                backlog = await self.engine.backlog()
                if backlog["inbox"].waiting == 0 and self.service.workers.idle:
                    break
            assert asyncio.get_running_loop().time() < deadline, "timed out waiting for the bot to handle everything"
            await asyncio.sleep(0.01)
        self._check()

    def _stopped(self) -> bool:
        return any(task.done() for task in self.service._tasks)

    def _check(self) -> None:
        if self._stopped():
            raise AssertionError("a part of the bot stopped on its own")

    async def act(self, user: FakeUser, push: Callable[[], object]) -> list[ShownMessage]:
        """Do something on her phone; returns what appeared in her chat because of it (sends and edits)."""
        seen = len(self.api.history(user))
        push()
        await self.settle()
        return self.api.history(user)[seen:]

    async def send(self, user: FakeUser, text: str) -> list[ShownMessage]:
        return await self.act(user, lambda: self.api.push_text(user, text))

    async def tap(self, user: FakeUser, title: str, message: ShownMessage | None = None) -> list[ShownMessage]:
        return await self.act(user, lambda: self.api.push_press(user, title, message))


async def deliver(bot: Bot, chat_id: int, replies: list[Reply], pressed_message_id: int | None = None) -> set[int]:
    """Send replies as the outbox stores them (to her chat unless they name another; an edit names the pressed
    message); returns the chats that turned out to have blocked the bot."""
    blocked: set[int] = set()
    for reply in replies:
        pressed = Inbound(
            UserRef("telegram", str(chat_id), str(chat_id)),
            Kind.BUTTON,
            message_id=None if pressed_message_id is None else str(pressed_message_id),
        )
        stored = addressed_to(reply, pressed)
        try:
            await send_one(bot, stored, patient=True)
        except Undeliverable:
            blocked.add(int(stored.to.chat_id))  # type: ignore[union-attr]
    return blocked


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake


@pytest.fixture
async def tg(api: FakeBotAPI, engine: Engine) -> AsyncIterator[Telegram]:
    telegram = Telegram(api, engine)
    logging.getLogger().addHandler(telegram.errors)
    try:
        await telegram.start()
        yield telegram
        await telegram.stop()
    finally:
        logging.getLogger().removeHandler(telegram.errors)
    # Whatever the conversation was, Telegram refused nothing, no spinner was left turning and nothing crashed.
    assert [r.getMessage() for r in telegram.errors.records] == []
    assert [(c.method, c.description) for c in api.rejected] == []
    assert api.unanswered_callbacks == 0


# -- the conversation, step by step -----------------------------------------------------------------------


async def onboard_to_name(tg: Telegram, user: FakeUser, t: Translator) -> ShownMessage:
    """/start, her language, consent, the mentee role: up to the first-name question, which is returned."""
    await tg.send(user, "/start")
    await tg.tap(user, LANGUAGES[t.locale])
    await tg.tap(user, t._("I agree"))
    await tg.tap(user, t._("I want a mentor"))
    question = tg.api.last(user)
    assert question is not None
    assert question.text.startswith(t._("What is your first name?"))
    return question


async def answer_mentee_questions(tg: Telegram, user: FakeUser, t: Translator) -> None:
    """Region to 'about you', all by buttons except the free text."""
    taps = [
        t._("Copenhagen area"),
        *(t._("Health"), t._("Done")),
        t._("Master's degree"),
        t._("2 to 5 years"),
        *(t.language_name("en"), t.language_name("ar"), t._("Done")),
        t._("A little"),
        *(t._("Job interviews"), t._("Done")),
    ]
    for title in taps:
        await tg.tap(user, title)
    await tg.send(user, "I was a nurse in Aleppo.\nNow I learn Danish.")


def expect_summary(shown: ShownMessage | None, t: Translator) -> ShownMessage:
    assert shown is not None
    assert shown.text.startswith(t._("Your profile"))
    assert t._("Is everything right? Tap a field to change it.") in shown.text
    assert t._("✅ Confirm") in shown.buttons
    return shown


# -- conversations ----------------------------------------------------------------------------------------


async def test_start_greets_in_her_language_and_choosing_english_edits_the_picker(tg: Telegram) -> None:
    uk, en = Translator("uk"), Translator("en")
    assert uk._(GREETING) != GREETING, "the Ukrainian catalog translates the greeting"
    user = tg.api.user("Олена", "uk")

    [greeting] = await tg.send(user, "/start")
    assert greeting.text == visible_text(uk._(GREETING))
    names = list(LANGUAGES.values())
    assert greeting.button_rows == [names[i : i + 2] for i in range(0, len(names), 2)]

    picker, notice = await tg.tap(user, "English", greeting)
    assert (picker.message_id, picker.text, picker.buttons) == (greeting.message_id, "✓ English", [])
    assert [int(c.params["message_id"]) for c in tg.api.calls_to("editMessageText")] == [greeting.message_id]
    assert notice.message_id > greeting.message_id, "the notice is a new message under the picker"
    assert notice.text == visible_text(en._(SHORT))
    assert notice.buttons == ["I agree", "Read more", "No, thank you"]


async def test_mentee_onboarding_through_buttons_toggles_in_place(tg: Telegram, sessions: async_sessionmaker) -> None:
    en = Translator("en")
    user = tg.api.user("Amina", "en")
    await onboard_to_name(tg, user, en)
    await tg.tap(user, "Use “Amina”")
    await tg.tap(user, "Copenhagen area")

    question = tg.api.last(user)
    assert question is not None and question.text.startswith("Which professional field is yours?")
    edits_before = len(tg.api.calls_to("editMessageText"))
    for title, now_shown, gone in (("IT", "✓ IT", "IT"), ("Health", "✓ Health", "Health"), ("✓ IT", "IT", "✓ IT")):
        [toggled] = await tg.tap(user, title, question)
        assert toggled.message_id == question.message_id, "a toggle edits the question in place"
        assert now_shown in toggled.buttons and gone not in toggled.buttons
    assert len(tg.api.calls_to("editMessageText")) == edits_before + 3
    assert tg.api.last(user).message_id == question.message_id, "no new message while toggling"  # type: ignore[union-attr]

    closed, following = await tg.tap(user, "Done", question)
    assert closed.message_id == question.message_id and closed.buttons == []
    assert closed.text.endswith("✓ Health")
    assert following.text.startswith("What is your highest education?")

    for title in ("Master's degree", "2 to 5 years", "English", "Arabic", "Done", "A little", "Job interviews", "Done"):
        await tg.tap(user, title)
    await tg.tap(user, "Skip")
    summary = expect_summary(tg.api.last(user), en)
    assert "First name: Amina" in summary.text and "Professional field: Health" in summary.text

    card, thanks, menu = await tg.tap(user, "✅ Confirm", summary)
    assert card.message_id == summary.message_id and card.buttons == []
    assert thanks.text.startswith("Thank you, Amina!")
    assert menu.buttons == ["Find a mentor", "Upcoming events", "My profile", "Language", "Help"]
    async with sessions() as session:
        profile = (
            await session.execute(
                select(MenteeProfile)
                .join(User, User.id == MenteeProfile.user_id)
                .where(User.external_id == str(user.id))
            )
        ).scalar_one()
    assert (profile.fields, profile.languages, profile.goals) == (["health"], ["en", "ar"], ["interview"])


async def test_a_name_with_markup_emoji_and_arabic_is_shown_exactly_as_typed(tg: Telegram) -> None:
    ar = Translator("ar")
    user = tg.api.user(TRICKY_NAME, "ar")
    question = await onboard_to_name(tg, user, ar)
    # Button titles are plain text on Telegram: the name goes in unescaped, cut to fit the row.
    offered = fitted(ar._("Use “{name}”"), "name", TRICKY_NAME)
    assert offered in question.buttons and TRICKY_NAME[:12] in offered

    await tg.send(user, TRICKY_NAME)
    await answer_mentee_questions(tg, user, ar)
    summary = expect_summary(tg.api.last(user), ar)
    assert TRICKY_NAME in summary.text
    assert "<b>Zoë" not in summary.html, "her name was escaped, not taken as markup"

    card, thanks, _menu = await tg.tap(user, ar._("✅ Confirm"), summary)
    assert TRICKY_NAME in card.text
    assert TRICKY_NAME in thanks.text


async def test_the_same_update_delivered_twice_is_handled_once(tg: Telegram) -> None:
    en = Translator("en")
    user = tg.api.user("Amina", "en")
    update = tg.api.push_text(user, "/start")
    tg.api.push_again(update)  # both copies in one getUpdates batch
    await tg.settle()
    assert [m.text for m in tg.api.history(user)] == [visible_text(en._(GREETING))]

    # Redelivered after a crash, to a new process that has confirmed nothing yet.
    await tg.restart()
    tg.api.push_again(update)
    # Her updates run in order, so once the tap is answered, the copy before it has been dealt with too.
    shown = await tg.tap(user, "English")
    assert shown[0].text == "✓ English"
    assert [m.text for m in tg.api.history(user)].count(visible_text(en._(GREETING))) == 1


async def test_a_photo_or_a_sticker_gets_the_text_only_reply(tg: Telegram) -> None:
    uk = Translator("uk")
    assert uk._(UNSUPPORTED) != UNSUPPORTED
    user = tg.api.user("Олена", "uk")
    sorry, greeting = await tg.act(user, lambda: tg.api.push_photo(user, caption="my diploma"))
    assert sorry.text == uk._(UNSUPPORTED)
    assert greeting.text == visible_text(uk._(GREETING))
    assert greeting.buttons == list(LANGUAGES.values())
    sorry, _greeting = await tg.act(user, lambda: tg.api.push_sticker(user))
    assert sorry.text == uk._(UNSUPPORTED)


async def test_commands_menu_is_set_in_every_language(tg: Telegram) -> None:
    calls = tg.api.calls_to("setMyCommands")
    assert len(calls) == 1 + len(LANGUAGES) and all(c.ok for c in calls)
    assert [c.params.get("language_code") for c in calls] == [None, "da", "en", "uk", "ar", "fa", "ti", "so", "tr"]
    assert set(tg.api.commands) == {("default", code) for code in ("", *LANGUAGES)}
    for code in ("", *LANGUAGES):
        t = Translator(code or "en")
        expected = [{"command": name, "description": t._(description)} for name, description in MENU]
        assert tg.api.commands[("default", code)] == expected
    uk_menu = await tg.bot.get_my_commands(language_code="uk")
    assert (uk_menu[0].command, uk_menu[0].description) == ("start", Translator("uk")._(MENU[0][1]))


async def test_blocking_the_bot_marks_her_blocked(tg: Telegram, sessions: async_sessionmaker) -> None:
    user = tg.api.user("Amina", "en")
    await tg.send(user, "/start")

    async def blocked_at() -> object:
        async with sessions() as session:
            query = select(User.blocked_at).where(User.platform == "telegram", User.external_id == str(user.id))
            return (await session.execute(query)).scalar_one()

    assert await blocked_at() is None
    await tg.act(user, lambda: tg.api.block(user))
    assert await blocked_at() is not None

    # A reply to a chat that blocked the bot is dropped quietly: Telegram answers 403.
    assert await deliver(tg.bot, user.chat_id, [Reply("Are you still there?")]) == {user.chat_id}
    assert [(c.method, c.status) for c in tg.api.failed] == [("sendMessage", 403)]

    await tg.act(user, lambda: tg.api.unblock(user))
    assert await blocked_at() is None

    # Without the membership update, the 403 itself marks her.
    await tg.engine.set_blocked("telegram", str(user.chat_id), True)
    assert await blocked_at() is not None


async def test_each_users_updates_run_in_order_while_users_run_side_by_side(tg: Telegram) -> None:
    en = Translator("en")
    users = [tg.api.user("Amina", "en"), tg.api.user("Sara", "en")]
    await asyncio.gather(*(onboard_to_name(tg, user, en) for user in users))
    seen = {user.id: len(tg.api.history(user)) for user in users}
    lengths = list(range(41, 47))  # the name's limit is 40: each reply names the length it got
    for n in lengths:
        for user in users:
            tg.api.push_text(user, "x" * n)
    await tg.settle()
    for user in users:
        replies = tg.api.history(user)[seen[user.id] :]
        counts = [int(m.group(1)) for r in replies if (m := re.search(r"That is (\d+) characters", r.text))]
        assert counts == lengths, f"{user.first_name}'s replies out of order"


async def test_a_tap_and_a_text_sent_together_are_handled_in_order(tg: Telegram) -> None:
    notice = visible_text(Translator("en")._(SHORT))
    user = tg.api.user("Amina", "en")
    await tg.send(user, "/start")
    seen = len(tg.api.history(user))
    tg.api.push_press(user, "English")
    tg.api.push_text(user, "hello")  # arrives in the same getUpdates batch as the tap
    await tg.settle()
    assert [m.text for m in tg.api.history(user)[seen:]] == ["✓ English", notice, CHOOSE, notice]


# -- within Telegram's limits -----------------------------------------------------------------------------


def profile_like(lines: int) -> str:
    return "\n".join(f"<b>Line {i}:</b> Tom &amp; Jerry &lt;3 🌸 {'x' * 40}" for i in range(lines))


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("short", id="short"),
        pytest.param(profile_like(200), id="many-lines"),
        pytest.param("x" * 9000, id="one-huge-line"),
        pytest.param("x" * (TEXT_LIMIT - 3) + "&amp;" + "y" * 5000, id="entity-at-the-cut"),
        pytest.param("x" * (TEXT_LIMIT - 2) + "<b>y</b>" + "z" * 5000, id="tag-at-the-cut"),
        pytest.param("a" * TEXT_LIMIT + "\n" + "b" * TEXT_LIMIT + "\n\n" + "c" * 10, id="full-lines"),
    ],
)
def test_chunks_stay_within_the_limit_and_valid(text: str) -> None:
    pieces = chunks(text)
    assert all(0 < len(piece) <= TEXT_LIMIT for piece in pieces)
    assert all(visible_text(piece).strip() for piece in pieces), "each piece parses and has something to show"
    assert "".join(pieces).replace("\n", "") == text.replace("\n", ""), "nothing lost, nothing added"
    if len(text) <= TEXT_LIMIT:
        assert pieces == [text]


async def test_a_9000_character_reply_arrives_in_accepted_pieces(tg: Telegram) -> None:
    user = tg.api.user("Amina", "en")
    text = profile_like(160)
    assert len(text) > 9000
    reply = Reply(text, ((Button("OK", "1:ok"),),))
    await deliver(tg.bot, user.chat_id, [reply])
    pieces = tg.api.messages(user)
    assert len(pieces) == len(chunks(text)) >= 3
    assert all(len(p.html) <= TEXT_LIMIT for p in pieces)
    assert "\n".join(p.text for p in pieces) == visible_text(text)
    assert [p.buttons for p in pieces] == [[]] * (len(pieces) - 1) + [["OK"]], "the keyboard goes under the last"

    # Too long to replace the pressed message: sent as new messages instead, the pressed one left alone.
    await deliver(tg.bot, user.chat_id, [Reply(text, edit=True)], pressed_message_id=pieces[0].message_id)
    assert tg.api.calls_to("editMessageText") == []
    assert len(tg.api.messages(user)) == 2 * len(pieces)


# -- the fake itself --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("markup", "visible"),
    [
        ("<b>Hi</b> &lt;b&gt; &amp; &quot;x&quot; &#128512;&#x1F338;", 'Hi <b> & "x" 😀🌸'),
        ('<a href="https://example.org/?a=1&amp;b=2">link</a> > 3', "link > 3"),
        ("<b>bold <i>both</i></b><tg-spoiler>hidden</tg-spoiler>", "bold bothhidden"),
    ],
)
def test_fake_html_parser_decodes_what_telegram_accepts(markup: str, visible: str) -> None:
    assert visible_text(markup) == visible


@pytest.mark.parametrize("markup", ["<foo>x</foo>", "<b>x", "<b>x</i>", "x</b>", "a < b", "Tom & Jerry", "&nbsp;"])
def test_fake_html_parser_refuses_what_telegram_refuses(markup: str) -> None:
    with pytest.raises(HTMLError):
        parse_html(markup)


async def test_the_fake_refuses_what_telegram_refuses(api: FakeBotAPI) -> None:
    user = api.user()
    bot = make_bot(api.token, api.base_url)
    try:
        sent = await bot.send_message(user.chat_id, "<b>fine</b> &amp; &#128512;")
        refusals: list[tuple[Callable[[], Awaitable[Any]], str]] = [
            (
                lambda: bot.send_message(user.chat_id, "<foo>x</foo>"),
                'can\'t parse entities: Unsupported start tag "foo"',
            ),
            (lambda: bot.send_message(user.chat_id, "<b>x"), "can't parse entities: Can't find end tag"),
            (lambda: bot.send_message(user.chat_id, "a < b"), "can't parse entities"),
            (lambda: bot.send_message(user.chat_id, "Tom & Jerry"), "can't parse entities"),
            (lambda: bot.send_message(user.chat_id, ""), "message text is empty"),
            (lambda: bot.send_message(user.chat_id, "<b> </b>"), "message text is empty"),
            (lambda: bot.send_message(user.chat_id, "x" * (TEXT_LIMIT + 1)), "message is too long"),
            (lambda: bot.send_message(user.chat_id + 1, "hi"), "chat not found"),
            (
                lambda: bot.send_message(
                    user.chat_id,
                    "hi",
                    reply_markup=InlineKeyboardMarkup(
                        inline_keyboard=[[InlineKeyboardButton(text="x", callback_data="é" * 33)]]
                    ),
                ),
                "BUTTON_DATA_INVALID",
            ),
            (lambda: bot.edit_message_text("new", chat_id=user.chat_id, message_id=999), "message to edit not found"),
            (
                lambda: bot.edit_message_text("<b>fine</b> &amp; 😀", chat_id=user.chat_id, message_id=sent.message_id),
                "not modified",
            ),
            (lambda: bot.answer_callback_query("no-such-query"), "query ID is invalid"),
            (lambda: bot.set_my_commands([BotCommand(command="Start", description="go")]), "BOT_COMMAND_INVALID"),
            (lambda: bot.set_my_commands([BotCommand(command="start", description="x" * 257)]), "description"),
        ]
        for call, reason in refusals:
            with pytest.raises(TelegramBadRequest, match=re.escape(reason)):
                await call()
        assert len(api.rejected) == len(refusals)
        assert all(c.status == 400 and (c.description or "").startswith("Bad Request: ") for c in api.rejected)

        edited = await bot.edit_message_text("<i>changed</i>", chat_id=user.chat_id, message_id=sent.message_id)
        assert not isinstance(edited, bool) and edited.text == "changed"
        assert [m.text for m in api.messages(user)] == ["changed"]
        assert {c.content_type for c in api.calls} <= {"application/x-www-form-urlencoded", "multipart/form-data"}

        # Long polling: parked until an update arrives, then confirmed by the next offset.
        async with aiohttp.ClientSession() as http:
            url = f"{api.base_url}/bot{api.token}/getUpdates"

            async def poll() -> list[dict[str, Any]]:
                async with http.post(url, json={"timeout": 5}) as response:
                    return (await response.json())["result"]

            parked = asyncio.create_task(poll())
            await api.wait_for(lambda: api.waiting_polls == 1, "getUpdates to park")
            pushed = api.push_text(user, "hi")
            assert [u["update_id"] for u in await parked] == [pushed["update_id"]]
            async with http.post(url, data={"offset": str(pushed["update_id"] + 1), "timeout": "0"}) as response:
                assert (await response.json())["result"] == []
            assert api.pending_updates == 0

        # A JSON body works as well, with reply_markup as an object rather than a string.
        async with aiohttp.ClientSession() as http:
            body = {
                "chat_id": user.chat_id,
                "text": "json",
                "reply_markup": {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]},
            }
            async with http.post(f"{api.base_url}/bot{api.token}/sendMessage", json=body) as response:
                assert (await response.json())["ok"] is True
        last = api.last(user)
        assert last is not None and last.buttons == ["A"]
    finally:
        await bot.session.close()


async def test_a_request_and_its_acceptance_reach_the_other_chat(tg: Telegram, sessions: async_sessionmaker) -> None:
    """Messages addressed to someone else (a request card, an introduction) go to her own Telegram chat."""
    en = Translator("en")
    mette = tg.api.user("Mette", "da")
    async with sessions() as session, session.begin():
        user, conv = await repo.create_user(session, "telegram", str(mette.id), str(mette.chat_id), "da", "mentor")
        user.consent_at = user.onboarded_at = datetime.now(UTC)
        user.consent_version = NOTICE_VERSION
        conv.step = "idle"
        answers = {
            "name": "Mette", "job_title": "Sygeplejerske", "employer": "Rigshospitalet", "fields": ["health"],
            "experience": "11", "region": "cph", "languages": ["da", "en"], "meeting_modes": ["online"],
            "helps_with": ["cv"], "capacity": "1", "about": None,
        }  # fmt: skip
        await repo.save_profile(session, user, answers)
        await session.flush()
        (await session.get(MentorProfile, user.id)).status = "approved"

    amina = tg.api.user("Amina", "en")
    await onboard_to_name(tg, amina, en)
    await tg.tap(amina, "Use “Amina”")
    await answer_mentee_questions(tg, amina, en)
    await tg.tap(amina, "✅ Confirm")
    await tg.tap(amina, "Find a mentor")
    assert "<b>Mette</b>" in tg.api.last(amina).html  # type: ignore[union-attr]
    await tg.tap(amina, "Ask her to be my mentor")
    await tg.tap(amina, "Send without a message")

    da = Translator("da")
    card = tg.api.last(mette)
    assert card is not None and card.text.startswith(
        da._("{name} would like you to be her mentor").format(name="Amina")
    )
    await tg.tap(mette, da._("✅ Accept"), card)
    hello, survey = tg.api.history(amina)[-2:]
    assert hello.text.startswith("🎉 Mette has accepted!") and survey.text.startswith("Welcome to your mentorship!")
    await tg.tap(amina, "✉️ Write to her")
    await tg.send(amina, "Hej Mette & tak <3")
    relayed = tg.api.last(mette)
    assert relayed is not None and relayed.text == "💬 Amina:\nHej Mette & tak <3"

    # Her CV and a voice note go the same way, by Telegram's file id: nothing is downloaded.
    await tg.act(amina, lambda: tg.api.push_document(amina, "Amina CV.pdf", caption="My CV <3"))
    cv = tg.api.last(mette)
    assert cv is not None and cv.document is not None and cv.document[0] == "Amina CV.pdf"
    assert cv.text == "💬 Amina:\nMy CV <3" and cv.buttons == [da._("↩️ Reply"), da._("⚠️ Report a problem")]
    sent = tg.api.calls_to("sendDocument")[-1]
    assert sent.params["document"].startswith("doc-")  # the file id Telegram gave her upload
    await tg.act(amina, lambda: tg.api.push_voice(amina))
    assert tg.api.calls_to("sendVoice") and tg.api.last(mette).text == "💬 Amina:"
    assert not tg.api.calls_to("getFile")


async def test_a_calendar_file_goes_out_as_a_document(tg: Telegram) -> None:
    user = tg.api.user("Amina", "en")
    await tg.send(user, "/start")
    ics = calendar.invitation(
        7, datetime(2026, 3, 4, 13, 0, tzinfo=UTC), "Mentor meeting with Mette", "online", datetime.now(UTC)
    )
    reply = Reply("Your meeting is confirmed.", to=UserRef("telegram", str(user.id), str(user.chat_id)), attachment=ics)
    assert await deliver(tg.bot, 0, [reply]) == set()
    text, document = tg.api.history(user)[-2:]
    assert text.text == "Your meeting is confirmed."
    assert document.document is not None and document.document[0] == "meeting.ics"
    assert b"DTSTART;TZID=Europe/Copenhagen:20260304T140000" in document.document[1]


async def test_a_chart_goes_out_as_a_photo(tg: Telegram) -> None:
    user = tg.api.user("Karen", "da")
    await tg.send(user, "/start")
    png = b"\x89PNG\r\n\x1a\n" + b"0" * 64
    reply = Reply(
        "Grafen",
        to=UserRef("telegram", str(user.id), str(user.chat_id)),
        attachment=Attachment("indicators.png", png, "image/png"),
    )
    await deliver(tg.bot, 0, [reply])
    assert [c.method for c in tg.api.calls[-2:]] == ["sendMessage", "sendPhoto"]
    assert tg.api.history(user)[-1].document == ("indicators.png", png)


async def test_the_service_answers_sends_the_outbox_serves_health_checks_and_knows_its_join_link(
    engine: Engine, sessions: async_sessionmaker
) -> None:
    """The production entry point as a whole: polling, the command menu, the clock, the paced sender and the
    health checks."""
    async with FakeBotAPI() as api, running(engine, api, host="127.0.0.1", port=0) as service:
        if True:
            amina = api.user("Amina", "ar")
            api.push_text(amina, "/start")
            await api.wait_for(lambda: api.last(amina) is not None, "the greeting")
            assert api.last(amina).text == visible_text(Translator("ar")._(GREETING))  # type: ignore[union-attr]
            assert len(api.calls_to("setMyCommands")) == 1 + len(LANGUAGES)
            async with sessions() as session, session.begin():
                ref = UserRef("telegram", str(amina.id), str(amina.chat_id))
                outbox.enqueue(session, Reply("From the outbox", to=ref), datetime.now(UTC))
            await api.wait_for(lambda: api.last(amina).text == "From the outbox", "the outbox message")  # type: ignore[union-attr]
            assert engine.join_link("abc") == "https://t.me/MentornetTestBot?start=abc"
            host, port = service.address  # type: ignore[misc]
            async with aiohttp.ClientSession() as client:
                async with client.get(f"http://{host}:{port}/healthz") as response:
                    assert response.status == 200
                async with client.get(f"http://{host}:{port}/readyz") as response:
                    ready = await response.json()
                    assert response.status == 200, ready
            assert ready["migrations_current"] is True
            assert ready["inbox"]["waiting"] == 0 and ready["outbox"]["waiting"] == 0
