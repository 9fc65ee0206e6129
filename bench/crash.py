"""A real bot process killed with SIGKILL again and again under load, and a database outage, counted.

Sixteen women in eight mentorships relay numbered messages through the bot (about 8 a second) while the process
is killed at random moments and started again; optionally PostgreSQL is cut off behind a TCP proxy for a while in
the middle. At the end every message must have reached the partner once and every sender have her "✓ Sent".

    .venv/bin/python bench/crash.py [--kills 24] [--outage 30] [--database-url postgresql://...] [--modes polling webhook]

Without --database-url it runs on a temporary SQLite file (polling only: SQLite serves one process).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text

from storage.db import make_engine
from tests.crashload import run


async def main(url: str | None, modes: list[str], kills: int, outage: float) -> None:
    print(f"{'database':<11}{'mode':<9}{'outage':>7}{'kills':>6}{'messages':>9}{'lost':>6}{'twice':>6}"
          f"{'replies lost':>13}{'sent twice':>11}{'apologies':>10}")  # fmt: skip
    for mode in modes:
        for cut in sorted({0.0, outage}):
            if cut and url is None:
                continue  # an outage needs a network connection to the database
            with tempfile.TemporaryDirectory() as tmp:
                target = url or f"sqlite:///{tmp}/crash.db"
                if url is None and mode == "webhook":
                    continue
                if url is not None:
                    await fresh(url)
                o = await run(target, Path(tmp), mode=mode, kills=kills, outage=cut)
            backend = target.split(":", 1)[0].split("+")[0]
            print(f"{backend:<11}{mode:<9}{cut:>6g}s{o.kills:>6}{o.messages:>9}{o.lost:>6}{o.handled_twice:>6}"
                  f"{o.replies_lost:>13}{o.sent_twice:>11}{o.apologies:>10}", flush=True)  # fmt: skip
            for note in o.notes:
                print("   ", note)


async def fresh(url: str) -> None:
    """An empty schema, so each run starts from the same place."""
    db = make_engine(url)
    async with db.begin() as conn:
        await conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        await conn.execute(text("CREATE SCHEMA public"))
    await db.dispose()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--kills", type=int, default=24)
    parser.add_argument("--outage", type=float, default=30.0, help="seconds the database is unreachable (0: none)")
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--modes", nargs="+", default=["polling", "webhook"], choices=["polling", "webhook"])
    args = parser.parse_args()
    asyncio.run(main(args.database_url, args.modes, args.kills, args.outage))
