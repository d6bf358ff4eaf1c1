"""Neo4j Browser assets over HTTP, so ``:style <url>`` and ``:play <url>`` can fetch them (CORS
for Browser's origin is set in ``create_app``). Public: they hold no data, only presentation."""

from __future__ import annotations

import html
import re

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, PlainTextResponse

import cypher

router = APIRouter(prefix="/browser", tags=["neo4j browser"])
_QUERY = re.compile(r"\{\{query:([a-z_]+)\}\}")


@router.get("/style.grass", response_class=PlainTextResponse)
def style() -> str:
    """The GraSS style sheet: users, products, orders and identifiers coloured, sized by risk."""
    return (cypher.ROOT / "browser" / "style.grass").read_text()


@router.get("/guide", response_class=HTMLResponse)
def guide(request: Request) -> str:
    """The demo tour as Browser guide slides: find a ring, inspect an order, explain a
    recommendation. The queries are inlined from ``cypher/queries/`` so they never drift."""
    return render_guide((cypher.ROOT / "browser" / "guide.html").read_text(), str(request.base_url))


def render_guide(template: str, base_url: str) -> str:
    """Fill ``{{api}}`` with this server's URL and ``{{query:NAME}}`` with the escaped query."""
    text = template.replace("{{api}}", base_url.rstrip("/"))
    return _QUERY.sub(lambda m: html.escape(cypher.load(f"queries/{m[1]}").strip()), text)
