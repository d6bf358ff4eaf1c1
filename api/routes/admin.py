"""Operations on the serving models: ``POST /admin/reload`` swaps in the latest artefacts."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Ctx, ServiceKey
from api.errors import ModelUnavailable
from api.schemas import Reload

router = APIRouter(tags=["operations"])


@router.post("/admin/reload")
def reload(ctx: Ctx, _: ServiceKey) -> Reload:
    """Load the latest trained models and swap them in atomically. A missing or broken artefact
    leaves the running models serving; the answer says which models serve and why not."""
    swap = getattr(ctx.provider, "reload", None)
    if swap is None:
        raise ModelUnavailable("this server serves stored scores only: start it with models")
    ok, error = swap()
    return Reload(reloaded=ok, models=ctx.provider.status(), error=error)
