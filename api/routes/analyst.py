"""The named analyst queries: list them, run one with typed parameters. There is no endpoint for
arbitrary Cypher: only files under ``cypher/queries/`` run, read-only, with timeout and row cap."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from api.deps import AnalystKey, Ctx
from api.errors import NotFound
from api.reads import read
from api.schemas import ParamOut, QueryOut, QueryResult, QueryRun
from cartograph.errors import InvalidInputError
from cypher.spec import QuerySpec, SpecError, bind

router = APIRouter(prefix="/analyst", tags=["analyst"])
QueryName = Annotated[str, Path(pattern=r"^[a-z_][a-z0-9_]{0,63}$", description="a query's name")]


def _describe(spec: QuerySpec) -> QueryOut:
    params = [
        ParamOut(
            name=p.name, type=p.type, required=p.required, default=p.default,
            minimum=p.minimum, maximum=p.maximum, doc=p.doc,
        )
        for p in spec.params
    ]  # fmt: skip
    return QueryOut(
        name=spec.name,
        purpose=spec.purpose,
        params=params,
        columns=list(spec.returns),
        example=spec.example,
    )


@router.get("/queries")
def list_queries(ctx: Ctx, _: AnalystKey) -> list[QueryOut]:
    """Every named query with its purpose, typed parameters and columns."""
    return [_describe(s) for s in ctx.queries.values()]


@router.post("/queries/{name}")
def run_query(name: QueryName, run: QueryRun, ctx: Ctx, _: AnalystKey) -> QueryResult:
    """Run one named query; parameters are checked against its header before Neo4j sees them."""
    spec = ctx.queries.get(name)
    if spec is None:
        raise NotFound(f"no analyst query named {name!r}; see GET /analyst/queries")
    try:
        params = bind(spec, run.params)
    except SpecError as exc:
        raise InvalidInputError(str(exc)) from exc
    cap = ctx.settings.api.row_limit
    if run.limit is not None and run.limit > cap:
        raise InvalidInputError(f"limit must be <= {cap}")
    limit = run.limit or cap
    result = read(
        ctx.driver, ctx.settings.neo4j.database, spec.text, params,
        ctx.settings.api.query_timeout_s, limit,
    )  # fmt: skip
    return QueryResult(
        name=name, columns=result.columns, rows=result.rows, truncated=result.truncated,
        row_limit=limit,
    )  # fmt: skip
