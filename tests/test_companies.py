"""Partner companies: one per name whatever the case and spacing, renamed, merged and retired, and the count in
/stats follows; a database with names registered twice upgrades without losing a mentor's tag."""

from __future__ import annotations

from alembic import command
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from storage import indicators
from storage.companies import company_by_code
from storage.db import alembic_config
from storage.models import Company, MentorProfile
from tests.fakechat import FakeChat
from tests.people import add_mentor, coordinator, user_id


async def company_rows(sessions) -> list[tuple[str, bool]]:  # type: ignore[no-untyped-def]
    async with sessions() as session:
        rows = (await session.execute(select(Company).order_by(Company.id))).scalars().all()
        return [(c.name, c.retired_at is not None) for c in rows]


async def test_the_same_name_twice_is_one_company(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/company add Acme")
    link = karen.last.text.splitlines()[-1]
    await karen.send("/company add  acme ")
    assert karen.last.text == f"Acme is registered already. Its join link:\n{link}"
    await karen.send("/company add ACME")
    assert await company_rows(sessions) == [("Acme", False)]
    async with sessions() as session:
        assert (await indicators.compute(session, indicators.Scope(year=None))).companies == 1


async def test_rename_merge_and_retire(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/company add Acme")
    await karen.send("/company add Novo Nordisk")
    novo_link = karen.last.text.splitlines()[-1]
    await karen.send("/company add Old Partner")
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    mette_id = await user_id(sessions, "m-1")
    async with sessions() as session, session.begin():
        acme = (await session.execute(select(Company).where(Company.name == "Acme"))).scalar_one()
        (await session.get(MentorProfile, mette_id)).company_id = acme.id

    await karen.send("/company")
    acme_card = next(s for s in karen.history if s.text.startswith("Acme: 1 mentor"))
    assert acme_card.buttons == ["✏️ Rename", "🔀 Merge", "🗄 Retire"]
    await karen.tap("✏️ Rename", message=acme_card)
    await karen.send("novo  NORDISK")
    assert karen.last.text == "Novo Nordisk is registered already. Merge the two instead."
    await karen.send("Acme Denmark")
    assert "Acme is now called Acme Denmark." in karen.texts_since(-3)

    await karen.tap("🔀 Merge", message=acme_card)
    await karen.tap("Novo Nordisk")
    assert karen.last.text == "Acme Denmark is merged into Novo Nordisk."
    async with sessions() as session:
        mette = await session.get(MentorProfile, mette_id)
        novo = (await session.execute(select(Company).where(Company.name == "Novo Nordisk"))).scalar_one()
        assert mette.company_id == novo.id  # her tag moved with the merge
    await karen.tap("🔀 Merge", message=acme_card)  # the merged company's old card
    assert "That question is closed" in karen.texts_since(-2) or "no longer" in karen.texts_since(-2)

    await karen.send("/company")
    old = next(s for s in reversed(karen.history) if s.text.startswith("Old Partner"))
    await karen.tap("🗄 Retire", message=old)
    await karen.tap("Yes, retire it")
    assert "Old Partner is retired." in karen.texts_since(-3)
    await karen.send("/company")
    listed = karen.texts_since(-2)
    assert "Novo Nordisk: 1 mentor" in listed and "Old Partner" not in listed and "Acme" not in listed
    async with sessions() as session:
        assert (await indicators.compute(session, indicators.Scope(year=None))).companies == 1

    # The merged company's old link leads to the one it joined; a retired company's link tags nobody.
    async with sessions() as session:
        old_partner = (await session.execute(select(Company).where(Company.name == "Old Partner"))).scalar_one()
        assert (await company_by_code(session, acme.code)).name == "Novo Nordisk"
        assert await company_by_code(session, old_partner.code) is None
        assert novo_link.endswith(novo.code)
    async with sessions() as session:
        audit_rows = (await session.execute(text("SELECT action FROM audit_log ORDER BY id"))).scalars().all()
    assert audit_rows[-3:] == ["rename_company", "merge_company", "retire_company"]


async def test_non_coordinators_cannot_change_companies(engine, people, sessions) -> None:
    karen = await coordinator(engine, people)
    await karen.send("/company add Acme")
    amina = FakeChat(engine, user_id="1001", name="Amina", network=people)
    async with sessions() as session:
        acme = (await session.execute(select(Company))).scalar_one()
    await amina.press(f"co:rt:{acme.id}")
    assert amina.last.text == "Only coordinators can do this."


async def _alembic(db_engine, verb: str, revision: str) -> None:  # type: ignore[no-untyped-def]
    def run(conn: Connection) -> None:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        getattr(command, verb)(cfg, revision)

    async with db_engine.begin() as conn:
        await conn.run_sync(run)


async def test_names_registered_twice_before_upgrade_keep_their_mentors(db_engine, sessions) -> None:
    await add_mentor(sessions, "m-1", "Mette", languages=("en",))
    await _alembic(db_engine, "downgrade", "0011")
    async with db_engine.begin() as conn:
        for number, name in enumerate(("Acme", "acme ", "ACME  A/S"), 1):
            await conn.execute(
                text("INSERT INTO companies (id, name, code, created_at) VALUES (:id, :name, :code, CURRENT_TIMESTAMP)"),
                {"id": number, "name": name, "code": f"c{number}"},
            )
        await conn.execute(text("UPDATE mentor_profiles SET company_id = 2"))
    await _alembic(db_engine, "upgrade", "head")
    async with sessions() as session:
        keys = (await session.execute(select(Company.key).order_by(Company.id))).scalars().all()
        assert keys == ["acme", "acme#2", "acme a/s"]
        mentor = (await session.execute(select(MentorProfile))).scalar_one()
        assert mentor.company_id == 2  # the upgrade copied no table: her tag is where it was
