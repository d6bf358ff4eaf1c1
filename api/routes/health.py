"""Liveness and readiness: ``/health`` says the process answers, ``/ready`` that it can serve."""

from __future__ import annotations

import platform
from importlib.metadata import version

from fastapi import APIRouter
from fastapi.responses import JSONResponse

import cypher
from api.deps import Ctx
from api.errors import EXPECTED
from api.reads import read
from api.schemas import Health, Ready

router = APIRouter(tags=["operations"])


@router.get("/health")
def health() -> Health:
    """Always 200 while the process runs (for a supervisor's liveness probe)."""
    return Health()


@router.get("/ready", response_model=Ready, responses={503: {"model": Ready}})
def ready(ctx: Ctx) -> JSONResponse:
    """200 when Neo4j answers and a model (or stored scores) can serve; 503 with the problems
    otherwise, so a load balancer holds traffic back until both are true. The models on disk
    being trained on another graph (E610, nothing trained for this graph serving) is a problem
    too: stored scores alone would hide that the service runs without its models."""
    problems: list[str] = []
    versions = {"cartograph": version("cartograph"), "python": platform.python_version()}
    neo4j_ok, models = False, {}
    try:
        query = cypher.load("service/server_version")
        rows = read(ctx.driver, ctx.settings.neo4j.database, query, {}, 5.0, 5).rows
        versions.update({f"neo4j ({r['name']})": str(r["version"]) for r in rows})
        neo4j_ok = True
        models = ctx.provider.status()
    except EXPECTED as exc:
        problems.append(str(exc))
    refused = getattr(ctx.provider, "refused", None)
    if refused is not None and not getattr(ctx.provider, "serving_models", True):
        problems.append(str(refused))  # "[E610] model ... was trained on another graph: ..."
    if neo4j_ok and not models:
        problems.append("no model loaded and no stored scores: run `cartograph score`")
    body = Ready(
        ready=not problems, neo4j=neo4j_ok, models=models, versions=versions, problems=problems
    )
    return JSONResponse(body.model_dump(), status_code=200 if body.ready else 503)
