"""The web pages: home, match, rankings, team and live, rendered from the JSON views.

Every page calls the same view function as its JSON endpoint (:mod:`heartbreak.api.routes`,
:mod:`heartbreak.api.live`) with the same query model, and the page carries that exact JSON in a
``<script type="application/json" id="state">`` block, which the page's script draws. So a page
and ``/api/...`` can never tell different stories. Every asset is served from ``/static``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ValidationError

from heartbreak.api import live as live_views
from heartbreak.api import routes as views
from heartbreak.data.sources import ATTRIBUTION_SHORT
from heartbreak.data.store import RANKED_METRICS

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

#: Rankings a home page shows: (metric, title).
HOME_LISTS = (
    ("heartbreak", "Most heartbreaking World Cup matches"),
    ("comeback", "Greatest World Cup comebacks"),
)
HOME_COMPETITION = "FIFA World Cup"


def _pct(value: Any) -> str:
    if value is None:
        return "–"
    return f"{100 * float(value):.0f}%"


def _num(value: Any) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value)


def _score(record: dict[str, Any]) -> str:
    score = record.get("score") or {}
    return f"{score.get('home', '?')}–{score.get('away', '?')}"


templates.env.filters.update(pct=_pct, num=_num, score=_score)


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
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def error_page(request: Request, status: int, message: str, headers=None) -> HTMLResponse:
    """An error as a page, for a browser asking for one outside ``/api``."""
    response = _render(
        request, "error.html", status_code=status, title=f"{status}", status=status, message=message
    )
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


def mount_pages(app) -> None:
    """Add the pages, the static assets and the HTML error page to an app."""
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR)), name="static")
    app.include_router(pages_router)
    app.state.error_page = error_page


# --- pages -------------------------------------------------------------------------------


@pages_router.get("/")
def home(request: Request) -> HTMLResponse:
    """Search the matches; the most heartbreaking and the greatest comebacks."""
    session = views.get_session(request)
    q = _form(views.MatchQuery, request)
    searched = any(value.strip() for value in request.query_params.values())
    results = views.matches(session, q) if searched else None
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
        q=q,
        results=results,
        lists=lists,
        competition=HOME_COMPETITION,
    )


@pages_router.get("/matches/{match_id}")
def match(request: Request, match_id: Annotated[int, PathParam()]) -> HTMLResponse:
    """A match: the chart, both sides' emotions, the story, drama and context."""
    q = _form(views.ReplayQuery, request)
    return _match_page(request, views.replay_state(views.get_session(request), match_id, q.side))


def _match_page(request: Request, state: dict[str, Any]) -> HTMLResponse:
    """The match page of a replay's JSON, or of a live match's state (its ``live`` block)."""
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


@pages_router.get("/live")
def live_index(request: Request) -> HTMLResponse:
    """Every live match on this server."""
    return _render(
        request, "live_index.html", title="Live", matches=live_views.get_live(request).list()
    )


@pages_router.get("/live/{live_id}")
def live_match(request: Request, live_id: Annotated[str, PathParam()]) -> HTMLResponse:
    """A live match: the match page, redrawn on every update of its event stream."""
    # The state that GET /api/live/{id} encodes.
    return _match_page(request, live_views.get_live(request).state(live_id))
