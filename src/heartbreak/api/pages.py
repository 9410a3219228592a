"""The web pages: home, match, rankings, team and live, rendered from the JSON views.

Every page calls the same view function as its JSON endpoint (:mod:`heartbreak.api.routes`,
:mod:`heartbreak.api.live`) with the same query model, and the page carries that exact JSON in a
``<script type="application/json" id="state">`` block, which the page's script draws. So a page
and ``/api/...`` can never tell different stories. Every asset is served from ``/static``, at a
URL versioned by its content (``static_url('app.css')`` → ``/static/app.css?v=<hash>``), which a
browser may keep for a year; pages themselves are revalidated on every visit.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from pydantic import BaseModel, ValidationError
from starlette.datastructures import QueryParams
from starlette.responses import Response
from starlette.types import Scope

from heartbreak.api import live as live_views
from heartbreak.api import routes as views
from heartbreak.data.sources import ATTRIBUTION_SHORT
from heartbreak.drama.metrics import RANKED_METRICS
from heartbreak.errors import HeartbreakError, NoSuchMatch, UnknownTeam
from heartbreak.serialize import day
from heartbreak.wording import chance_text, ordinal, share_at_top

QueryModel = TypeVar("QueryModel", bound=BaseModel)

WEB = Path(__file__).resolve().parent.parent / "web"
STATIC_DIR = WEB / "static"
templates = Jinja2Templates(directory=str(WEB / "templates"))

pages_router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

#: Drama metrics shown on a match page, with what each measures (see heartbreak.drama.metrics).
METRIC_NOTES = {
    "excitement": "How far the chances moved in all: the Excitement Index (Burke).",
    "surprise": "How much the chances jumped, move by move (Ely, Frankel & Kamenica).",
    "suspense": "How much each coming minute could still change (Ely, Frankel & Kamenica).",
    "shock": "How far beliefs ever stood from the pre-match view (Buraimo et al.).",
    "comeback": "How far down the winner ever was: 1 − its lowest chance.",
    "heartbreak": "The loser's best chance before the decisive blow, weighed by how late it came.",
}

#: What each drama metric measures, in a reader's words, for the method page (/about).
METRIC_EXPLAINED = {
    "heartbreak": "The losing side's best chance of the result that mattered before the blow "
    "that decided the match, weighed by how little time was left to answer it: a 90% chance "
    "lost at the final whistle counts 0.9, the same chance lost with 15 minutes left about a "
    "third of that (e⁻¹), with 45 minutes left 5%. A match without a loser has none.",
    "comeback": "How far down the winner ever was: one minus the lowest chance it had of the "
    "result that mattered. Winning from a 5% chance is a comeback of 0.95.",
    "suspense": "How much each coming minute could still change, added up over the match: the "
    "expected squared move of the chances in the next minute, the suspense of Ely, Frankel & "
    "Kamenica (2015, Journal of Political Economy). High when a goal either way would matter.",
    "surprise": "How much the chances actually jumped, move by move: the length of each move "
    "of the chances, added up (Ely, Frankel & Kamenica 2015, in the square-root form of "
    "Buraimo, Forrest, McHale & Tena 2020). Many goals against the run of play score high.",
    "excitement": "How far the chance lines travelled in all over the match, up and down: the "
    "Excitement Index of win-probability analytics (Burke, 2009).",
    "shock": "How far the chances ever stood from what was expected before kick-off (the "
    "largest total-variation distance; Buraimo et al. 2020). A shock win by a big underdog "
    "scores close to 1.",
}

#: Rankings a home page shows: (metric, title).
HOME_LISTS = (
    ("heartbreak", "Most heartbreaking World Cup matches"),
    ("comeback", "Greatest World Cup comebacks"),
)
HOME_COMPETITION = "FIFA World Cup"


def _pct(value: Any) -> str:
    if value is None:
        return "–"
    return chance_text(float(value))


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _score(record: dict[str, Any]) -> str:
    score = record.get("score") or {}
    return f"{score.get('home', '?')}–{score.get('away', '?')}"


def _team_url(name: Any) -> str:
    """The team page of a team name (every character that could end a path segment quoted)."""
    return "/teams/" + quote(str(name), safe="")


def _thousands(value: Any) -> str:
    return f"{int(value):,}"


def _rank_lines(rank: dict[str, Any] | None) -> tuple[str, str] | None:
    """A metric's rank in words: within the match's competition, then among all matches
    ("3rd of 869 FIFA World Cup matches", "6th of 13,485 matches, top 0.1%")."""
    if not rank or rank.get("rank") is None:
        return None
    overall = f"{ordinal(rank['rank'])} of {rank['of']:,} matches, " + share_at_top(
        rank["rank"], rank["of"]
    )
    if rank.get("competition_rank") is None:
        return overall, ""
    within = (
        f"{ordinal(rank['competition_rank'])} of {rank['competition_of']:,} "
        f"{rank['competition']} matches"
    )
    return within, overall


templates.env.filters.update(
    pct=_pct,
    num=_num,
    score=_score,
    team_url=_team_url,
    thousands=_thousands,
    rank_lines=_rank_lines,
)

#: A versioned asset may be kept for a year: its URL changes whenever its content does.
IMMUTABLE = "public, max-age=31536000, immutable"
#: Pages, and assets asked for without their current version, are revalidated on every use.
REVALIDATE = "no-cache"


def static_versions(directory: Path) -> dict[str, str]:
    """Each file under ``directory`` (by its path relative to it) → a short hash of its
    content, the version in its URL."""
    return {
        path.relative_to(directory).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pass_context
def _static_url(context, name: str) -> str:
    """``/static/<name>?v=<hash of its content>`` (the hashes taken when the app started); a
    file that was not there then gets its plain URL."""
    versions = getattr(context["request"].app.state, "static_versions", {})
    version = versions.get(name)
    return f"/static/{name}?v={version}" if version else f"/static/{name}"


templates.env.globals["static_url"] = _static_url


class VersionedStaticFiles(StaticFiles):
    """The static assets: ``Cache-Control: immutable`` for a year when the URL carries the
    file's current version (``?v=``), ``no-cache`` otherwise."""

    def __init__(self, *, directory: Path, versions: dict[str, str]) -> None:
        super().__init__(directory=str(directory))
        self.versions = versions

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            version = QueryParams(scope.get("query_string", b"")).get("v")
            current = self.versions.get(Path(path).as_posix())
            fresh = version is not None and version == current
            response.headers["cache-control"] = IMMUTABLE if fresh else REVALIDATE
        return response


def _embed(data: Any) -> str:
    """JSON safe inside a ``<script>`` element (no ``</`` can end it early)."""
    text = json.dumps(data, separators=(",", ":"), ensure_ascii=False)
    return text.replace("</", "<\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _form(model: type[QueryModel], request: Request) -> QueryModel:
    """A page's query as the JSON view's query model. A search form sends its empty fields as
    empty strings, which here mean "not given"; errors are the API's 422 (``query.<field>``)."""
    given = {key: value for key, value in request.query_params.items() if value.strip()}
    try:
        return model.model_validate(given)
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from None


def _render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    context.setdefault("attribution", ATTRIBUTION_SHORT)
    context.setdefault("title", "Heartbreak")
    context.setdefault("stages", [s.value for s in views.Stage])
    response = templates.TemplateResponse(request, name, context, status_code=status_code)
    response.headers["cache-control"] = REVALIDATE
    return response


#: What an error page is headed with, by status.
ERROR_TITLES = {
    400: "Not understood",
    404: "Not found",
    405: "Not allowed",
    413: "Too large",
    422: "Not understood",
    500: "Something went wrong",
    503: "Not available",
}


def _url(path: str, params: dict[str, str], **changes: Any) -> str:
    """``path`` with the query ``params`` and ``changes`` (None or "" drops a parameter)."""
    merged = dict(params)
    for key, value in changes.items():
        if value is None or str(value) == "":
            merged.pop(key, None)
        else:
            merged[key] = str(value)
    return path + ("?" + urlencode(merged) if merged else "")


def _given(request: Request) -> dict[str, str]:
    """A page's query as sent, without the empty fields of a search form."""
    return {key: value for key, value in request.query_params.items() if value.strip()}


def _suggestion_links(
    request: Request, field: str | None, suggestions: list[str]
) -> list[tuple[str, str]]:
    """(name, URL) for each name an unknown team's error suggests: the same request with the
    suggestion in place of the misspelt name (a team page, or the query with it replaced)."""
    where, _, key = (field or "").partition(".")
    if where == "path" and key == "team":
        return [(name, _team_url(name)) for name in suggestions]
    if where == "query":
        params = _given(request)
        params.pop("offset", None)
        return [(name, _url(request.url.path, params, **{key: name})) for name in suggestions]
    return []


def _reader_message(request: Request, status: int, message: str, error: Any, field: Any) -> str:
    """An error told to a reader: what was asked for and what is wrong, without the API's
    parameter paths (``path.match_id``) or validator wording."""
    path = request.url.path
    if isinstance(error, NoSuchMatch) or (status == 404 and field == "path.match_id"):
        if path.startswith("/live/"):
            return f"{path}: there is no live match with that id."
        if path.startswith("/matches/"):
            return f"{path}: there is no match with that id."
    if isinstance(error, UnknownTeam):
        return f"There is no team called “{error.name}”."
    if isinstance(error, HeartbreakError):
        return message
    if status == 404:
        return f"{path}: there is no such page."
    if status == 500:
        return "Something went wrong on our side; the server has logged it."
    if status == 422 and field:
        name = str(field).split(".", 1)[-1]
        value = request.query_params.get(name)
        what = f"{name}={value}" if value is not None else name
        detail = message.split(": ", 1)[-1].replace("Input should be", "should be")
        return f"{what}: {detail}"
    return message


def error_page(
    request: Request,
    status: int,
    message: str,
    headers=None,
    *,
    error: Exception | None = None,
    field: str | None = None,
) -> HTMLResponse:
    """An error as a page, for a browser asking for one outside ``/api``: what went wrong in a
    reader's words, the names an unknown team's error suggests as links, links onwards."""
    suggestions = error.suggestions if isinstance(error, UnknownTeam) else []
    response = _render(
        request,
        "error.html",
        status_code=status,
        title=f"{status} {ERROR_TITLES.get(status, 'Error')}",
        status=status,
        heading=ERROR_TITLES.get(status, "Error"),
        message=_reader_message(request, status, message, error, field),
        suggestions=_suggestion_links(request, field, suggestions),
        live=request.url.path.startswith("/live"),
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def mount_pages(app) -> None:
    """Add the pages, the static assets (their versions taken now) and the HTML error page to
    an app."""
    app.state.static_versions = static_versions(STATIC_DIR)
    app.mount(
        "/static",
        VersionedStaticFiles(directory=STATIC_DIR, versions=app.state.static_versions),
        name="static",
    )
    app.include_router(pages_router)
    app.state.error_page = error_page


# --- pages -------------------------------------------------------------------------------


def _page_of(results: dict[str, Any], params: dict[str, str]) -> dict[str, Any]:
    """Where a page of search results stands: first and last match shown (1-based), the total,
    and the previous and next pages' URLs (the same filters), None at either end."""
    total, limit, offset = results["total"], results["limit"], results["offset"]
    shown = len(results["matches"])
    return {
        "first": offset + 1 if shown else 0,
        "last": offset + shown,
        "total": total,
        "previous": _url("/", params, offset=max(offset - limit, 0) or None) if offset else None,
        "next": _url("/", params, offset=offset + limit) if offset + limit < total else None,
    }


#: The search form's label of each field, to name it in an error.
SEARCH_LABELS = {
    "team": "Team",
    "opponent": "Against",
    "competition": "Competition",
    "stage": "Stage",
    "date_from": "From",
    "date_to": "To",
    "order": "Order",
}


def _search(request: Request, session) -> dict[str, Any]:
    """The home page's search: the results and where they stand, or the error that stopped it
    (an invalid field, a misspelt team with its suggestions as links), to show with the form
    filled in as sent."""
    params = _given(request)
    found: dict[str, Any] = {"results": None, "error": None, "suggestions": []}
    try:
        q = _form(views.MatchQuery, request)
    except RequestValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first.get("loc", ()))
        name = field.removeprefix("query.")
        name = SEARCH_LABELS.get(name, name)
        detail = str(first.get("msg", "invalid value")).removeprefix("Value error, ")
        detail = detail.replace("Input should be", "should be")
        found.update(q=None, status=422, error=f"{name}: {detail}")
        return found
    found["q"] = q
    if not params:
        return found
    try:
        results = views.matches(session, q)
    except UnknownTeam as exc:
        key = next((k for k in ("team", "opponent") if params.get(k) == exc.name), "team")
        found.update(
            status=404,
            error=f"There is no team called “{exc.name}”.",
            suggestions=_suggestion_links(request, f"query.{key}", exc.suggestions),
        )
        return found
    teams = [session.store.resolve(name) for name in (q.team, q.opponent) if name]
    competitions = session.store.resolve_competition(q.competition) if q.competition else ()
    found.update(
        results=results,
        page=_page_of(results, params),
        teams=teams,
        competitions=competitions,
        competition_suggestions=(
            _suggestion_links(
                request,
                "query.competition",
                session.store.competition_resolver().suggest(q.competition),
            )
            if q.competition and not competitions
            else []
        ),
    )
    return found


@pages_router.get("/")
def home(request: Request) -> HTMLResponse:
    """Search the matches (newest first, a page at a time); the most heartbreaking and the
    greatest comebacks. A search that cannot run shows the form again with what went wrong."""
    session = views.get_session(request)
    search = _search(request, session)
    lists = [
        (
            metric,
            title,
            views.top(
                session,
                views.TopQuery(metric=views.Metric(metric), competition=HOME_COMPETITION),
            ),
        )
        for metric, title in HOME_LISTS
    ]
    return _render(
        request,
        "home.html",
        status_code=search.get("status", 200),
        form=_given(request),
        orders=[o.value for o in views.Order],
        search=search,
        results=search["results"],
        lists=lists,
        competition=HOME_COMPETITION,
    )


def _match_id(text: str) -> int:
    """A match id from a page's path: anything but a whole number names no match."""
    stripped = text.strip()
    if not stripped.isdigit():
        raise NoSuchMatch(f"no match with id {text!r}")
    return int(stripped)


def _neighbour(row: Any) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "id": int(row["match_id"]),
        "home": row["home"],
        "away": row["away"],
        "date": day(row["date"]),
    }


@pages_router.get("/matches/{match_id}")
def match(request: Request, match_id: Annotated[str, PathParam()]) -> HTMLResponse:
    """A match: the chart, both sides' emotions, the story, drama and context, and the
    competition's previous and next matches."""
    q = _form(views.ReplayQuery, request)
    session = views.get_session(request)
    number = _match_id(match_id)
    around = session.store.match_neighbours(number)
    neighbours = {key: _neighbour(row) for key, row in around.items()}
    # One row says whether the match replays; the record is worked out only when it does not.
    if not bool(session.store.match_row(number)["timeline_complete"]):
        return _record_page(request, views.record_state(session, number), neighbours)
    state = views.replay_state(session, number, q.side)
    return _match_page(request, state, neighbours)


def _record_page(
    request: Request, record: dict[str, Any], neighbours: dict[str, Any]
) -> HTMLResponse:
    """The page of a match whose record lacks goal minutes: the result, the goals listed, the
    pre-match chances, and why there is no minute-by-minute chart."""
    info = record["match"]
    return _render(
        request,
        "record.html",
        title=f"{info['home']} {_score(info)} {info['away']}, {info['date']}",
        record=record,
        record_json=_embed(record),
        neighbours=neighbours,
        tournament=_tournament_link(views.get_session(request), info.get("id")),
    )


def _match_page(
    request: Request, state: dict[str, Any], neighbours: dict[str, Any] | None = None
) -> HTMLResponse:
    """The match page of a replay's JSON, or of a live match's state (its ``live`` block);
    ``neighbours``: the previous and next matches of its competition (none for a live match)."""
    info, live = state["match"], state.get("live")
    title = f"{info['home']} {_score(info)} {info['away']}"
    return _render(
        request,
        "match.html",
        title=f"Live: {title}" if live else f"{title}, {info['date']}",
        state=state,
        state_json=_embed(state),
        notes=METRIC_NOTES,
        live=live,
        server_now_ms=_server_now_ms(request) if live else None,
        neighbours=neighbours or {},
        share=None if live else _share(request, state),
        tournament=None if live else _tournament_link(views.get_session(request), info.get("id")),
    )


def _first_sentence(text: str) -> str:
    head, dot, _ = text.partition(". ")
    return head + "." if dot else text


def _share(request: Request, state: dict[str, Any]) -> dict[str, str]:
    """What sharing a stored match's page needs: its address with the chosen side, the chart
    image's, the embed's, the downloads', and a one-sentence summary for link previews."""
    info = state["match"]
    side = state.get("story_side") or info["away"]
    base = str(request.base_url).rstrip("/")
    query = "?" + urlencode({"side": side})
    page = f"/matches/{info['id']}"
    return {
        "side": side,
        "path": page + query,
        "url": base + page + query,
        "image": base + page + "/chart.png" + query,
        "embed": base + page + "/embed" + query,
        "png": page + "/chart.png" + query,
        "svg": page + "/chart.svg" + query,
        "csv": page + "/timeline.csv" + query,
        "json": f"/api/matches/{info['id']}" + query,
        "description": _first_sentence(state.get("story") or ""),
    }


#: Charts drawn per app, as the JSON replays are kept (see routes.REPLAY_CACHE_SIZE).
CHART_CACHE_SIZE = 128
CHART_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


@lru_cache(maxsize=CHART_CACHE_SIZE)
def _chart_file(session: Any, match_id: int, side: str | None, fmt: str) -> bytes:
    return session.replay_id(match_id, side=side).chart_bytes(fmt)


def _download_name(state: dict[str, Any], ending: str) -> str:
    info = state["match"]
    name = f"{info['date']} {info['home']} v {info['away']}"
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name) + ending


@pages_router.get("/matches/{match_id}/chart.{fmt}")
def chart(request: Request, match_id: Annotated[str, PathParam()], fmt: str) -> Response:
    """The match's chart as a PNG or SVG file (the chart of ``heartbreak story --chart``), as
    the fans of ``?side=`` lived it."""
    if fmt not in CHART_TYPES:
        raise NoSuchMatch(f"{request.url.path}: charts are .png or .svg")
    q = _form(views.ReplayQuery, request)
    session = views.get_session(request)
    number = _match_id(match_id)
    state = views.replay_state(session, number, q.side)
    body = _chart_file(session, number, state["story_side"], fmt)
    return Response(
        body,
        media_type=CHART_TYPES[fmt],
        headers={"content-disposition": f'inline; filename="{_download_name(state, "." + fmt)}"'},
    )


@pages_router.get("/matches/{match_id}/timeline.csv")
def timeline_csv(request: Request, match_id: Annotated[str, PathParam()]) -> Response:
    """Every point of the match's replay with both sides' chances and feelings, as CSV with the
    data attribution in its opening comment lines (as ``heartbreak export timeline``)."""
    from heartbreak.exchange import csv_header

    session = views.get_session(request)
    number = _match_id(match_id)
    replay = session.replay_id(number)
    body = csv_header() + replay.to_frame().to_csv(index=False, lineterminator="\n")
    state = views.replay_state(session, number, None)
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{_download_name(state, ".csv")}"'},
    )


@pages_router.get("/matches/{match_id}/embed")
def embed(request: Request, match_id: Annotated[str, PathParam()]) -> HTMLResponse:
    """The match's chart alone, to put in another page (``<iframe>``), with a link back."""
    q = _form(views.ReplayQuery, request)
    state = views.replay_state(views.get_session(request), _match_id(match_id), q.side)
    return _render(
        request,
        "embed.html",
        title=f"{state['match']['home']} v {state['match']['away']}",
        state=state,
        share=_share(request, state),
    )


METHODOLOGY = WEB / "methodology"


def _markdown_html(name: str) -> str:
    """A methodology file (``web/methodology/*.md``) as HTML, without its title: its links to
    the other file become links within the page, and its headings move down a level."""
    from markdown_it import MarkdownIt

    text = (METHODOLOGY / name).read_text(encoding="utf-8")
    if text.startswith("# "):  # the file's title: the page's section heading stands for it
        text = text.split("\n", 1)[1]
    text = text.replace("(model-card.md)", "(#model-card)").replace("(model.md)", "(#model)")
    html = MarkdownIt("commonmark").enable("table").render(text)
    # A wide table scrolls sideways (app.css): focusable, so a keyboard can scroll it too.
    html = html.replace("<table>", '<table tabindex="0">')
    for level in (3, 2, 1):
        html = html.replace(f"<h{level}>", f"<h{level + 1}>").replace(
            f"</h{level}>", f"</h{level + 1}>"
        )
    return html


@lru_cache(maxsize=1)
def _methodology() -> dict[str, str]:
    return {
        "model": _markdown_html("model.md"),
        "model_card": _markdown_html("model-card.md"),
    }


def _tournament_link(session: Any, match_id: int | None) -> dict[str, str] | None:
    """The page of the tournament a stored match belongs to (None for other matches)."""
    edition = None if match_id is None else session.edition_of_match(int(match_id))
    if edition is None:
        return None
    year = edition.official_year or edition.year
    return {"label": edition.label, "path": f"/tournaments/{quote(edition.competition)}/{year}"}


class TournamentPageQuery(BaseModel):
    model_config = {"extra": "forbid"}
    as_of: views.Day | None = None


@pages_router.get("/tournaments/{competition}/{year}")
def tournament(
    request: Request, competition: Annotated[str, PathParam()], year: Annotated[int, PathParam()]
) -> HTMLResponse:
    """A tournament: the group tables as of a day (default: its first), every team's odds of
    each round and of the title, and how the title odds moved day by day."""
    q = _form(TournamentPageQuery, request)
    session = views.get_session(request)
    data = session.tournament(competition, year, q.as_of, simulations=5_000, seed=0).to_dict()
    t = data["tournament"]
    base = f"/tournaments/{quote(t['competition'])}/{t['year']}"
    edition = session.edition(competition, year)
    days = sorted({f.date for f in edition.fixtures})
    return _render(
        request,
        "tournament.html",
        title=f"{t['competition']} {t['year']}",
        data=data,
        rounds=list(data["forecast"][0]["p_round"]) if data["forecast"] else [],
        base=base,
        days=[d.isoformat() for d in days],
        matches=[
            {
                "id": f.match_id,
                "date": f.date.isoformat(),
                "home": f.home,
                "away": f.away,
                "score": None if not f.played else f"{f.home_score}-{f.away_score}",
                "stage": f.group or f.stage,
            }
            for f in edition.fixtures
        ],
    )


@pages_router.get("/tournaments/{competition}/{year}/odds.{fmt}")
def tournament_chart(
    request: Request,
    competition: Annotated[str, PathParam()],
    year: Annotated[int, PathParam()],
    fmt: str,
) -> Response:
    """How the title odds moved through a tournament, as a PNG or SVG chart."""
    from heartbreak.tournaments.chart import odds_chart_bytes

    session = views.get_session(request)
    odds = session.tournament_odds(competition, year, simulations=1_000, seed=0)
    label = session.edition(competition, year).label
    column = "p_champion" if odds["p_champion"].notna().any() else "p_advance"
    body = odds_chart_bytes(odds, f"{label}: who wins?", fmt, column)
    kind = "image/svg+xml" if fmt == "svg" else "image/png"
    return Response(body, media_type=kind)


@pages_router.get("/about")
def about(request: Request) -> HTMLResponse:
    """How Heartbreak works, in plain words: the model, the feelings, each drama measure, and
    the model card with its figures."""
    from heartbreak.drama.emotions import Emotion, EmotionRule

    return _render(
        request,
        "about.html",
        title="How it works",
        emotions=[(e.value, e.definition, e.positive) for e in Emotion],
        rule=EmotionRule(),
        metrics=METRIC_EXPLAINED,
        methodology=_methodology(),
    )


@pages_router.get("/top")
def rankings(request: Request) -> HTMLResponse:
    """The most dramatic matches by any metric, with the filters of ``heartbreak top``."""
    q = _form(views.TopQuery, request)
    rows = views.top(views.get_session(request), q)
    return _render(
        request,
        "rankings.html",
        title=f"Rankings: {q.metric.value}",
        q=q,
        rows=rows,
        metrics=list(RANKED_METRICS),
    )


@pages_router.get("/teams/{team}")
def team(request: Request, team: Annotated[str, PathParam()]) -> HTMLResponse:
    """A team's most heartbreaking and most joyful matches, knockout record and rating."""
    profile = views.team(views.get_session(request), team)
    return _render(
        request,
        "team.html",
        title=profile["team"],
        profile=profile,
        profile_json=_embed(profile),
    )


#: How many of the most heartbreaking matches the live page suggests when no match is live.
LIVE_SUGGESTIONS = 5


def _server_now_ms(request: Request) -> int:
    """The server's time (ms since the epoch) as the live service keeps it: a live page runs
    its clocks on from the server's time of the clock messages, so it measures its own clock's
    difference from the server's once, when it is made."""
    return round(live_views.get_live(request).now() * 1000)


def _over(listed: dict[str, Any]) -> bool:
    """Whether a listed live match is over: the final whistle has gone, and it is not level
    after extra time waiting for its shootout."""
    return bool(listed["finished"]) and listed["clock"]["pause"] != "shootout_next"


@pages_router.get("/live")
def live_index(request: Request) -> HTMLResponse:
    """Every live match on this server, in play first, updated by the page itself; when none is,
    the most heartbreaking World Cup matches to relive."""
    matches = sorted(live_views.get_live(request).list(), key=_over)
    suggestions = views.top(
        views.get_session(request),
        views.TopQuery(
            metric=views.Metric("heartbreak"), competition=HOME_COMPETITION, limit=LIVE_SUGGESTIONS
        ),
    )
    return _render(
        request,
        "live_index.html",
        title="Live",
        matches=matches,
        matches_json=_embed(matches),
        suggestions=suggestions,
        server_now_ms=_server_now_ms(request),
    )


@pages_router.get("/live/{live_id}")
def live_match(request: Request, live_id: Annotated[str, PathParam()]) -> HTMLResponse:
    """A live match: the match page, redrawn on every update of its event stream."""
    # The state that GET /api/live/{id} encodes.
    return _match_page(request, live_views.get_live(request).state(live_id))
