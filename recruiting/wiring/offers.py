"""Offers, their WeCom approval, the EHR hand-off and payroll (``services.offers``)."""

from __future__ import annotations

from dataclasses import dataclass

from ehr_adapter.build import EhrWiring, wire_ehr
from ehr_adapter.config import load_ehr_config
from payroll_bridge.adapters.csv_file import CsvPayroll
from payroll_bridge.handoff import PayrollHandOffSender
from payroll_bridge.packages import CalculatorPackages
from recruiting.infra.private_files import private_dir
from recruiting.services.offers.answers import OfferAnswers
from recruiting.services.offers.approvals import OfferApprovals
from recruiting.services.offers.ehr import EhrSync
from recruiting.services.offers.offers import Offers
from recruiting.services.offers.payroll_data_alerts import PayrollDataAlerts
from recruiting.settings import Settings
from recruiting.wiring.shared import Shared
from wecom_bot.client import WeComClient
from wecom_bot.offer_approval import (
    DEFAULT_MAPPING,
    WeComOfferApprovalSender,
    load_offer_template,
)


@dataclass(frozen=True)
class OffersWiring:
    offers: Offers
    approvals: OfferApprovals
    answers: OfferAnswers
    payroll_alerts: PayrollDataAlerts
    ehr: EhrWiring
    ehr_sync: EhrSync
    approval_sender: WeComOfferApprovalSender
    payroll_sender: PayrollHandOffSender


def wire_offers(shared: Shared) -> OffersWiring:
    settings, queue, zone = shared.settings, shared.queue, shared.settings.timezone
    ehr_config = load_ehr_config(settings.data_dir)
    ehr_sync = EhrSync(queue, ehr_config.report_url)
    approvals = OfferApprovals(ehr_sync, zone, queue)
    packages = CalculatorPackages()
    offers = Offers(packages, approvals, zone)
    return OffersWiring(
        offers=offers,
        approvals=approvals,
        answers=OfferAnswers(queue),
        payroll_alerts=PayrollDataAlerts(packages, shared.effects, zone),
        ehr=wire_ehr(ehr_config, shared.cipher),
        ehr_sync=ehr_sync,
        approval_sender=_offer_approval_sender(settings, shared.wecom, offers),
        payroll_sender=PayrollHandOffSender(_payroll(settings)),
    )


def _offer_approval_sender(
    settings: Settings, wecom: WeComClient, offers: Offers
) -> WeComOfferApprovalSender:
    """``oa/applyevent`` with the company's template mapping: ``<data_dir>/offer_approval.yaml``
    when present, else the packaged one (it fits the sandbox's 录用审批 template)."""
    custom = settings.data_dir / "offer_approval.yaml"
    template = load_offer_template(custom if custom.exists() else DEFAULT_MAPPING)
    return WeComOfferApprovalSender(wecom.approval, template, offers, settings.timezone)


def _payroll(settings: Settings) -> CsvPayroll:
    """New hires for payroll as a CSV that payroll imports (``payroll_bridge.adapters``)."""
    folder = private_dir(settings.data_dir / "payroll")
    return CsvPayroll(folder / "new-hires.csv")
