"""Operations on the serving models: ``POST /admin/reload`` swaps in the latest artefacts
(permission ``models:reload``: the admin role only)."""

from __future__ import annotations

from fastapi import APIRouter

from api.deps import Ctx, ModelReloader
from api.schemas import Reload

router = APIRouter(tags=["operations"])


@router.post("/admin/reload")
def reload(ctx: Ctx, _: ModelReloader) -> Reload:
    """Load the latest trained models and swap them in atomically. A missing or broken artefact
    leaves the running models serving; the answer says which models serve and why not. A model
    trained on another graph (its fingerprint does not match this one) is refused with 409
    E610, and the running models keep serving."""
    swap = getattr(ctx.provider, "reload", None)
    if swap is None:  # not a 5xx: nothing is broken, there is just nothing to reload
        error = "this server serves stored scores only: `cartograph serve` loads models"
        return Reload(reloaded=False, models=ctx.provider.status(), error=error)
    ok, error = swap()
    refused = getattr(ctx.provider, "refused", None)
    if not ok and refused is not None:  # a model for another graph: 409 E610, old ones serve
        raise refused
    return Reload(reloaded=ok, models=ctx.provider.status(), error=error)
