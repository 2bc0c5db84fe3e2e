"""Safe model loading: formats that cannot run code load freely; pickle and joblib only with ``trust=True``.

Loading a pickle executes whatever the file says, so a model file from someone else is a program from
someone else. ONNX, XGBoost JSON/UBJ, LightGBM text, CatBoost ``.cbm`` and skops files are data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from explicable.core.errors import ExplicableError, ModelFileError, UnsafeModelError
from explicable.models.base import ModelAdapter
from explicable.models.wrap import wrap

__all__ = ["SAFE_FORMATS", "load_model"]

SAFE_FORMATS = "ONNX (.onnx), XGBoost (.json, .ubj), LightGBM text (.txt, .lgb), CatBoost (.cbm), skops (.skops)"
_PICKLE_SUFFIXES = (".pkl", ".pickle", ".joblib", ".pck", ".sav")
_NAMES = {"onnx": "an ONNX", "xgboost": "an XGBoost", "lightgbm": "a LightGBM", "catboost": "a CatBoost",
          "skops": "a skops", "pickle": "a pickle"}


def load_model(path: str | Path, *, trust: bool = False, **options: Any) -> ModelAdapter:
    """Load a model file and return its adapter.

    Parameters
    ----------
    path : str or Path
        The model file. The format comes from the suffix, or from the content when the suffix is unknown.
    trust : bool, default False
        Allow pickle/joblib files and skops files with types outside skops' trusted set. Only for files you
        made or fully trust: loading them runs code.
    **options
        Passed to :func:`~explicable.models.wrap.wrap`.

    Raises
    ------
    ModelFileError
        The file is missing, truncated, corrupt or of an unknown format.
    UnsafeModelError
        The file would run code and ``trust`` is False.
    """
    file = Path(path)
    if not file.is_file():
        what = "is a directory, not a model file" if file.is_dir() else "does not exist"
        raise ModelFileError(f"The model file '{file}' {what}.", parameter="path", got=str(file))
    kind = _kind(file)
    try:
        obj = _LOADERS[kind](file, trust)
        if isinstance(obj, bytes):
            from explicable.models.onnx import OnnxAdapter

            return OnnxAdapter(obj, **options)
    except ModelFileError as exc:
        if file.name in exc.message:
            raise
        raise ModelFileError(f"Could not read '{file.name}' as {_NAMES[kind]} model: {exc.message}",
                             parameter="path", got=str(file)) from None
    except ExplicableError:
        raise
    except Exception as exc:  # each library raises its own error type for a corrupt file
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ModelFileError(f"Could not read '{file.name}' as {_NAMES[kind]} model: {first}", parameter="path",
                             got=str(file)) from None
    return wrap(obj, **options)


def _kind(file: Path) -> str:
    suffix = file.suffix.lower()
    by_suffix = {".onnx": "onnx", ".json": "xgboost", ".ubj": "xgboost", ".txt": "lightgbm", ".lgb": "lightgbm",
                 ".cbm": "catboost", ".skops": "skops"}
    if suffix in by_suffix:
        return by_suffix[suffix]
    if suffix in _PICKLE_SUFFIXES:
        return "pickle"
    head = file.read_bytes()[:16]
    if head[:1] == b"\x80":
        return "pickle"
    if head.startswith(b"PK"):
        return "skops"
    if head.startswith(b"tree\n"):
        return "lightgbm"
    if head.startswith(b"CBM1"):
        return "catboost"
    if head.lstrip()[:1] in (b"{", b"["):
        return "xgboost"
    raise ModelFileError(f"Unknown model format for '{file.name}'; readable formats: {SAFE_FORMATS}, and pickle/"
                         "joblib with trust=True.", parameter="path", got=str(file))


def _onnx(file: Path, trust: bool) -> Any:
    return file.read_bytes()  # the adapter keeps the bytes: fingerprint and class labels come from them


def _xgboost(file: Path, trust: bool) -> Any:
    import xgboost

    booster = xgboost.Booster()
    if file.suffix.lower() in (".json", ".ubj"):
        booster.load_model(str(file))
    else:  # found by content: from memory, where XGBoost tells JSON from UBJSON itself instead of by the suffix
        booster.load_model(bytearray(file.read_bytes()))
    return booster


def _lightgbm(file: Path, trust: bool) -> Any:
    import lightgbm

    text = file.read_text(encoding="utf-8")
    if not text.startswith("tree\n") or "end of trees" not in text:
        raise ModelFileError(f"'{file.name}' is not a complete LightGBM text model (truncated or another format).",
                             parameter="path", got=str(file))
    return lightgbm.Booster(model_str=text)


def _catboost(file: Path, trust: bool) -> Any:
    import catboost

    model = catboost.CatBoost()
    model.load_model(str(file))
    return model


def _skops(file: Path, trust: bool) -> Any:
    import skops.io as sio

    untrusted = sio.get_untrusted_types(file=str(file))
    if untrusted and not trust:
        raise UnsafeModelError(
            f"Refusing to load '{file.name}': it contains types skops does not trust ({', '.join(untrusted[:5])}), "
            "and loading them may run code. Pass trust=True (CLI --trust) only for a file you trust.",
            parameter="trust", got=False)
    return sio.load(str(file), trusted=untrusted)


def _pickle(file: Path, trust: bool) -> Any:
    if not trust:
        raise UnsafeModelError(
            f"Refusing to load '{file.name}': loading a pickle or joblib file runs arbitrary code from the file. "
            f"Pass trust=True (CLI --trust) only for a file you made or trust, or save the model as {SAFE_FORMATS}.",
            parameter="trust", got=False)
    import joblib

    return joblib.load(file)


_LOADERS = {"onnx": _onnx, "xgboost": _xgboost, "lightgbm": _lightgbm, "catboost": _catboost, "skops": _skops,
            "pickle": _pickle}
