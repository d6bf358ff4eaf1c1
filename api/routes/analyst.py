"""The named analyst queries: list them, run one with typed parameters. There is no endpoint for
arbitrary Cypher: only files under ``cypher/queries/`` run, read-only, with timeout and row cap.
A query runs on the async driver: while Neo4j works on it (up to the timeout), it holds a pooled
connection and its ``analyst`` slot (``api.concurrency``), no thread."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path

from api.deps import Ctx, QueryRunner
from api.errors import NotFound
from api.reads import read_async
from api.schemas import ParamOut, QueryOut, QueryResult, QueryRun
from cartograph.errors import InvalidInputError
from cypher.spec import QuerySpec, SpecError, bind

router = APIRouter(prefix="/analyst", tags=["analyst"])
QueryName = Annotated[str, Path(pattern=r"^[a-z_][a-z0-9_]{0,63}$", description="a query's name")]


def check_lengths(params: dict[str, Any], max_chars: int) -> None:
    """422 for a string (or a string in a list) longer than ``max_chars``: no key or name is
    that long, and a megabyte of text would only cost Neo4j time."""
    for name, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > max_chars:
                raise InvalidInputError(f"parameter {name!r} is longer than {max_chars} characters")


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
def list_queries(ctx: Ctx, _: QueryRunner) -> list[QueryOut]:
    """Every named query with its purpose, typed parameters and columns."""
    return [_describe(s) for s in ctx.queries.values()]


@router.post("/queries/{name}")
async def run_query(name: QueryName, run: QueryRun, ctx: Ctx, _: QueryRunner) -> QueryResult:
    """Run one named query; parameters are checked against its header before Neo4j sees them."""
    spec = ctx.queries.get(name)
    if spec is None:
        raise NotFound(f"no analyst query named {name!r}; see GET /analyst/queries")
    check_lengths(run.params, ctx.settings.api.max_param_chars)
    try:
        params = bind(spec, run.params)
    except SpecError as exc:
        raise InvalidInputError(str(exc)) from exc
    cap = ctx.settings.api.row_limit
    if run.limit is not None and run.limit > cap:
        raise InvalidInputError(f"limit must be <= {cap}")
    limit = run.limit or cap
    result = await read_async(
        ctx.reader, ctx.driver, ctx.settings.neo4j.database, spec.text, params,
        ctx.settings.api.query_timeout_s, limit,
    )  # fmt: skip
    return QueryResult(
        name=name, columns=result.columns, rows=result.rows, truncated=result.truncated,
        row_limit=limit,
    )  # fmt: skip
