"""`skinbot diagnose`: the bot's pipeline without Telegram, streaming the report to the terminal."""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from casework.case_messages import classification_text, quality_lines, which_photo_line
from casework.case_pdf import document_for
from casework.translator import Translator
from conversations.domain import BODY_SITES, GENDERS, Language
from conversations.files import new_token
from conversations.intake_state import MAX_PHOTOS
from conversations.photos import PhotoRejected, normalize_photo
from conversations.validation import parse_age
from inference.events import Classified, Done, Event, Failed, JobSpec, Rejected, TextDelta
from inference.triage import triage
from inference.worker import WorkItem
from skinbot.cli_failure import fail
from skinbot.inference_setup import StartupError, build_worker
from skinbot.settings import Settings


def add_command(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        "diagnose", help="run the pipeline on one to three photos and stream the report here"
    )
    parser.add_argument(
        "photos", type=Path, nargs="+", metavar="PHOTO", help="the close-up, then an overview"
    )
    parser.add_argument("--body-site", default=None, choices=BODY_SITES)
    parser.add_argument("--age", required=True)
    parser.add_argument("--gender", required=True, choices=GENDERS)
    parser.add_argument("--history", default=None)
    parser.add_argument(
        "--lang", default=Language.EN, type=Language, choices=list(Language), help="report language"
    )
    parser.add_argument("--name", default="-", help="printed in the PDF only; never given to a model")
    parser.add_argument("--out", type=Path, default=None, help="also write the PDF report here")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    t = Translator()
    age = parse_age(args.age)
    if age is None:
        return fail(f"--age {args.age!r}: {t('en', 'invalid-age', text=args.age)}")
    if len(args.photos) > MAX_PHOTOS:
        return fail(f"at most {MAX_PHOTOS} photos a case")
    settings = Settings.from_env(telegram=False)
    max_bytes = settings.max_download_mb * 1024 * 1024
    jpegs = []
    for photo in args.photos:
        try:
            jpegs.append(normalize_photo(photo.read_bytes(), max_bytes, min_side=settings.min_side))
        except OSError as exc:
            return fail(f"cannot read {photo}: {exc.strerror}")
        except PhotoRejected as rejected:
            return fail(f"{photo}: {t(args.lang, rejected.key, **rejected.params)}")

    worker = build_worker(settings)
    try:
        worker.start().result()
    except Exception as exc:
        raise StartupError(f"models could not be loaded: {exc}") from exc

    outcome: dict[str, Event] = {}
    lang = args.lang

    def show(event: Event) -> None:
        if isinstance(event, Classified):
            outcome["classified"] = event
            level = triage(event.classification, settings.carcinoma_referral)
            print(classification_text(t, lang, event.classification, level) + "\n", flush=True)
        elif isinstance(event, TextDelta):
            sys.stdout.write(event.text)
            sys.stdout.flush()
        elif isinstance(event, Rejected):
            if len(jpegs) > 1:
                print(which_photo_line(t, lang, event.photo, len(jpegs)))
            print("\n".join(quality_lines(t, lang, event.issues)))
            outcome["end"] = event
        elif isinstance(event, Done | Failed):
            outcome["end"] = event

    with tempfile.TemporaryDirectory() as tmp:
        paths = tuple(Path(tmp) / f"photo-{n}.jpg" for n in range(len(jpegs)))
        for path, jpeg in zip(paths, jpegs, strict=True):
            path.write_bytes(jpeg)
        spec = JobSpec(new_token(), 0, paths, age, args.gender, args.history, lang, body_site=args.body_site)
        worker.run([WorkItem(spec, show, time.monotonic() + settings.job_timeout_s)]).result()
    worker.stop()
    print()

    end = outcome.get("end")
    if isinstance(end, Failed):
        reason = t(lang, f"failure-{end.reason}")
        print(t(lang, "report-failed", reason=reason), file=sys.stderr)
        return 1
    if not isinstance(end, Done):
        return 1
    if end.urgency_note is not None:
        # The terminal shows the text as it streamed; the PDF has the corrected line. The note is the last
        # word here, so a contradicting urgency above it does not stand.
        print(f"\n{end.urgency_note}")
    if args.out is not None:
        from casework.pdf import render_pdf

        classified = outcome["classified"]
        assert isinstance(classified, Classified)
        document = document_for(
            case_id=spec.id,
            created_at=datetime.now(UTC),
            language=lang,
            patient_name=args.name,
            age=age,
            gender=args.gender,
            history=args.history,
            photos=jpegs,
            classified=classified,
            done=end,
            carcinoma_referral=settings.carcinoma_referral,
            body_site=args.body_site,
        )
        args.out.write_bytes(render_pdf(document, t, emergency_number=settings.emergency_number))
        print(f"PDF written to {args.out}", file=sys.stderr)
    return 0
