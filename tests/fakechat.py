"""A chat window in a test: send text, tap buttons by their title, read what the bot shows.

It keeps messages by id like a messenger does: an edit replaces the message whose button was tapped.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from conversations.kernel.engine import Engine
from conversations.kernel.messages import Inbound, Kind, Media, Reply, UserRef

_update_ids = itertools.count(1)


@dataclass
class Shown:
    id: int
    reply: Reply

    @property
    def text(self) -> str:
        return self.reply.text

    @property
    def buttons(self) -> list[str]:
        return self.reply.button_titles()


class FakeChat:
    def __init__(
        self,
        engine: Engine,
        user_id: str = "1001",
        name: str = "Amina",
        locale: str | None = "en",
        network: dict[str, FakeChat] | None = None,
    ) -> None:
        self.engine = engine
        # Everyone's chat windows: a reply addressed to someone else lands in hers.
        self.network = network if network is not None else {}
        self.network[user_id] = self
        self.ref = UserRef("test", user_id, user_id)
        self.name = name
        self.locale = locale
        self.messages: dict[int, Shown] = {}
        self.history: list[Shown] = []  # every reply in order, edits included
        self._ids = itertools.count(1)
        self.taps = 0

    # -- acting ------------------------------------------------------------------------------------------
    async def send(self, text: str, *, update_id: int | None = None) -> list[Reply]:
        kind = Kind.COMMAND if text.startswith("/") else Kind.TEXT
        return await self._deliver(Inbound(self.ref, kind, text=text, **self._common(update_id)), None)

    async def send_media(self, kind: str, ref: str, name: str = "", caption: str = "") -> list[Reply]:
        inbound = Inbound(self.ref, Kind.MEDIA, text=caption, media=Media(kind, ref, name), **self._common(None))
        return await self._deliver(inbound, None)

    async def send_unsupported(self, what: str = "sticker") -> list[Reply]:
        return await self._deliver(Inbound(self.ref, Kind.UNSUPPORTED, text=what, **self._common(None)), None)

    async def tap(self, title: str, *, message: Shown | None = None) -> list[Reply]:
        """Tap the button with this title on the newest message that has it; failing that, the one whose title
        ends with it (so "Confirm" finds "✅ Confirm")."""
        shown_messages = [message] if message else list(reversed(self.messages.values()))
        for matches in (lambda t: t == title, lambda t: t.endswith(title)):
            for shown in shown_messages:
                for row in shown.reply.buttons:
                    for button in row:
                        if matches(button.title):
                            return await self.press(button.payload, message=shown)
        raise AssertionError(f"no button {title!r}; on screen: {self.all_buttons()}")

    async def press(self, payload: str, *, message: Shown | None = None, update_id: int | None = None) -> list[Reply]:
        self.taps += 1
        message_id = str(message.id) if message is not None else None
        inbound = Inbound(self.ref, Kind.BUTTON, payload=payload, message_id=message_id, **self._common(update_id))
        return await self._deliver(inbound, message)

    def _common(self, update_id: int | None) -> dict:
        return {
            "display_name": self.name,
            "locale_hint": self.locale,
            "update_id": next(_update_ids) if update_id is None else update_id,
        }

    async def _deliver(self, inbound: Inbound, pressed: Shown | None) -> list[Reply]:
        replies = await self.engine.handle(inbound)
        for reply in replies:
            if reply.to is not None and reply.to.user_id != self.ref.user_id:
                route(self.network, reply)
                continue
            if reply.edit and pressed is not None:
                shown = Shown(pressed.id, reply)
            else:
                assert not reply.edit, "an edit without a pressed message"
                shown = Shown(next(self._ids), reply)
            self.messages[shown.id] = shown
            self.history.append(shown)
        return replies

    def receive(self, reply: Reply) -> None:
        """A message the bot sends her on its own (a request card, a relayed message, a reminder), or a rewrite
        of one she has (a progress message)."""
        if reply.replace is not None:
            assert int(reply.replace) in self.messages, f"a rewrite of message {reply.replace}, which she does not have"
            shown = Shown(int(reply.replace), reply)
        else:
            shown = Shown(next(self._ids), reply)
        self.messages[shown.id] = shown
        self.history.append(shown)

    # -- reading -----------------------------------------------------------------------------------------
    @property
    def last(self) -> Shown:
        return self.history[-1]

    def all_buttons(self) -> list[str]:
        return [t for shown in self.messages.values() for t in shown.buttons]

    def texts_since(self, n: int) -> str:
        return "\n---\n".join(s.text for s in self.history[n:])


def route(network: dict[str, FakeChat], reply: Reply) -> None:
    assert reply.to is not None and not reply.edit
    chat = network.get(reply.to.user_id)
    if chat is None:
        raise AssertionError(f"a message for {reply.to.user_id}, who has no chat in this test: {reply.text!r}")
    chat.receive(reply)
