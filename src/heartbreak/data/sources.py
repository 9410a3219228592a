"""Every upstream file Heartbreak reads, pinned by commit and SHA-256, with its licence.

Two public data sets, loaded at run time and never shipped with the package:

- ``international/``: men's international results by Mart Jürisoo,
  https://github.com/martj42/international_results (CC0 1.0), pinned at commit
  65d212aac5deec5157071dcf6e9b05fce0223c84.
- ``worldcup/``: the Fjelstul World Cup Database, https://github.com/jfjelstul/worldcup
  (CC-BY-SA 4.0), folder ``data-csv/``, pinned at commit
  35a8667f518b07469182ae16d35574dd0e7a00fb. Anything derived from it that the project
  publishes (exported tables, charts) must carry :data:`ATTRIBUTION_WORLDCUP` (or
  :data:`ATTRIBUTION_SHORT` where space is short, e.g. a chart footer).

The checksums are those of the reference copy's ``SHA256SUMS``.
"""

from __future__ import annotations

from dataclasses import dataclass

INTERNATIONAL_COMMIT = "65d212aac5deec5157071dcf6e9b05fce0223c84"
WORLDCUP_COMMIT = "35a8667f518b07469182ae16d35574dd0e7a00fb"

INTERNATIONAL_BASE_URL = (
    f"https://raw.githubusercontent.com/martj42/international_results/{INTERNATIONAL_COMMIT}"
)
WORLDCUP_BASE_URL = (
    f"https://raw.githubusercontent.com/jfjelstul/worldcup/{WORLDCUP_COMMIT}/data-csv"
)

LICENCE_INTERNATIONAL = "CC0-1.0"
LICENCE_WORLDCUP = "CC-BY-SA-4.0"

ATTRIBUTION_INTERNATIONAL = (
    "International football results 1872-2026 by Mart Jürisoo, "
    "https://github.com/martj42/international_results, dedicated to the public domain under "
    "CC0 1.0 (https://creativecommons.org/publicdomain/zero/1.0/)"
)
ATTRIBUTION_WORLDCUP = (
    "The Fjelstul World Cup Database, © 2023 Joshua C. Fjelstul, Ph.D., "
    "https://www.github.com/jfjelstul/worldcup, licensed under "
    "https://creativecommons.org/licenses/by-sa/4.0/legalcode"
)
ATTRIBUTION_SHORT = (
    "Data: martj42/international_results (CC0); "
    "The Fjelstul World Cup Database © 2023 Joshua C. Fjelstul (CC BY-SA 4.0)"
)


@dataclass(frozen=True, slots=True)
class Source:
    """One upstream file.

    ``path`` is where the file lives under a data folder (``international/results.csv``);
    ``needed`` says whether building the store reads it (the others are fetched so that a data
    folder is a complete copy of both data sets).
    """

    path: str
    url: str
    sha256: str
    licence: str
    needed: bool

    @property
    def dataset(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def name(self) -> str:
        return self.path.split("/", 1)[1]


def _international(name: str, sha256: str, needed: bool = True) -> Source:
    return Source(
        f"international/{name}",
        f"{INTERNATIONAL_BASE_URL}/{name}",
        sha256,
        LICENCE_INTERNATIONAL,
        needed,
    )


def _worldcup(name: str, sha256: str, needed: bool = False) -> Source:
    return Source(
        f"worldcup/{name}", f"{WORLDCUP_BASE_URL}/{name}", sha256, LICENCE_WORLDCUP, needed
    )


SOURCES: tuple[Source, ...] = (
    _international(
        "former_names.csv", "2d57f59a3ac13b24c2fcf208ced5a38710529d122da38929838d0980b002677e"
    ),
    _international(
        "goalscorers.csv", "e8b9b468e9fe30f1f92e82a66312af980b83fdeb5eb411497097a850748b8815"
    ),
    _international(
        "results.csv", "100afa17b2258ffcc0e9ef9612e374c5349e2b9390ec450b72147d4643c42070"
    ),
    _international(
        "shootouts.csv", "2acdc95fdad14f5f17200150a1a4a5fa6c2ccf57d31c8b4f61a2c7d9c0493113"
    ),
    _worldcup(
        "bookings.csv", "e1c010ce790fc7729392dc51ceafcb75775b4cc2e3ba39b186efbe6ab19f8969", True
    ),
    _worldcup(
        "confederations.csv", "1560c8d8d25c257ae53ba146a06f1fee25b23b07c3cfcff15c5aaabaa40baf30"
    ),
    _worldcup(
        "goals.csv", "4fbe990b7f42bb8af00d1587af09359ecfdb4ee4101bb44fda0eb336fc1e5be3", True
    ),
    _worldcup(
        "group_standings.csv", "3de1d95f81ff47e42517c1c19ba780267f872a9ff73e0ddf3600542e5962d68e"
    ),
    _worldcup("groups.csv", "9c5b27464ff20591cde826922c8687df83ed6a653d10999f9238052a1d746ff8"),
    _worldcup(
        "host_countries.csv", "bac4e724d1e8352208ba59ed91dc314c27f98666ab80366bd954908b59f0a027"
    ),
    _worldcup(
        "matches.csv", "037f718764758e7dda3a2918276f85fa8389af1d50999d2a480c8a6a49408875", True
    ),
    _worldcup(
        "penalty_kicks.csv",
        "cbc58511b92b84b30baf674b20ede84f2bae3813b5d367e5c049e8108f222d9a",
        True,
    ),
    _worldcup(
        "qualified_teams.csv", "7774c395295e4cca9a55b5d4d947b3c6f90b0abe2a984c6b1ba108145b0cad9e"
    ),
    _worldcup("stadiums.csv", "88b1bddb12cdf5abfe640937959dff41877f096f8b32b09c2f3a2614ec22e91c"),
    _worldcup(
        "substitutions.csv", "dd98a991dceaeb966771db3e6f7b28413a76f16be3a1f0c2a99b8c258a3a8e56"
    ),
    _worldcup(
        "team_appearances.csv",
        "10daa069291136fb42e2f93cffbb1f45bfca722f29cf3d24cce4648182b4e013",
    ),
    _worldcup(
        "teams.csv", "a2d5ef96fade3bee9ffd22a28cda6378c6b9fb67f8e99514aa58ec0854d26a66", True
    ),
    _worldcup(
        "tournament_stages.csv",
        "e4a6606907cf7c797dc0d9c7c26f29d8cbe05f02a089b828b6933f3ca10f3024",
    ),
    _worldcup(
        "tournament_standings.csv",
        "a1649d448bb769ee1e808e567e5fdc2c3256267aaf14ff5902e26a5b2a7344ea",
    ),
    _worldcup(
        "tournaments.csv", "906b122d80aae5302486bafa9dfd925378503a2a11de6f5db39d6c4879040ce0"
    ),
)

SOURCES_BY_PATH: dict[str, Source] = {s.path: s for s in SOURCES}
NEEDED_SOURCES: tuple[Source, ...] = tuple(s for s in SOURCES if s.needed)

DATA_HINT = (
    "run `heartbreak data fetch --from DIR` with a folder holding copies of the files, "
    "or set HEARTBREAK_DATA_DIR to a folder with international/ and worldcup/ subfolders"
)
