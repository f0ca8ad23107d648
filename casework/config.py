"""What a case is, whichever channel it came through: the settings the case services read, and the photo
limits both adapters apply. The composition root builds it from the settings (`skinbot.configs`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from inference.photo_checks import PhotoChecks


@dataclass(frozen=True)
class CaseConfig:
    carcinoma_referral: float  # carcinoma probability that triggers the urgent referral
    retention_days: int  # how long cases, photos and PDFs are kept
    review_reflag_hours: float  # an unanswered review is flagged to its clinic again after this long
    clinic_access: str  # "linked": the clinic of the patient's link, else the open ones; "all": any clinic
    emergency_number: str  # named in the disclaimer and every PDF; "" names none
    max_download_mb: int  # the largest photo accepted
    min_side: int  # the shortest photo side accepted, in pixels
    # The review desk as a Telegram Mini App ({SKINBOT_WEB_URL}/desk/telegram) when SKINBOT_WEB_URL is https,
    # as Telegram requires; "" offers no "Open the review desk" button.
    desk_app_url: str
    # The cheap checks each photo gets as it arrives (and the worker again, last); the root builds them from
    # the quality settings.
    photo_checks: PhotoChecks = field(default_factory=PhotoChecks)
