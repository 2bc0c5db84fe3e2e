"""The report's sections, each computed from the resolved inputs by the library's own functions."""

from __future__ import annotations

import platform
from collections.abc import Callable
from importlib.metadata import version
from typing import Any

import numpy as np
import pandas as pd

from explicable._version import __version__
from explicable.core.errors import InvalidParameterError
from explicable.core.explanation import Explanation
from explicable.reporting._audit_data import (
    AuditInputs,
    Section,
    data_digest,
    describe_columns,
    explanation_table,
    failure,
)

__all__ = ["SECTIONS", "counterfactual_section", "fairness_section", "global_section", "local_section",
           "performance_section", "provenance_section", "quality_section", "summary_section"]

#: Section ids in report order; a test checks that every one is present.
SECTIONS = ("summary", "performance", "global", "local", "quality", "fairness", "counterfactuals", "limitations",
            "provenance")


def summary_section(inputs: AuditInputs, data: pd.DataFrame) -> Section:
    m = inputs.model
    section = Section("summary", "Model and data")
    section.paragraphs.append(
        f"Model: {type(getattr(m, 'model', m)).__name__}, outputs {', '.join(m.output_names)} in "
        f"{m.output_space} space, {len(inputs.X.columns)} input features. Data: {len(data)} rows; the outcome is "
        f"'{inputs.y.name}', and '{inputs.favorable}' is the favourable outcome. A decision is favourable when the "
        f"score for '{inputs.favorable_output}' is at least {inputs.threshold:g}.")
    section.tables.append(("Columns", describe_columns(data)))
    return section


def performance_section(inputs: AuditInputs) -> Section:
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score

    section = Section("performance", "Performance")
    truth = (inputs.y.astype(str) == str(inputs.favorable)).to_numpy().astype(int)
    score, decided = inputs.favorable_score, inputs.decisions
    rows = [("rows", len(truth)), ("favourable outcomes (observed)", float(truth.mean())),
            ("favourable decisions (model)", float(decided.mean())),
            ("accuracy", float((decided == truth).mean())),
            ("balanced accuracy", float(balanced_accuracy_score(truth, decided)))]
    if 0 < truth.sum() < len(truth):
        rows.append(("ROC AUC of the score", float(roc_auc_score(truth, score))))
    section.tables.append(("Performance on the audited rows", pd.DataFrame(rows, columns=["measure", "value"])))
    section.paragraphs.append("Measured on the rows given to the audit; if they include training rows, these "
                              "figures are optimistic.")
    return section


def global_section(inputs: AuditInputs, exp: Explanation) -> Section:
    from explicable.explainers import permutation_importance, shapley_importance

    section = Section("global", "What drives the model overall")
    importance = shapley_importance(exp.select(outputs=inputs.adverse_output))
    section.tables.append((f"Mean |attribution| toward '{inputs.adverse_output}' ({exp.provenance.method}, "
                           f"{len(exp)} rows), with {importance.confidence:.0%} confidence intervals",
                           importance.to_frame().sort_values("importance", ascending=False)))
    section.figures.append(("importance", importance, {"max_display": 12}))
    try:
        perm = permutation_importance(inputs.model, inputs.X.iloc[: len(exp)], inputs.y.iloc[: len(exp)],
                                      n_repeats=5, random_state=inputs.random_state)
        section.tables.append(("Permutation importance (loss in score when a feature is shuffled)",
                               perm.to_frame().sort_values("importance", ascending=False)))
    except Exception as exc:  # a report states what it could not compute rather than failing whole
        failure(section, "permutation importance", exc)
    return section


def local_section(inputs: AuditInputs, exp: Explanation, declined: np.ndarray, approved: np.ndarray,
                  n_local: int) -> Section:
    from explicable.reasons import UnstableRankingError, reasons
    from explicable.reporting.narrative import explain_decision

    section = Section("local", "Individual decisions")
    for label, rows in (("declined", declined[:n_local]), ("approved", approved[:1])):
        for row in rows.tolist():
            title = f"Row {inputs.X.index[row]} ({label}): contributions toward '{inputs.adverse_output}'"
            section.tables.append((title, explanation_table(exp, row, inputs.adverse_output)))
            section.figures.append(("waterfall", exp, {"row": row, "output": inputs.adverse_output}))
            if label != "declined":
                continue
            try:
                section.paragraphs.append(explain_decision(exp, row, output=inputs.adverse_output,
                                                           threshold=_adverse_threshold(inputs, exp)))
                found = reasons(exp[row], k=4, adverse_output=inputs.adverse_output)
                section.paragraphs.append(f"Row {inputs.X.index[row]}: " + "; ".join(
                    r.statement for r in found.reasons))
            except (UnstableRankingError, InvalidParameterError) as exc:
                failure(section, f"principal reasons for row {inputs.X.index[row]}", exc)
    if not len(declined):
        section.paragraphs.append("No audited row is declined at this threshold.")
    return section


def quality_section(inputs: AuditInputs, exp: Explanation, background: pd.DataFrame) -> Section:
    from explicable.evaluation import deletion_curve, faithfulness_correlation

    section = Section("quality", "Can the explanations be trusted?")
    rows = min(len(exp), 50)
    checks: list[tuple[str, Callable[..., Any]]] = [("deletion curve", deletion_curve),
                                                   ("faithfulness correlation", faithfulness_correlation)]
    for name, check in checks:
        try:
            result = check(inputs.model, inputs.X.iloc[:rows], exp[:rows], background=background.iloc[:20],
                           output=inputs.adverse_output, random_state=inputs.random_state)
            section.checks.append(result)
            if name == "deletion curve":
                section.figures.append(("curve", result, {}))
        except Exception as exc:
            failure(section, name, exc)
    return section


def fairness_section(inputs: AuditInputs, exp: Explanation) -> Section:
    from explicable.fairness import attributions_by_group, fairness_audit, flip_test

    section = Section("fairness", "Fairness audit")
    if inputs.sensitive.shape[1] == 0:
        section.paragraphs.append("No sensitive attribute was given, so no fairness audit was run.")
        return section
    audit = fairness_audit(inputs.model, inputs.X, inputs.y.astype(str), inputs.sensitive.astype(str),
                           positive=str(inputs.favorable), threshold=inputs.threshold,
                           random_state=inputs.random_state)
    section.paragraphs += list(audit.breaches) or ["The four-fifths rule holds for every group."]
    section.tables += [("Selection rates and the four-fifths rule", audit.metrics.four_fifths.table),
                       ("Disparities with confidence intervals", audit.metrics.disparities),
                       ("Metrics per group", audit.metrics.to_frame())]
    section.figures.append(("four_fifths", audit.metrics, {}))
    ll144 = _ll144(inputs)
    if ll144 is not None:
        section.tables.append(("NYC Local Law 144 impact ratios (selection rate)", ll144.to_frame()))
        section.paragraphs += list(ll144.notes)
    for column in inputs.sensitive.columns:
        groups = inputs.sensitive[column].iloc[: len(exp)].astype(str).to_numpy()
        by_group = attributions_by_group(exp.select(outputs=inputs.adverse_output), groups,
                                         random_state=inputs.random_state)
        section.tables.append((f"Mean attributions by {column}", by_group.to_frame()))
        if column in inputs.X.columns:
            flips = flip_test(inputs.model, inputs.X.iloc[: len(exp)], column, random_state=inputs.random_state)
            section.paragraphs.append(str(flips))
    return section


def counterfactual_section(inputs: AuditInputs, declined: np.ndarray, n_local: int) -> Section:
    from explicable.explainers import Counterfactuals

    section = Section("counterfactuals", "What would change the decision")
    if not len(declined):
        section.paragraphs.append("No declined row to find counterfactuals for.")
        return section
    immutable = [c for c in inputs.sensitive.columns if c in inputs.X.columns]
    try:
        search = Counterfactuals(inputs.model, k=2, immutable=immutable, random_state=inputs.random_state)
        found = search.fit(inputs.X).explain(inputs.X.iloc[declined[:n_local]])
        section.tables.append(("Changes that turn declined rows into approved ones (sensitive attributes kept)",
                               found.changes()))
    except Exception as exc:
        failure(section, "counterfactuals", exc)
    return section


def provenance_section(inputs: AuditInputs, data: pd.DataFrame, exp: Explanation) -> Section:
    section = Section("provenance", "Provenance")
    packages = ["numpy", "pandas", "scikit-learn", "scipy", "fairlearn"]
    rows: list[tuple[str, Any]] = [("explicable", __version__), ("python", platform.python_version())]
    rows += [(p, version(p)) for p in packages]
    rows += [("random seed", inputs.random_state), ("explanation method", exp.provenance.method),
             ("model fingerprint", inputs.model.fingerprint()), ("data fingerprint (SHA-256)", data_digest(data))]
    section.tables.append(("Versions, seeds and fingerprints", pd.DataFrame(rows, columns=["item", "value"])))
    return section


def _adverse_threshold(inputs: AuditInputs, exp: Explanation) -> float | None:
    """The decision threshold on the adverse output, in the space the explanation adds up in.

    A row is declined when its favourable probability is under ``t``, i.e. its adverse probability is above
    ``1 - t``: in log-odds, above ``log((1 - t) / t)``. Raw scores have no such translation (None).
    """
    t = inputs.threshold
    if exp.provenance.output_space == "probability":
        return 1.0 - t
    if exp.provenance.output_space == "log-odds" and 0 < t < 1:
        return float(np.log((1.0 - t) / t))
    return None


def _ll144(inputs: AuditInputs) -> Any:
    """The LL144 table when a sensitive column is sex/gender or race/ethnicity (the law's categories)."""
    from explicable.fairness import ll144_table

    names = {c.lower(): c for c in inputs.sensitive.columns}
    sex = next((names[n] for n in ("sex", "gender") if n in names), None)
    race = next((names[n] for n in ("race", "ethnicity", "race_ethnicity") if n in names), None)
    if sex is None and race is None:
        return None
    return ll144_table(inputs.decisions, sex=None if sex is None else inputs.sensitive[sex].astype(str),
                       race=None if race is None else inputs.sensitive[race].astype(str), kind="selection")
