"""SkinClassifier on tiny weights trained on the synthetic dataset."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from classifier_lab.dedup import list_images
from inference.classifier import ClassifierError, SkinClassifier, label_order, preprocess
from inference.labels import LABELS, canonical_label
from tests.fixtures.classifier_models import SyntheticDataset


def test_images(dataset: SyntheticDataset) -> list[tuple[Image.Image, str]]:
    out = []
    for folder in sorted((dataset.split_dir / "test").iterdir()):
        for path in list_images(folder):
            with Image.open(path) as im:
                out.append((im.convert("RGB"), canonical_label(folder.name)))
    return out


test_images.__test__ = False  # a helper, not a test


@pytest.mark.parametrize(("width", "height"), [(800, 600), (333, 777), (4032, 3024), (100, 50), (1, 300)])
def test_preprocess_is_the_centre_crop_of_the_whole_image_resized(width: int, height: int) -> None:
    """Only the crop is resampled now, yet it is what resizing the shorter side to 224 and cropping gives."""
    rng = np.random.default_rng(width)
    image = Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8))
    scale = 224 / min(width, height)
    size = (max(224, round(width * scale)), max(224, round(height * scale)))
    left, top = round((size[0] - 224) / 2), round((size[1] - 224) / 2)
    whole = image.resize(size, Image.Resampling.BILINEAR).crop((left, top, left + 224, top + 224))
    expected = np.asarray(whole, dtype=np.float32).transpose(2, 0, 1) / 255.0
    got = preprocess(image, 224)
    assert got.shape == expected.shape == (3, 224, 224)
    # The crop's coordinates are computed in floating point, so a rare value rounds the other way.
    assert np.abs(got - expected).max() <= 1.001 / 255
    assert (np.abs(got - expected) > 0.5 / 255).mean() < 0.01


@pytest.fixture(scope="module")
def classifier(trained_classifier_weights: Path) -> SkinClassifier:
    c = SkinClassifier(trained_classifier_weights, device="cpu")
    c.setup()
    return c


@pytest.fixture(scope="module")
def onnx_weights(trained_classifier_weights: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    from classifier_lab.training import export_onnx

    work = tmp_path_factory.mktemp("onnx")
    pt = work / "skin-cls.pt"
    pt.write_bytes(
        trained_classifier_weights.read_bytes()
    )  # export writes beside its input; keep the cache clean
    return export_onnx(pt, work / "exported" / "skin-cls.onnx")


def test_learns_the_easy_classes(classifier: SkinClassifier, synthetic_dataset: SyntheticDataset) -> None:
    pairs = test_images(synthetic_dataset)
    results = classifier.predict([im for im, _ in pairs])
    accuracy = np.mean([r.top == label for r, (_, label) in zip(results, pairs, strict=True)])
    # chance is 1/6; colour alone separates the classes, so a working pipeline is far above it
    assert accuracy >= 0.75, f"accuracy {accuracy:.2f}"
    assert {r.top for r in results} == set(LABELS)


def test_probabilities_cover_all_labels_in_order(classifier: SkinClassifier, synthetic_dataset) -> None:
    image, _ = test_images(synthetic_dataset)[0]
    (result,) = classifier.predict([image])
    assert len(result.probs) == len(LABELS)
    assert sum(result.probs) == pytest.approx(1.0, abs=1e-6)
    assert all(0.0 <= p <= 1.0 for p in result.probs)


def test_cancer_folder_maps_to_carcinoma(classifier: SkinClassifier, synthetic_dataset) -> None:
    # The synthetic dataset names the folder "Cancer", as the seed dataset does.
    assert "Cancer" in classifier._require().names.values()
    cancer = [im for im, label in test_images(synthetic_dataset) if label == "carcinoma"]
    results = classifier.predict(cancer)
    assert np.mean([r.top == "carcinoma" for r in results]) >= 0.5
    assert np.mean([r.prob("carcinoma") for r in results]) > 1 / 6


def test_batch_order_is_preserved(classifier: SkinClassifier, synthetic_dataset) -> None:
    images = [im for im, _ in test_images(synthetic_dataset)]
    together = classifier.predict(images)
    one_by_one = [classifier.predict([im])[0] for im in images]
    reversed_batch = classifier.predict(images[::-1])[::-1]
    for a, b, c in zip(together, one_by_one, reversed_batch, strict=True):
        assert a.top == b.top == c.top
        assert np.allclose(a.probs, b.probs, atol=1e-4)
        assert np.allclose(a.probs, c.probs, atol=1e-4)


def test_batches_larger_than_the_chunk_size(classifier: SkinClassifier, synthetic_dataset) -> None:
    images = [im for im, _ in test_images(synthetic_dataset)]  # 36 > MAX_BATCH (32)
    assert len(classifier.predict(images)) == len(images)
    assert classifier.predict([]) == []


def test_uncertain_below_threshold(trained_classifier_weights: Path, synthetic_dataset) -> None:
    images = [im for im, _ in test_images(synthetic_dataset)[:6]]
    always = SkinClassifier(trained_classifier_weights, device="cpu", uncertain_below=1.01)
    never = SkinClassifier(trained_classifier_weights, device="cpu", uncertain_below=0.0)
    always.setup()
    never.setup()
    assert all(r.uncertain for r in always.predict(images))
    assert not any(r.uncertain for r in never.predict(images))
    for r in SkinClassifier.predict(always, images):
        assert r.uncertain == (r.confidence < always.uncertain_below)


def test_onnx_gives_the_same_top_class(
    classifier: SkinClassifier, onnx_weights: Path, synthetic_dataset: SyntheticDataset
) -> None:
    onnx = SkinClassifier(onnx_weights, device="cpu")
    onnx.setup()
    images = [im for im, _ in test_images(synthetic_dataset)]
    from_pt, from_onnx = classifier.predict(images), onnx.predict(images)
    assert [r.top for r in from_pt] == [r.top for r in from_onnx]
    assert np.allclose([r.probs for r in from_pt], [r.probs for r in from_onnx], atol=1e-3)
    assert onnx.explain(images[0]) is None


def test_grad_cam_png_has_the_image_size(classifier: SkinClassifier, synthetic_dataset) -> None:
    image = test_images(synthetic_dataset)[0][0].resize((120, 90))
    png = classifier.explain(image)
    assert png is not None and png.startswith(b"\x89PNG")
    with Image.open(io.BytesIO(png)) as overlay:
        assert overlay.size == image.size
        assert overlay.mode == "RGB"
        # the heatmap changes the pixels the model saw
        assert not np.array_equal(np.asarray(overlay), np.asarray(image))


def test_label_order_maps_seed_names() -> None:
    seed_names = {0: "Acne", 1: "Cancer", 2: "Eczema", 3: "Keratosis", 4: "Milia", 5: "Rosacea"}
    assert label_order(seed_names) == [0, 1, 2, 3, 4, 5]
    shuffled = {0: "rosacea", 1: "Milia", 2: "acne", 3: "Actinic_Keratosis", 4: "eczema", 5: "Skin Cancer"}
    assert [shuffled[i] for i in label_order(shuffled)] == [
        "acne",
        "Skin Cancer",
        "eczema",
        "Actinic_Keratosis",
        "Milia",
        "rosacea",
    ]


def test_label_order_names_missing_and_extra_classes() -> None:
    names = {0: "Acne", 1: "Cancer", 2: "Eczema", 3: "Keratosis", 4: "Milia", 5: "Psoriasis"}
    with pytest.raises(ClassifierError) as info:
        label_order(names)
    message = str(info.value)
    assert "rosacea" in message and "Psoriasis" in message


def test_weights_with_wrong_classes_are_refused(trained_classifier_weights: Path, tmp_path: Path) -> None:
    import torch

    ckpt = torch.load(trained_classifier_weights, map_location="cpu", weights_only=False)
    for key in ("model", "ema"):
        if ckpt.get(key) is not None:
            ckpt[key].names = {0: "Acne", 1: "Cancer", 2: "Eczema", 3: "Keratosis", 4: "Milia", 5: "Warts"}
    wrong = tmp_path / "wrong.pt"
    torch.save(ckpt, wrong)
    classifier = SkinClassifier(wrong, device="cpu")
    with pytest.raises(ClassifierError, match=r"missing classes \['rosacea'\].*unknown classes \['Warts'\]"):
        classifier.setup()
    assert not classifier.ready


def test_missing_weights_say_what_to_put_where(tmp_path: Path) -> None:
    classifier = SkinClassifier(tmp_path / "weights" / "skin-cls.pt", device="cpu")
    with pytest.raises(ClassifierError) as info:
        classifier.setup()
    message = str(info.value)
    assert str(tmp_path / "weights" / "skin-cls.pt") in message
    assert "weights/README.md" in message
    assert not (tmp_path / "weights").exists(), "nothing was downloaded or created"


def test_unsupported_suffix(tmp_path: Path) -> None:
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(ClassifierError, match=r"\.pt checkpoint or an \.onnx"):
        SkinClassifier(tmp_path / "model.bin", device="cpu").setup()


def test_garbage_checkpoint_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "broken.pt").write_bytes(b"not a checkpoint")
    with pytest.raises(ClassifierError, match="not a readable"):
        SkinClassifier(tmp_path / "broken.pt", device="cpu").setup()
    (tmp_path / "broken.onnx").write_bytes(b"not a model")
    with pytest.raises(ClassifierError, match="not a readable ONNX"):
        SkinClassifier(tmp_path / "broken.onnx", device="cpu").setup()


def test_predict_before_setup_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ClassifierError, match="setup"):
        SkinClassifier(tmp_path / "skin-cls.pt").predict([Image.new("RGB", (32, 32))])


def test_setup_is_idempotent(classifier: SkinClassifier) -> None:
    backend = classifier._require()
    classifier.setup()
    assert classifier._require() is backend


def _has_cuda() -> bool:
    import torch

    return torch.cuda.is_available()


@pytest.mark.gpu
@pytest.mark.skipif(not _has_cuda(), reason="needs CUDA")
def test_cuda_fp16_matches_cpu(
    trained_classifier_weights: Path, classifier: SkinClassifier, synthetic_dataset
) -> None:
    gpu = SkinClassifier(trained_classifier_weights, device="cuda")
    gpu.setup()
    images = [im for im, _ in test_images(synthetic_dataset)]
    assert [r.top for r in gpu.predict(images)] == [r.top for r in classifier.predict(images)]
    assert gpu.explain(images[0]) is not None
