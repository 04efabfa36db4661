"""The HR workbench's pipeline: board, bulk actions, rejections, review, decisions and the
comparison (``services.pipeline``), built on the invitation, booking, offer and EHR use cases
the chat and the API use."""

from __future__ import annotations

from dataclasses import dataclass

from recruiting.services.pipeline.board import PipelineBoard
from recruiting.services.pipeline.bulk import BulkActions
from recruiting.services.pipeline.compare import Comparison
from recruiting.services.pipeline.decisions import Decisions
from recruiting.services.pipeline.pending import PendingReview
from recruiting.services.pipeline.reject import Rejections
from recruiting.services.pipeline.review import ReviewService
from recruiting.wiring.invitations import Invitations
from recruiting.wiring.offers import OffersWiring
from recruiting.wiring.recorded import Recorded
from recruiting.wiring.shared import Shared


@dataclass(frozen=True)
class Pipeline:
    board: PipelineBoard
    bulk: BulkActions
    rejections: Rejections
    review: ReviewService
    decisions: Decisions
    comparison: Comparison
    pending: PendingReview


def wire_pipeline(
    shared: Shared, invitations: Invitations, offers: OffersWiring, recorded: Recorded
) -> Pipeline:
    zone = shared.settings.timezone
    rejections = Rejections(offers.ehr_sync, invitations.booking, shared.effects)
    bulk = BulkActions(recorded.miniapp.links, invitations.booking, rejections)
    return Pipeline(
        board=PipelineBoard(),
        bulk=bulk,
        rejections=rejections,
        review=ReviewService(zone),
        decisions=Decisions(bulk, rejections, offers.offers, shared.effects, zone),
        comparison=Comparison(),
        pending=PendingReview(zone),
    )
