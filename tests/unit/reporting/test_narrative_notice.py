"""adverse_action_notice: the full golden letter, Regulation B's elements, counterfactual wording, errors, German."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import explicable
from explicable import Explanation, InvalidDataError, InvalidParameterError
from explicable.explainers.counterfactual import CounterfactualResult, CounterfactualSet
from explicable.reasons import reasons
from explicable.reporting import APPLICANT_JARGON, Notice, adverse_action_notice, find_jargon, flesch_reading_ease

NAMES = ["duration", "credit_amount", "status", "savings", "age", "job"]


def applicant(values: list[float] | None = None) -> Explanation:
    v = [0.12, 0.05, 0.21, -0.08, 0.04, 0.02] if values is None else values
    data = np.array([[48, 9000, "... < 0 DM", ".. >= 1000 DM", 35, "skilled employee/ official"]], dtype=object)
    return Explanation(np.array(v, dtype=float)[None, :, None], np.array([[0.3]]), NAMES, ["bad"], data=data)


def counterfactual(valid: list[bool]) -> CounterfactualResult:
    query = pd.DataFrame({"duration": [48], "credit_amount": [9000], "age": [35]})
    rows = pd.DataFrame({"duration": [12, 24], "credit_amount": [9000, 4500], "age": [35, 35]})
    changed = (rows.to_numpy() != query.to_numpy()).astype(bool)
    n = len(rows)
    return CounterfactualResult(query, rows, changed, np.array([[0.6, 0.4], [0.7, 0.3]]), np.array([0.36, 0.64]),
                                np.array(valid), np.ones(n), np.ones(n), changed.sum(axis=1), np.ones(n), k=2,
                                desired="class good", output_names=("good", "bad"))


GOLDEN = """Notice of action taken and statement of reasons
===============================================

Example Bank

1 Main Street, Springfield

1 March 2025

Dear Ms Doe,

Thank you for applying for credit with Example Bank. We cannot approve your application at this time.

Why we made this decision
-------------------------

These are the main reasons, the most important first:

1. Checking account balance: less than 0 DM
2. Loan term: 48 months
3. Loan amount: 9,000 DM
4. Age: 35 years

How we made this decision
-------------------------

We used an automated scoring system to help make this decision. It gives each application a score from the \
details in it. The reasons above are the details that counted most against your application. Other details \
counted too, but less.

What could change the decision
------------------------------

Our scoring system would have given a different result if your loan term had been 24 months instead of 48 \
months and your loan amount had been 4,500 DM instead of 9,000 DM. This is a guide, not an offer of credit.

Your rights
-----------

You have the right to ask for a person to review this decision. You can also ask us to correct any details \
about you that are wrong. If you want more detail about the reasons above, ask us within 60 days of the date of \
this letter, and we will reply within 30 days.

To do any of these, contact Example Bank: call 555-0100.

Equal credit opportunity
------------------------

The law says we must not treat you differently because of your race, color, religion, national origin, sex, \
marital status or age (if you are old enough to sign a contract). The law also protects you if some of your \
income comes from public assistance, or if you have used your rights under consumer credit law in good faith.

The agency that checks that Example Bank follows this law is the Consumer Financial Protection Bureau, 1700 G \
Street NW, Washington, DC 20552.

Yours sincerely,

Example Bank"""


def golden_notice() -> Notice:
    return adverse_action_notice(
        reasons(applicant(), k=6), applicant="Ms Doe", lender="Example Bank", address="1 Main Street, Springfield",
        contact="call 555-0100", date="1 March 2025",
        counterfactual=CounterfactualSet((counterfactual([False, True]),)),
        regulator="the Consumer Financial Protection Bureau, 1700 G Street NW, Washington, DC 20552")


def test_golden_letter() -> None:
    notice = golden_notice()
    assert notice.text == GOLDEN
    assert str(notice) == GOLDEN and golden_notice().text == GOLDEN  # deterministic
    # At most four reasons although six were asked for and five pushed toward the decline.
    assert notice.reasons == ("Checking account balance: less than 0 DM", "Loan term: 48 months",
                              "Loan amount: 9,000 DM", "Age: 35 years")
    assert notice.codes == (None,) * 4 and notice.row == 0
    assert notice.changes == ("your loan term had been 24 months instead of 48 months",
                              "your loan amount had been 4,500 DM instead of 9,000 DM")


def test_plain_language_and_no_jargon() -> None:
    text = golden_notice().text
    assert flesch_reading_ease(text) >= 60
    assert find_jargon(text, APPLICANT_JARGON) == []


def test_html_is_escaped_and_self_contained() -> None:
    html = adverse_action_notice(reasons(applicant()), lender="A & B <Bank>").to_html()
    assert "A &amp; B &lt;Bank&gt;" in html and "<Bank>" not in html
    assert html.count("<li>") == 4 and "<ol>" in html
    for external in ("http", "src=", "<script", "<link", "<style", "url("):
        assert external not in html


def test_lender_reason_codes_are_printed_verbatim_and_recorded() -> None:
    mapping = {"duration": ("R07", "Term of the loan too long ({value} months)"), "status": ("R01", "No savings")}
    notice = adverse_action_notice(reasons(applicant(), mapping=mapping))
    assert notice.reasons[:2] == ("No savings", "Term of the loan too long (48 months)")
    assert notice.codes == ("R01", "R07", None, None)


def test_without_a_valid_counterfactual_nothing_is_promised() -> None:
    notice = adverse_action_notice(reasons(applicant()), counterfactual=counterfactual([False, False]))
    assert notice.changes == () and "What could change" not in notice.text
    with pytest.raises(KeyError):
        notice.section("What could change the decision")
    assert notice.section("Your rights").paragraphs[1].startswith("To do any of these, contact [Lender name]:")


def test_default_placeholders_and_the_ecoa_text_in_the_regulations_words() -> None:
    official = ("The Federal Equal Credit Opportunity Act prohibits creditors from discriminating against credit "
                "applicants.")
    notice = adverse_action_notice(reasons(applicant()), ecoa_text=official)
    section = notice.section("Equal credit opportunity")
    assert section.paragraphs[0] == official
    assert section.paragraphs[1] == ("The agency that checks that [Lender name] follows this law is [name and address "
                                     "of the federal agency].")
    assert notice.text.count("Dear applicant,") == 1


def test_errors() -> None:
    two_rows = reasons(Explanation(np.ones((2, 2, 1)), np.zeros((2, 1)), ["a", "b"], ["y"]))
    with pytest.raises(InvalidParameterError) as info:
        adverse_action_notice(two_rows)
    assert info.value.parameter == "row"
    assert adverse_action_notice(two_rows, row=1).row == 1
    nothing = reasons(Explanation(-np.ones((1, 2, 1)), np.zeros((1, 1)), ["a", "b"], ["y"]))
    with pytest.raises(InvalidDataError, match="no factor counted against"):
        adverse_action_notice(nothing)
    shaky = reasons(Explanation(np.array([[[0.3], [0.29]]]), np.zeros((1, 1)), ["a", "b"], ["y"],
                                stderr=np.full((1, 2, 1), 0.2)), require_stable=False)
    with pytest.raises(InvalidDataError, match="not stable"):
        adverse_action_notice(shaky)
    found = reasons(applicant())
    for kwargs, parameter in (({"lender": ""}, "lender"), ({"contact": 3}, "contact"),
                              ({"counterfactual": "x"}, "counterfactual"), ({"labels": {"age": 1}}, "labels['age']")):
        with pytest.raises(InvalidParameterError) as info:
            adverse_action_notice(found, **kwargs)
        assert info.value.parameter == parameter
    with pytest.raises(InvalidParameterError):
        adverse_action_notice(applicant())  # type: ignore[arg-type]


def test_german_credit_applicant_end_to_end(german: tuple[pd.DataFrame, pd.Series]) -> None:
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    X, y = german
    categorical = [c for c in X.columns if X[c].dtype.name in ("category", "bool")]
    encode = ColumnTransformer([("onehot", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical),
                                ("num", StandardScaler(), [c for c in X.columns if c not in categorical])])
    pipe = Pipeline([("encode", encode), ("lr", LogisticRegression(max_iter=1000))]).fit(X, y)
    model = explicable.wrap(pipe, output_names=["good", "bad"])
    exp = explicable.explain(model, X.iloc[[1]], background=X.iloc[:100], target="bad")
    found = reasons(exp)
    search = explicable.Counterfactuals(model, k=2, immutable=["age", "status_sex", "foreign_worker"], random_state=0)
    result = search.fit(X).explain(X.iloc[[1]])[0]
    notice = adverse_action_notice(found, lender="Example Bank", counterfactual=result)
    table = result.changes()
    changed = [str(f) for f in table.loc[table["counterfactual"] == int(np.flatnonzero(result.valid)[0]), "feature"]]
    assert len(notice.changes) == len(changed) >= 1
    assert not any(c in changed for c in ("age", "status_sex", "foreign_worker"))
    assert len(notice.reasons) == len(found.for_row(0)) >= 1
    assert "Loan term: 48 months" in notice.reasons  # the codebook's second applicant borrows for 48 months
    assert flesch_reading_ease(notice.text) >= 60
    assert find_jargon(notice.text, APPLICANT_JARGON) == []
