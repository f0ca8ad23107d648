"""`evaluate` on generated skin of every tone: intervals, calibration, ITA groups, referral curve, the
sidecar, and what `skinbot evaluate` and `skinbot check` print from it."""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path

import pytest
from PIL import Image

from classifier_lab.cli_classifier import EXIT_OK, add_commands
from classifier_lab.evaluation import LeakError, evaluate
from classifier_lab.evaluation_figures import EvaluationReport
from inference.labels import LABELS
from inference.sidecar import GROUP_KEYS, load_sidecar, sidecar_path
from skinbot.check import check_scores
from skinbot.settings import Settings
from tests.classifier.test_tone_hash import brighten

LIGHTER, DARKER = GROUP_KEYS[:3], GROUP_KEYS[3:]


@pytest.fixture(scope="module")
def evaluated(
    tone_weights: Path, tone_split: Path, tmp_path_factory: pytest.TempPathFactory
) -> EvaluationReport:
    """One calibrating, recording evaluation of a copy of the tone weights, shared by the tests below."""
    work = tmp_path_factory.mktemp("evaluated")
    weights = work / "skin-cls.pt"
    shutil.copy2(tone_weights, weights)
    shutil.copy2(sidecar_path(tone_weights), sidecar_path(weights))
    return evaluate(weights, tone_split, out_dir=work / "report", device="cpu", calibrate=True, record=True)


def test_report_folder_holds_markdown_json_and_figures(evaluated: EvaluationReport) -> None:
    folder = Path(evaluated.files["markdown"]).parent
    assert {p.name for p in folder.iterdir()} == {
        "report.md",
        "report.json",
        "confusion_matrix.png",
        "reliability.png",
        "referral_curve.png",
    }
    for name in ("confusion_matrix.png", "reliability.png", "referral_curve.png"):
        with Image.open(folder / name) as png:
            assert png.format == "PNG" and png.width >= 600, name
    data = json.loads((folder / "report.json").read_text())
    assert data["images"] == 144
    assert set(data["headline"]["recall"]) == set(LABELS)
    assert len(data["referral"]["curve"]) == 101


def test_every_headline_figure_has_an_interval(evaluated: EvaluationReport) -> None:
    h = evaluated.headline
    figures = [
        h.accuracy,
        h.balanced_accuracy,
        *h.recall.values(),
        h.carcinoma_sensitivity,
        h.carcinoma_specificity,
    ]
    for interval in figures:
        assert interval.value is not None and interval.low is not None and interval.high is not None
        assert 0.0 <= interval.low <= interval.value <= interval.high <= 1.0
    assert h.accuracy.value == pytest.approx(evaluated.metrics.accuracy)
    assert h.balanced_accuracy.value == pytest.approx(evaluated.metrics.balanced_accuracy)
    assert h.accuracy.high - h.accuracy.low > 0.05  # 144 images cannot pin accuracy down to a few points
    markdown = Path(evaluated.files["markdown"]).read_text()
    assert "| accuracy | " in markdown and "95% percentile bootstrap" in markdown
    assert f"carcinoma sensitivity at referral threshold {h.referral_threshold:.2f}" in markdown


def test_calibration_before_and_after(evaluated: EvaluationReport) -> None:
    c = evaluated.calibration
    assert c.source.startswith("fitted now on") and c.temperature != 1.0
    assert c.ece_before.value is not None and c.ece_after.value is not None
    assert c.ece_after.value < c.ece_before.value
    assert sum(b.count for b in c.bins_before) == sum(b.count for b in c.bins_after) == 144
    markdown = Path(evaluated.files["markdown"]).read_text()
    assert "before (raw model)" in markdown and "![reliability diagram](reliability.png)" in markdown


def test_skin_tone_groups(evaluated: EvaluationReport) -> None:
    """The test split has 36 photos of each lighter tone and 12 of each darker one (per the file names)."""
    groups = {g.group: g for g in evaluated.skin_tones}
    assert list(groups)[:6] == list(GROUP_KEYS)
    for key in LIGHTER:
        assert abs(groups[key].images - 36) <= 3 and groups[key].judged, key
    for key in DARKER:
        assert abs(groups[key].images - 12) <= 3 and not groups[key].judged, key
    assert sum(g.images for g in evaluated.skin_tones) == 144
    for g in evaluated.skin_tones:
        if g.images:
            assert g.accuracy.low is not None and g.accuracy.low <= g.accuracy.value <= g.accuracy.high
            assert g.ece.value is not None
    markdown = Path(evaluated.files["markdown"]).read_text()
    assert markdown.count("(too few to judge)") == 3
    assert "Judged: very light, light, intermediate." in markdown


def test_referral_operating_point(evaluated: EvaluationReport) -> None:
    r = evaluated.referral
    sensitivities = [p.sensitivity for p in r.curve]
    assert sensitivities == sorted(sensitivities, reverse=True)  # a higher threshold never refers more
    assert r.curve[0].sensitivity == 1.0 and r.curve[0].specificity == 0.0
    if r.recommended is not None:
        assert r.recommended.sensitivity >= r.min_sensitivity
        better = [
            p
            for p in r.curve
            if p.sensitivity >= r.min_sensitivity and p.specificity > r.recommended.specificity
        ]
        assert better == []


def test_the_sidecar_records_what_was_measured(evaluated: EvaluationReport) -> None:
    sidecar = load_sidecar(Path(evaluated.weights))
    assert sidecar is not None and evaluated.sidecar == str(sidecar_path(Path(evaluated.weights)))
    assert sidecar.calibration.temperature == pytest.approx(evaluated.calibration.temperature)
    assert sidecar.ood is not None and sidecar.ood.fitted_on.endswith("val")
    assert sidecar.skin_tones is not None and sidecar.skin_tones.judged == LIGHTER
    assert sidecar.skin_tones.counts == {g.group: g.images for g in evaluated.skin_tones}
    recommended = evaluated.referral.recommended
    if recommended is None:
        assert sidecar.referral is None
    else:
        assert (
            sidecar.referral is not None and sidecar.referral.recommended_threshold == recommended.threshold
        )


def test_a_second_evaluation_reads_the_sidecar(
    evaluated: EvaluationReport, tone_split: Path, tmp_path: Path
) -> None:
    again = evaluate(Path(evaluated.weights), tone_split, out_dir=tmp_path / "again", device="cpu")
    assert again.calibration.source.startswith("from the sidecar")
    assert again.calibration.temperature == pytest.approx(evaluated.calibration.temperature)
    assert again.headline.accuracy == evaluated.headline.accuracy
    assert again.sidecar is None  # neither --calibrate nor recording: nothing written


def test_a_leaky_split_writes_no_sidecar(tone_weights_copy: Path, tone_split: Path, tmp_path: Path) -> None:
    """Brightened copies of training photos in test: refused, and found by the tone hash."""
    data = tmp_path / "leaky"
    shutil.copytree(tone_split, data)
    for i, path in enumerate(sorted((data / "train" / "Acne").glob("very_light_*.jpg"))[:3]):
        with Image.open(path) as image:
            brighten(image.convert("RGB"), 1.6).save(data / "test" / "Acne" / f"leak_{i}.jpg", quality=95)
    with pytest.raises(LeakError):
        evaluate(tone_weights_copy, data, out_dir=tmp_path / "r1", device="cpu")
    before = sidecar_path(tone_weights_copy).read_text()
    report = evaluate(
        tone_weights_copy,
        data,
        allow_leak=True,
        out_dir=tmp_path / "r2",
        device="cpu",
        calibrate=True,
        record=True,
    )
    assert report.leaky and report.leaked_images >= 3 and report.sidecar is None
    assert sidecar_path(tone_weights_copy).read_text() == before


def run_cli(argv: list[str]) -> int:
    root = argparse.ArgumentParser(prog="skinbot")
    add_commands(root.add_subparsers(dest="command", required=True))
    args = root.parse_args(argv)
    return args.func(args)


def test_skinbot_evaluate_prints_intervals_curve_and_tones(
    tone_weights_copy: Path, tone_split: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = ["--weights", str(tone_weights_copy), "--data", str(tone_split), "--out", str(tmp_path / "r")]
    argv = ["evaluate", *paths, "--device", "cpu", "--calibrate", "--referral-threshold", "0.4"]
    assert run_cli(argv) == EXIT_OK
    out = capsys.readouterr().out
    assert "accuracy " in out and "% (" in out  # a value with its interval
    assert "carcinoma at referral threshold 0.40: sensitivity" in out
    assert "threshold  sensitivity  specificity" in out
    assert "referral threshold" in out
    for key in GROUP_KEYS:
        assert f"skin tone {key}:" in out
    assert out.count("(too few to judge)") == 3
    assert f"sidecar: {sidecar_path(tone_weights_copy)}" in out


def test_skinbot_check_compares_the_referral_setting(tone_weights_copy: Path, tmp_path: Path) -> None:
    def settings(referral: str, weights: Path) -> Settings:
        env = {
            "SKINBOT_CLASSIFIER": str(weights),
            "SKINBOT_CARCINOMA_REFERRAL": referral,
            "SKINBOT_DATA_DIR": str(tmp_path / "var"),
        }
        return Settings.from_env(env, env_file=None, telegram=False)

    sidecar = load_sidecar(tone_weights_copy)
    assert sidecar is not None
    from dataclasses import replace

    from inference.sidecar import Referral, save_sidecar

    save_sidecar(tone_weights_copy, replace(sidecar, referral=Referral(0.22, 0.95, 0.96, 0.7, "data/test")))
    above = check_scores(settings("0.30", tone_weights_copy))
    assert not above.ok and above.warning and not above.required
    assert "SKINBOT_CARCINOMA_REFERRAL 0.30 is above the recommended 0.22" in above.detail
    at = check_scores(settings("0.20", tone_weights_copy))
    assert at.ok and "referral 0.20 ≤ recommended 0.22" in at.detail
    bare = tmp_path / "bare" / "skin-cls.pt"
    bare.parent.mkdir()
    bare.write_bytes(tone_weights_copy.read_bytes())
    missing = check_scores(settings("0.30", bare))
    assert not missing.ok and not missing.required and "\n" not in missing.detail
    assert "uncalibrated" in missing.detail and "skinbot evaluate --calibrate" in missing.detail
