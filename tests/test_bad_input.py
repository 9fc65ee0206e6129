"""Bad input gets a kind answer in her language and loses nothing she already answered."""

from __future__ import annotations

import html

import pytest

from conversations.kernel.i18n import FSI, PDI, Translator
from tests.fakechat import FakeChat
from tests.flows import at_fields_question, finish_and_read_card, onboard_mentee, reach_role


async def test_free_text_where_buttons_are_expected_asks_again_with_a_hint(engine) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    await chat.send("I work with computers")
    assert "Please use the buttons below." in chat.last.text
    assert "IT" in chat.last.buttons and "Done" in chat.last.buttons
    card = await finish_and_read_card(chat)
    assert "Noor" in card and "Aarhus" in card


async def test_free_text_on_a_single_choice_question(engine) -> None:
    chat = FakeChat(engine)
    await reach_role(chat)
    await chat.send("mentee please")
    assert "Please choose one of the buttons." in chat.history[-2].text
    assert chat.last.buttons == ["I want a mentor", "I want to be a mentor"]


async def test_text_over_the_limit_says_the_limit_and_keeps_the_draft(engine) -> None:
    chat = FakeChat(engine)
    await onboard_mentee(chat, about="x" * 501)
    assert "That is 501 characters; the limit here is 500" in chat.last.text
    assert "Skip" in chat.last.buttons
    await chat.send("y" * 500)
    card = chat.last.text
    assert "y" * 500 in card and "Amina" in card and "Aarhus" in card


async def test_a_name_over_the_limit(engine) -> None:
    chat = FakeChat(engine)
    await reach_role(chat)
    await chat.tap("I want a mentor")
    await chat.send("A" * 41)
    assert "the limit here is 40" in chat.last.text
    await chat.send("   ")
    assert "Please write a few words." in chat.last.text


@pytest.mark.parametrize("what", ["photo", "sticker", "voice", "location", "contact", "document"])
async def test_media_gets_a_kind_text_only_answer(engine, what: str) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    await chat.tap("Law")
    await chat.send_unsupported(what)
    assert chat.history[-2].text == "Sorry, I can only read text and buttons here."
    assert "✓ Law" in chat.last.buttons  # the half-made choice survives
    card = await finish_and_read_card(chat)
    assert "Law and IT" in card or "IT and Law" in card


async def test_media_answer_is_in_her_language(engine) -> None:
    chat = FakeChat(engine, locale="so")
    await chat.send("/start")
    await chat.tap("Soomaali")
    await chat.send_unsupported("voice")
    assert chat.history[-2].text == Translator("so")._("Sorry, I can only read text and buttons here.")


async def test_unknown_command_gets_short_help_and_the_question_again(engine) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    await chat.send("/mentors_now")
    assert chat.history[-2].text.startswith("I do not know that command.")
    assert "/profile" in chat.history[-2].text
    assert chat.last.text.startswith("Which professional field is yours?")


async def test_a_button_from_an_old_message_is_closed(engine) -> None:
    chat = FakeChat(engine)
    await reach_role(chat)
    role_question = chat.last
    await chat.tap("I want a mentor")
    await chat.send("Noor")
    region_question = chat.last
    await chat.tap("Aarhus")
    await chat.tap("Funen", message=region_question)  # pressed again on the old message
    assert chat.history[-2].text == "That question is closed. Here is where we are now:"
    assert chat.last.text.startswith("Which professional field is yours?")
    await chat.tap("I want to be a mentor", message=role_question)
    assert chat.history[-2].text == "That question is closed. Here is where we are now:"
    card = await finish_and_read_card(chat)
    assert "<b>Lives in</b>: Aarhus" in card  # neither stale press changed anything
    assert "I am new in Denmark" not in card


@pytest.mark.parametrize("payload", ["999:aarhus", "x", "", "lang:xx", "5:../../etc", "3:" + "a" * 70])
async def test_forged_buttons_change_nothing(engine, payload: str) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    await chat.tap("Law")
    await chat.press(payload)
    assert "That question is closed" in chat.history[-2].text
    assert "✓ Law" in chat.last.buttons


async def test_forged_value_on_the_open_question(engine) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    seq = chat.last.reply.buttons[0][0].payload.split(":")[0]
    await chat.press(f"{seq}:astronaut")
    assert "That question is closed" in chat.history[-2].text
    await chat.press(f"{seq}:e:name")  # a summary action sent to a different step
    assert "That question is closed" in chat.history[-2].text


@pytest.mark.parametrize("name", ["<b>Zeynep</b>", "Tom & Jerry", "Hana 🌸✨", "زينب", "<i>x</i> & <script>"])
async def test_names_are_shown_exactly_as_typed(engine, name: str) -> None:
    chat = FakeChat(engine, name=name)
    await reach_role(chat)
    await chat.tap("I want a mentor")
    assert f"Use “{name}”" in chat.last.buttons  # button titles are plain text, not markup
    await chat.tap(f"Use “{name}”")
    await chat.tap("Aarhus")
    card = await finish_and_read_card(chat)
    # Shown escaped, and isolated when it would turn the English line around.
    assert f"<b>First name</b>: {Translator('en').value(name)}" in card
    assert html.escape(name, quote=False) in card
    await chat.tap("Confirm")
    assert f"Thank you, {Translator('en').value(name)}!" in chat.texts_since(-3)


async def test_values_are_isolated_in_right_to_left_languages(engine) -> None:
    chat = FakeChat(engine, name="Amina & Co", locale="ar")
    await chat.send("/start")
    await chat.tap("العربية")
    ar = Translator("ar")
    await chat.tap(ar._("I agree"))
    await chat.tap(ar._("I want a mentor"))
    await chat.send("Amina & Co")
    await chat.send("/cancel")
    await chat.send("/start")
    assert chat.last.text == ar._("Where do you live?")
    for title in ("Aarhus", "IT", "Done", "PhD", "None yet", "Done", "Fluent", "Job interviews", "Done", "Skip"):
        if title == "Done" and chat.last.text.startswith(ar._("Which languages do you speak?")):
            await chat.tap(ar.language_name("ar"))
        await chat.tap(ar._(title))
    assert f"{FSI}Amina &amp; Co{PDI}" in chat.last.text
    assert chat.last.text.startswith("<b>" + ar._("Your profile"))


async def test_a_duplicate_update_is_handled_once(engine) -> None:
    chat = FakeChat(engine)
    await reach_role(chat)
    await chat.tap("I want a mentor")
    first = await chat.send("Noor", update_id=777_001)
    again = await chat.send("Nadia", update_id=777_001)
    assert first and again == []
    await chat.tap("Aarhus")
    card = await finish_and_read_card(chat)
    assert "Noor" in card and "Nadia" not in card


async def test_typing_an_options_label_answers_a_single_choice(engine) -> None:
    chat = FakeChat(engine)
    await reach_role(chat)
    await chat.tap("I want a mentor")
    await chat.send("Noor")
    await chat.send("aarhus")
    assert chat.last.text.startswith("Which professional field is yours?")
    await chat.send("IT")  # a multi-select still needs its buttons
    assert "Please use the buttons below." in chat.last.text


async def test_a_nul_byte_is_refused_kindly_and_her_answers_stay(engine) -> None:
    """PostgreSQL cannot store a NUL: refused at the door instead of a failed step and an apology."""
    chat = FakeChat(engine)
    await onboard_mentee(chat, about="Engineer\x00 from Aleppo")
    assert "it has a character I cannot keep" in chat.last.text
    await chat.send("Engineer from Aleppo")
    assert "Engineer from Aleppo" in chat.last.text and "Aarhus" in chat.last.text


@pytest.mark.parametrize(
    "payload",
    [
        "r:acc:99999999999999999999", "m:write:2147483648", "v:ok:99999999999999999999", "e:go:99999999999999999999",
        "ask:99999999999999999999", "m:write:²", "m:write:١", "w:1:99999999999999999999", "r:acc:1\x00",
    ],
)  # fmt: skip
async def test_button_numbers_past_any_id_are_refused_before_a_query(engine, payload: str) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    await chat.tap("Law")
    await chat.press(payload)
    assert "That question is closed" in chat.history[-2].text
    assert "✓ Law" in chat.last.buttons


async def test_a_year_no_button_offers_is_refused(engine, people) -> None:
    from tests.people import coordinator

    karen = await coordinator(engine, people)
    await karen.send("/stats")
    for forged in ("st:y:99999", "st:y:1", "st:r:atlantis"):
        await karen.press(forged)
        assert "That question is closed" in karen.history[-2].text, forged
    await karen.tap("All years")
    assert "Sorry" not in karen.last.text


async def test_a_pair_with_an_ampersand_in_a_name_is_valid_html(engine, people, sessions) -> None:
    from html.parser import HTMLParser

    from sqlalchemy import select

    from storage.models import Mentorship
    from tests.people import coordinator, matched

    karen = await coordinator(engine, people)
    await matched(engine, people, sessions)
    async with sessions() as session:
        m = (await session.execute(select(Mentorship.id))).scalar_one()
    await karen.press(f"ms:{m}")
    text = next(s.text for s in reversed(karen.history) if "Amina" in s.text and "Mette" in s.text)
    assert "Amina &amp; Mette" in text and " & " not in text
    HTMLParser().feed(text)  # and nothing else in it is broken


async def test_writing_to_a_woman_who_blocked_the_bot_says_so(engine, people, sessions) -> None:
    from tests.people import matched

    amina, mette = await matched(engine, people, sessions)
    await engine.set_blocked(mette.ref.platform, mette.ref.user_id, True)
    seen = len(mette.history)
    await amina.send("/write")
    await amina.send("Are we still meeting on Friday?")
    assert "Mette cannot get messages from me right now" in amina.last.text
    assert "✓ Sent" not in amina.last.text and len(mette.history) == seen


def test_a_profile_change_card_never_carries_a_number_the_door_refuses() -> None:
    from conversations.kernel import door
    from storage.profile_changes import fingerprint

    for n in range(5000):
        assert not door.forged(f"pe:ok:12:{fingerprint({'about': f'I help with CVs {n}'})}"), n


async def test_an_inbox_row_no_step_can_read_is_dropped_not_retried_for_ever(engine, sessions) -> None:
    from sqlalchemy import select

    from storage.models import InboxUpdate

    async with sessions() as session, session.begin():
        session.add(InboxUpdate(platform="telegram", update_id=7, user_key="55", payload={"kind": "no such kind"}))
    assert await engine.handle_queued("telegram", "55", None) is None
    async with sessions() as session:
        assert (await session.execute(select(InboxUpdate))).first() is None
