"""Onboarding as conversations: every step, for mentees, mentors and coordinators."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker

from conversations.kernel.i18n import LANGUAGES, Translator
from conversations.onboarding import WHO_SEES
from conversations.privacy import NOTICE_VERSION
from storage.models import Conversation, MenteeProfile, MentorProfile, User
from tests.conftest import COORDINATOR
from tests.fakechat import FakeChat
from tests.flows import at_fields_question, onboard_mentee, onboard_mentor, reach_role
from tests.people import coordinator

GREETING = (
    "Welcome to Mentornet! 🌱 We bring together women who are new in Denmark and women who know "
    "Danish working life.\n\nWhich language would you like to use?"
)


async def user_row(sessions: async_sessionmaker, external_id: str = "1001") -> User | None:
    async with sessions() as session:
        return (await session.execute(select(User).where(User.external_id == external_id))).scalar_one_or_none()


async def test_first_contact_greets_in_the_platform_language_and_offers_eight(engine) -> None:
    chat = FakeChat(engine, locale="uk-UA")
    await chat.send("hello")
    assert chat.last.text == Translator("uk")._(GREETING) != GREETING
    assert chat.last.buttons == list(LANGUAGES.values())
    assert chat.last.buttons == ["Dansk", "English", "Українська", "العربية", "فارسی", "ትግርኛ", "Soomaali", "Türkçe"]


async def test_a_language_we_do_not_speak_falls_back_to_english(engine) -> None:
    chat = FakeChat(engine, locale="de")
    await chat.send("/start")
    assert chat.last.text == GREETING


async def test_choosing_a_language_saves_it_and_shows_the_privacy_notice(engine, sessions) -> None:
    chat = FakeChat(engine, locale="en")
    await chat.send("/start")
    picker = chat.last
    await chat.tap("Türkçe")
    assert chat.messages[picker.id].text == "✓ Türkçe"  # the picker closes in place
    tr = Translator("tr")
    assert chat.last.buttons == [tr._("I agree"), tr._("Read more"), tr._("No, thank you")]
    assert (await user_row(sessions)).locale == "tr"


async def test_mentee_onboarding_every_step(engine, sessions) -> None:
    chat = FakeChat(engine, name="Amina")
    await onboard_mentee(chat)
    card = chat.last.text
    for expected in ("Amina", "Aarhus", "IT and Engineering", "Master's degree", "6 to 10 years", "English and Arabic"):
        assert expected in card
    assert "CV and applications and Professional network" in card
    assert "Engineer from Aleppo" in card
    await chat.tap("Confirm")
    assert "Thank you, Amina!" in chat.texts_since(-3)
    assert chat.last.buttons == ["Find a mentor", "Upcoming events", "My profile", "Language", "Help"]

    user = await user_row(sessions)
    assert user.role == "mentee" and user.first_name == "Amina" and user.onboarded_at is not None
    assert user.consent_version == NOTICE_VERSION and user.consent_at is not None
    async with sessions() as session:
        profile = await session.get(MenteeProfile, user.id)
    assert profile.region == "aarhus"
    assert profile.fields == ["it", "eng"]
    assert profile.education == "master" and profile.experience == "6"
    assert profile.languages == ["en", "ar"]
    assert profile.danish == "basic"
    assert profile.goals == ["cv", "network"]
    assert profile.about == "Engineer from Aleppo, mother of two."


async def test_the_short_text_about_herself_can_be_skipped(engine, sessions) -> None:
    chat = FakeChat(engine)
    await onboard_mentee(chat, about=None)
    await chat.tap("Confirm")
    async with sessions() as session:
        profile = await session.get(MenteeProfile, (await user_row(sessions)).id)
    assert profile.about is None


async def test_mentor_onboarding_waits_for_approval(engine, sessions) -> None:
    chat = FakeChat(engine, user_id="2002", name="Mette")
    await onboard_mentor(chat)
    card = chat.last.text
    for expected in ("Software developer", "Danske Bank", "More than 10 years", "Copenhagen area", "In person and Online"):
        assert expected in card
    await chat.tap("Confirm")
    assert "A coordinator will look at your profile soon" in chat.texts_since(-3)
    user = await user_row(sessions, "2002")
    async with sessions() as session:
        profile = await session.get(MentorProfile, user.id)
    assert user.role == "mentor"
    assert profile.status == "pending"
    assert profile.capacity == 2
    assert profile.meeting_modes == ["in_person", "online"]
    assert profile.languages == ["da", "en"]
    await chat.send("/profile")
    assert "Status: waiting for a coordinator's approval" in chat.last.text


async def test_mentor_region_has_no_online_only(engine) -> None:
    chat = FakeChat(engine, user_id="2003")
    await reach_role(chat)
    await chat.tap("I want to be a mentor")
    await chat.send("Mette")
    await chat.send("Nurse")
    await chat.send("Rigshospitalet")
    await chat.tap("Health")
    await chat.tap("Done")
    await chat.tap("2 to 5 years")
    assert "Online only" not in chat.last.buttons and "Funen" in chat.last.buttons


async def test_a_mentee_home_has_no_online_only(engine) -> None:
    chat = FakeChat(engine, user_id="2004")
    await reach_role(chat)
    await chat.tap("I want a mentor")
    await chat.tap("Use “Amina”")
    assert "Online only" not in chat.last.buttons and "Funen" in chat.last.buttons


async def test_editing_a_single_choice_marks_the_current_answer(engine) -> None:
    chat = FakeChat(engine)
    await onboard_mentee(chat)
    await chat.tap("Confirm")
    await chat.send("/profile")
    await chat.tap("✏️ Lives in")
    assert "✓ Aarhus" in chat.last.buttons and "Funen" in chat.last.buttons
    await chat.send("/profile")
    await chat.tap("✏️ Work experience")
    assert [b for b in chat.last.buttons if b.startswith("✓ ")] == ["✓ 6 to 10 years"]


async def test_read_more_then_accept(engine) -> None:
    chat = FakeChat(engine)
    await chat.send("/start")
    await chat.tap("English")
    notice = chat.last
    await chat.tap("Read more")
    assert chat.messages[notice.id].text.startswith("<b>More about your data</b>")
    assert chat.messages[notice.id].buttons == ["I agree", "No, thank you"]
    await chat.tap("I agree")
    assert chat.last.text == "How would you like to take part?"


async def test_declining_stores_nothing_but_the_refusal(engine, sessions) -> None:
    chat = FakeChat(engine, name="Sara")
    await chat.send("/start")
    await chat.tap("English")
    await chat.tap("No, thank you")
    assert "I have stored nothing about you except that you said no" in chat.last.text
    user = await user_row(sessions)
    assert user.declined_at is not None
    assert user.consent_at is None and user.consent_version is None
    assert user.first_name is None and user.role is None
    async with sessions() as session:
        conv = await session.get(Conversation, user.id)
        assert conv.data == {"stack": [{"flow": "main", "step": "declined", "data": {}, "args": {}, "then": None}]}
        assert await session.get(MenteeProfile, user.id) is None
    await chat.send("hello?")
    assert "send /start" in chat.last.text
    await chat.send("/start")
    assert chat.last.buttons == ["I agree", "Read more", "No, thank you"]


async def test_summary_edit_button_changes_one_field_and_returns(engine) -> None:
    chat = FakeChat(engine)
    await onboard_mentee(chat)
    await chat.tap("✏️ Lives in")
    assert chat.last.text == "Where do you live?"
    await chat.tap("Funen")
    assert "<b>Lives in</b>: Funen" in chat.last.text
    assert "Engineer from Aleppo" in chat.last.text  # nothing else changed
    await chat.tap("✏️ First name")
    assert "Keep “Amina”" in chat.last.buttons
    await chat.send("Amira")
    assert "<b>First name</b>: Amira" in chat.last.text


async def test_profile_command_shows_and_edits_the_saved_profile(engine, sessions) -> None:
    chat = FakeChat(engine)
    await onboard_mentee(chat)
    await chat.tap("Confirm")
    await chat.send("/profile")
    assert "<b>Lives in</b>: Aarhus" in chat.last.text
    await chat.tap("✏️ Languages")
    assert "✓ Arabic" in chat.last.buttons and "✓ English" in chat.last.buttons
    await chat.tap("Turkish")
    await chat.tap("Done")
    assert "English, Arabic and Turkish" in chat.last.text
    async with sessions() as session:
        profile = await session.get(MenteeProfile, (await user_row(sessions)).id)
    assert profile.languages == ["en", "ar", "tr"]  # saved at once
    await chat.tap("Done")
    assert chat.last.buttons == ["Find a mentor", "Upcoming events", "My profile", "Language", "Help"]


async def test_profile_before_onboarding_continues_the_questions(engine) -> None:
    chat = FakeChat(engine)
    await reach_role(chat)
    await chat.send("/profile")
    assert "You do not have a profile yet" in chat.history[-2].text
    assert chat.last.text == "How would you like to take part?"


async def test_language_switch_mid_onboarding_keeps_her_place(engine, sessions) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    await chat.send("/language")
    await chat.tap("العربية")
    ar = Translator("ar")
    assert chat.history[-2].text == ar._("From now on I will write to you in English.")
    assert chat.last.text.startswith(ar._("Which professional field is yours?"))
    await chat.tap(ar._("IT"))
    await chat.tap(ar._("Done"))
    assert chat.last.text == ar._("What is your highest education?")
    assert (await user_row(sessions)).locale == "ar"
    await chat.send("/language")
    await chat.tap("English")
    await chat.tap("PhD")
    await chat.tap("None yet")
    await chat.tap("Arabic")
    await chat.tap("Done")
    await chat.tap("Fluent")
    await chat.tap("Job interviews")
    await chat.tap("Done")
    await chat.tap("Skip")
    card = chat.last.text
    assert "Noor" in card and "Aarhus" in card and "<b>Professional field</b>: IT" in card


async def test_multi_select_toggles_in_one_message_edited_in_place(engine) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    question = chat.last
    await chat.tap("Done")
    assert chat.last.id == question.id and "Please choose at least one." in chat.last.text
    await chat.tap("Health")
    await chat.tap("Law")
    await chat.tap("Health")  # untoggle
    assert chat.last.id == question.id
    assert chat.last.reply.edit
    assert "✓ Law" in chat.last.buttons and "Health" in chat.last.buttons and "✓ Health" not in chat.last.buttons
    count = len(chat.messages)
    await chat.tap("Done")
    assert chat.messages[question.id].text.endswith("✓ <b>Law</b>")
    assert len(chat.messages) == count + 1  # only the next question is new


async def test_help_is_written_for_her_role(engine) -> None:
    mentee = FakeChat(engine, user_id="3001")
    await onboard_mentee(mentee)
    await mentee.tap("Confirm")
    await mentee.send("/help")
    assert mentee.last.text.startswith("As a mentee you choose a mentor")
    assert "/profile" in mentee.last.text and "/delete" in mentee.last.text

    mentor = FakeChat(engine, user_id="3002")
    await onboard_mentor(mentor)
    await mentor.send("/help")
    assert mentor.history[-2].text.startswith("As a mentor you help")
    assert mentor.last.text.startswith("<b>Your profile</b>")  # mid-flow, the open question comes back

    newcomer = FakeChat(engine, user_id="3003")
    await newcomer.send("/help")
    assert newcomer.history[-2].text.startswith("I am the Mentornet bot")


async def test_cancel_mid_onboarding_keeps_answers_and_start_resumes(engine) -> None:
    chat = FakeChat(engine)
    await at_fields_question(chat)
    question = chat.last
    await chat.send("/cancel")
    assert "Everything you answered is saved" in chat.last.text
    await chat.tap("IT", message=question)  # the closed question's buttons no longer act
    assert "That question is closed" in chat.history[-2].text
    await chat.send("/cancel")
    await chat.send("/start")
    assert "Welcome back" in chat.history[-2].text
    assert chat.last.text.startswith("Which professional field is yours?")
    await chat.tap("IT")
    await chat.tap("Done")
    assert chat.last.text == "What is your highest education?"


async def test_cancel_in_profile_edit_leaves_profile_unchanged(engine) -> None:
    chat = FakeChat(engine)
    await onboard_mentee(chat)
    await chat.tap("Confirm")
    await chat.send("/profile")
    await chat.tap("✏️ First name")
    await chat.send("/cancel")
    assert "Your saved profile is unchanged" in chat.texts_since(-3)
    await chat.send("/profile")
    assert "<b>First name</b>: Amina" in chat.last.text


async def test_coordinator_from_configuration_skips_the_role_question(engine, sessions) -> None:
    chat = FakeChat(engine, user_id=COORDINATOR, name="Karen")
    await reach_role(chat)
    assert chat.last.text.startswith("What is your first name?")
    await chat.tap("Use “Karen”")
    await chat.tap("Confirm")
    assert "You are registered as a coordinator" in chat.texts_since(-3)
    assert (await user_row(sessions, COORDINATOR)).role == "coordinator"
    await chat.send("/help")
    assert chat.last.text.startswith("As a coordinator")


async def test_delete_removes_everything(engine, sessions) -> None:
    chat = FakeChat(engine)
    await onboard_mentee(chat)
    await chat.tap("Confirm")
    await chat.send("/delete")
    await chat.tap("No, keep my data")
    assert "Nothing was deleted" in chat.texts_since(-2)
    assert await user_row(sessions) is not None
    await chat.send("/delete")
    await chat.tap("Yes, delete everything")
    assert "Everything is deleted" in chat.last.text
    assert await user_row(sessions) is None
    async with sessions() as session:
        assert (await session.execute(select(MenteeProfile))).first() is None
        assert (await session.execute(select(Conversation))).first() is None
    await chat.send("hi")
    assert chat.last.buttons == list(LANGUAGES.values())  # a fresh start


@pytest.mark.parametrize("db_engine", ["sqlite"], indirect=True)
@pytest.mark.parametrize("code", LANGUAGES)
async def test_a_mentor_reads_what_her_card_shows_in_her_language(engine, code: str) -> None:
    chat = FakeChat(engine, locale=code)
    await reach_role(chat, LANGUAGES[code])
    t = Translator(code)
    await chat.tap(t._("I want to be a mentor"))
    notice = t._(WHO_SEES["mentor"])
    assert notice in chat.texts_since(-3)
    assert code == "en" or notice != WHO_SEES["mentor"]  # translated, not the English
    assert "/profile" in notice and "/delete" in notice


async def test_a_coordinators_help_lists_her_commands_not_a_mentees(engine, people) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/help")
    listed = set(re.findall(r"/([a-z_]+) –", karen.history[-2].text + karen.last.text))
    assert {"stats", "pending", "waiting", "broadcast", "profile", "delete"} <= listed
    assert not listed & {"mentors", "mentorship", "write", "meet", "report", "survey", "become_mentor"}
