"""`skinbot weights fetch`: MedGemma from the Hugging Face hub (`--gguf`: as GGUF for llama.cpp);
`--classifier [URL|PATH]` for the classifier. `skinbot weights convert --gguf`: a local MedGemma snapshot to
GGUF.

Settings are read once (no Telegram token needed) for the default destinations. The hub's address and token
are huggingface_hub's own settings (HF_ENDPOINT; HF_TOKEN or `hf auth login`). Every known failure is one
line on stderr and exit status 2; an interrupted download says how to resume it.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from skinbot.cli_failure import fail
from skinbot.settings import Settings

DEFAULT_LLM_DIR = Path("weights/medgemma-4b-it")
DEFAULT_GGUF_DIR = Path("weights/medgemma-4b-it-gguf")
QUANT_CHOICES = ("q4_k_m", "q8_0", "bf16")  # inference.gguf_convert.QUANTS, without importing numpy here


def add_commands(sub: argparse._SubParsersAction) -> None:
    weights = sub.add_parser("weights", help="get the model weights").add_subparsers(
        dest="weights", required=True
    )
    fetch = weights.add_parser(
        "fetch",
        help="download MedGemma (or install a classifier with --classifier) and check that it loads",
        description=(
            "Without --classifier: download google/medgemma-4b-it into SKINBOT_LLM (default "
            "weights/medgemma-4b-it), resuming an earlier partial run, and check that it loads. "
            "With --classifier and no argument: print how to train a classifier. With --classifier "
            "URL|PATH: install that checkpoint into SKINBOT_CLASSIFIER (default weights/skin-cls.pt) "
            "once it verifies; a URL must be https (plain http only to a loopback address) and needs "
            "--sha256."
        ),
    )
    fetch.add_argument(
        "--classifier",
        nargs="?",
        const="",
        default=None,
        metavar="URL|PATH",
        help="the skin classifier instead of MedGemma: a checkpoint URL or file to install, or nothing to "
        "print the training steps",
    )
    fetch.add_argument(
        "--sha256",
        default=None,
        metavar="HEX",
        help="--classifier: the checkpoint's SHA-256, which it must match before it is read (a URL needs it)",
    )
    fetch.add_argument(
        "--sidecar-sha256",
        default=None,
        metavar="HEX",
        help="--classifier URL: also fetch the calibration sidecar beside it (.json), which must match this",
    )
    fetch.add_argument("--out", type=Path, default=None, help="destination (default: from the settings)")
    fetch.add_argument("--revision", default="main", help="MedGemma: a branch, tag or commit (default main)")
    fetch.add_argument(
        "--full-check",
        action="store_true",
        help="MedGemma: also load the whole model with transformers (needs about 9 GB of free memory, "
        "the size of the weights)",
    )
    fetch.add_argument(
        "--gguf",
        action="store_true",
        help="MedGemma as GGUF for llama.cpp (a quantized model and its mmproj projector) from --repo, into "
        f"--out (default {DEFAULT_GGUF_DIR})",
    )
    fetch.add_argument(
        "--quant", choices=QUANT_CHOICES, default="q4_k_m", help="--gguf: the quantization (default q4_k_m)"
    )
    fetch.add_argument("--repo", default=None, help="--gguf: the hub repository (default: weights/README.md)")
    fetch.set_defaults(func=run_fetch)
    convert = weights.add_parser(
        "convert",
        help="convert a local MedGemma snapshot to GGUF for llama.cpp",
        description=(
            "Convert a google/medgemma-4b-it snapshot (e.g. from `skinbot weights fetch`) into DEST: a text "
            "model quantized with llama.cpp (Q4_K_M by default) and its vision projector mmproj-*-f16.gguf. "
            "Needs the llama extra (pip install 'skinbot[llama]')."
        ),
    )
    convert.add_argument("--gguf", action="store_true", required=True, help="to GGUF (the only format)")
    convert.add_argument("--quant", choices=QUANT_CHOICES, default="q4_k_m", help="default q4_k_m")
    convert.add_argument(
        "--vocab-from",
        type=Path,
        default=None,
        metavar="GGUF",
        help="take the vocabulary from this Gemma 3 GGUF (for a snapshot without tokenizer.model)",
    )
    convert.add_argument("src", type=Path, help="the snapshot folder (config.json, *.safetensors)")
    convert.add_argument("dest", type=Path, help="the folder to write the two .gguf files into")
    convert.set_defaults(func=run_convert)


def run_fetch(args: argparse.Namespace) -> int:
    from inference.weights_errors import WeightsError

    settings = Settings.from_env(telegram=False)
    try:
        if args.classifier is None:
            if args.sha256 is not None or args.sidecar_sha256 is not None:
                return fail("--sha256 and --sidecar-sha256 pin a classifier: use them with --classifier")
            return _fetch_gguf(args) if args.gguf else _fetch_medgemma(args, settings)
        if args.gguf:
            return fail("--gguf fetches MedGemma: leave out --classifier")
        return _fetch_classifier(args, settings)
    except WeightsError as exc:
        return fail(str(exc))
    except KeyboardInterrupt:
        print(
            "skinbot: interrupted; what was downloaded is kept: run the same command again to resume",
            file=sys.stderr,
        )
        return 130


def _fetch_medgemma(args: argparse.Namespace, settings: Settings) -> int:
    from huggingface_hub import get_token
    from transformers.utils import logging as transformers_logging

    from inference.weights_errors import access_lines
    from inference.weights_fetch import MEDGEMMA_REPO, fetch_model

    _quiet_hub()
    transformers_logging.set_verbosity_error()  # its load notices too
    dest = args.out or (DEFAULT_LLM_DIR if settings.llm_is_url else Path(settings.llm))
    for line in access_lines(MEDGEMMA_REPO, token_found=get_token() is not None):
        print(line)
    report = fetch_model(MEDGEMMA_REPO, dest, revision=args.revision, full_check=args.full_check)
    print(f"ok: {report.check}")
    print(f"{dest} holds {MEDGEMMA_REPO} at commit {report.commit[:12]}; SKINBOT_LLM={dest} uses it")
    return 0


def _quiet_hub() -> None:
    from huggingface_hub.utils import logging as hf_logging

    hf_logging.set_verbosity_error()  # its retry warnings would bury our lines; failures still raise


def _fetch_gguf(args: argparse.Namespace) -> int:
    from huggingface_hub import get_token

    from inference.gguf_fetch import MEDGEMMA_GGUF_REPO, find_gguf_pair, gguf_plan
    from inference.weights_fetch import fetch_model

    _quiet_hub()
    repo = args.repo or MEDGEMMA_GGUF_REPO
    dest = args.out or DEFAULT_GGUF_DIR
    found = "a token was found" if get_token() is not None else "no token was found"
    print(f"{repo}: MedGemma 4B as GGUF ({args.quant}); a token is sent if one is set ({found})")
    report = fetch_model(repo, dest, revision=args.revision, plan=gguf_plan(args.quant))
    print(f"ok: {report.check}")
    print(f"{dest} holds {repo} at commit {report.commit[:12]}")
    print(f"to use it: SKINBOT_LLM={find_gguf_pair(dest).model}")  # the pair the check just read
    return 0


def run_convert(args: argparse.Namespace) -> int:
    from inference.weights_errors import WeightsError

    if not (args.src / "config.json").is_file():
        return fail(f"{args.src} is not a model snapshot (no config.json)")
    if args.vocab_from is not None and not args.vocab_from.is_file():
        return fail(f"--vocab-from {args.vocab_from}: no such file")
    try:
        from inference.gguf_convert import convert_gemma3
    except ImportError as exc:
        return fail(f"converting needs the gguf package ({exc.name}): pip install 'skinbot[llama]'")
    try:
        pair = convert_gemma3(args.src, args.dest, quant=args.quant, vocab_gguf=args.vocab_from)
    except (WeightsError, ValueError, FileNotFoundError, RuntimeError) as exc:
        return fail(str(exc))
    print(f"ok: {pair.model}")
    print(f"ok: {pair.mmproj}")
    print(f"to use it: SKINBOT_LLM={pair.model}")
    return 0


def _fetch_classifier(args: argparse.Namespace, settings: Settings) -> int:
    from inference.classifier_fetch import classifier_steps, install_classifier

    dest: Path = args.out or settings.classifier
    if not args.classifier:
        print(
            "There is no public skin classifier checkpoint we can vouch for: train one (weights/README.md):"
        )
        print("  1. put the six-class image set in data/raw/ (one folder per class)")
        for number, step in enumerate(classifier_steps(dest), 2):
            print(f"  {number}. {step}")
        print(
            "Or install a checkpoint you have: skinbot weights fetch --classifier PATH "
            f"(or https://... --sha256 HEX) --out {dest}"
        )
        return 0
    summary = install_classifier(
        args.classifier, dest, sha256=args.sha256, sidecar_sha256=args.sidecar_sha256
    )
    print(f"ok: {summary}")
    print(f"installed {dest}; SKINBOT_CLASSIFIER={dest} uses it")
    return 0
