"""An adverse action notice in plain language, laid out after Regulation B's sample forms.

12 CFR 1002.9(a)(2) and (b): a creditor taking adverse action tells the applicant what action was taken, its
own name and address, the ECOA anti-discrimination notice with the agency that oversees it, and the specific
principal reasons (the official commentary: usually no more than four). Forms C-1 to C-5 (Appendix C) lay these
out. CFPB Circular 2022-03 adds that complex models are no excuse: the reasons must be the factors actually
scored. This notice adds what the forms leave out and applicants ask for: that an automated scoring system was
used, how to ask for a person to review the decision and to correct wrong details, and, when a counterfactual
is given, what would have changed the result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from explicable.core.errors import InvalidDataError, InvalidParameterError
from explicable.explainers.counterfactual import CounterfactualResult, CounterfactualSet
from explicable.reasons import Reason, ReasonList, default_statement
from explicable.reporting._narrative_document import Document, Section
from explicable.reporting._narrative_labels import Labels, join_words, make_labels

__all__ = ["MAX_NOTICE_REASONS", "Notice", "adverse_action_notice"]

#: Regulation B's commentary (comment 9(b)(2)-1): more than four reasons is not meaningful to an applicant.
MAX_NOTICE_REASONS = 4

#: The ECOA notice of 12 CFR 1002.9(b)(1) said plainly; pass ``ecoa_text`` to print the regulation's words.
PLAIN_ECOA = ("The law says we must not treat you differently because of your race, color, religion, national "
              "origin, sex, marital status or age (if you are old enough to sign a contract). The law also protects "
              "you if some of your income comes from public assistance, or if you have used your rights under "
              "consumer credit law in good faith.")


@dataclass(frozen=True)
class Notice(Document):
    """An adverse action notice: a :class:`Document` with the facts it states.

    Attributes
    ----------
    row : int
        The applicant's row in the reasons.
    reasons : tuple of str
        The principal reasons as printed, most important first (at most four).
    codes : tuple of (str or None)
        The lender's reason codes of those reasons.
    changes : tuple of str
        What would have changed the decision (empty without a valid counterfactual).
    """

    row: int = 0
    reasons: tuple[str, ...] = ()
    codes: tuple[str | None, ...] = ()
    changes: tuple[str, ...] = ()


def adverse_action_notice(
    reasons: ReasonList,
    *,
    applicant: str | None = None,
    lender: str = "[Lender name]",
    address: str = "[Lender address]",
    contact: str = "[phone number, email or postal address]",
    decision: str = "We cannot approve your application at this time.",
    product: str = "credit",
    date: str | None = None,
    row: int | None = None,
    counterfactual: CounterfactualResult | CounterfactualSet | None = None,
    regulator: str = "[name and address of the federal agency]",
    ecoa_text: str | None = None,
    labels: Mapping[str, Any] | None = None,
) -> Notice:
    """The notice an applicant receives when declined: what was decided, why, and what they can do.

    Parameters
    ----------
    reasons : ReasonList
        From :func:`explicable.reasons` (the first four of the row are printed). Its ranking must be stable:
        a notice may not give reasons that another run would change.
    applicant : str, optional
        The applicant's name for the greeting.
    lender, address, contact : str
        The creditor's name and address, and how to reach it (bracketed placeholders by default).
    decision : str
        The statement of the action taken.
    product : str, default "credit"
        What was applied for.
    date : str, optional
        Printed as given (no clock is read, so that the same inputs give the same notice).
    row : int, optional
        The applicant's row in ``reasons``; required when it covers several rows.
    counterfactual : CounterfactualResult or CounterfactualSet of one, optional
        The applicant's counterfactuals; the cheapest valid one is described.
    regulator : str
        The federal agency that administers compliance, with its address.
    ecoa_text : str, optional
        The ECOA notice in the regulation's words, to print instead of the plain version.
    labels : mapping, optional
        Feature -> readable label or (label, unit) (German credit columns are labelled by default).

    Returns
    -------
    Notice
        ``.text`` for a letter, ``.to_html()`` for a page.

    Raises
    ------
    InvalidDataError
        When the row has no reason or its reasons are not stable.
    """
    if not isinstance(reasons, ReasonList):
        raise InvalidParameterError(parameter="reasons", expected="a ReasonList from explicable.reasons(...)",
                                    got=reasons)
    texts = {"applicant": applicant, "lender": lender, "address": address, "contact": contact, "decision": decision,
             "product": product, "date": date, "regulator": regulator, "ecoa_text": ecoa_text}
    for name, value in texts.items():
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidParameterError(parameter=name, expected="a non-empty string", got=value)
    row = _row(reasons, row)
    found = reasons.for_row(row)[:MAX_NOTICE_REASONS]
    result = _counterfactual(counterfactual)
    names = [r.feature for r in found] + (list(result.feature_names) if result is not None else [])
    words = make_labels(labels, names)
    statements = tuple(_statement(r, words) for r in found)
    changes = () if result is None else _changes(result, words)
    sections = (
        Section(None, (*(p for p in (lender, address, date, f"Dear {applicant or 'applicant'},") if p),
                       f"Thank you for applying for {product} with {lender}. {decision}")),
        Section("Why we made this decision", ("These are the main reasons, the most important first:",), statements),
        Section("How we made this decision", (
            "We used an automated scoring system to help make this decision. It gives each application a score "
            "from the details in it. The reasons above are the details that counted most against your "
            "application. Other details counted too, but less.",)),
        *_change_section(changes),
        Section("Your rights", (
            "You have the right to ask for a person to review this decision. You can also ask us to correct any "
            "details about you that are wrong. If you want more detail about the reasons above, ask us within 60 "
            "days of the date of this letter, and we will reply within 30 days.",
            f"To do any of these, contact {lender}: {contact}.")),
        Section("Equal credit opportunity", (ecoa_text or PLAIN_ECOA,
                                             f"The agency that checks that {lender} follows this law is {regulator}.")),
        Section(None, ("Yours sincerely,", lender)),
    )
    return Notice("Notice of action taken and statement of reasons", sections, row=row, reasons=statements,
                  codes=tuple(r.code for r in found), changes=changes)


def _row(reasons: ReasonList, row: int | None) -> int:
    if row is None:
        if len(reasons.rows) != 1:
            raise InvalidParameterError(parameter="row", expected="the applicant's row, one of "
                                        f"{list(reasons.rows)[:12]} (the reasons cover several rows)", got=None)
        row = reasons.rows[0]
    found = reasons.for_row(row)
    if not found:
        raise InvalidDataError(parameter="reasons", expected=f"at least one principal reason for row {row}",
                               got="none: no factor counted against the applicant, so there is no adverse reason "
                               "to state")
    if not reasons.stable[reasons.rows.index(row)]:
        raise InvalidDataError(parameter="reasons", expected=f"a stable ranking of the reasons of row {row}",
                               got=f"a ranking that is not stable at {reasons.confidence:.0%} confidence; explain "
                               "again with a larger budget or an exact method")
    return row


def _statement(reason: Reason, words: Labels) -> str:
    """The lender's own text when it has one; else "<Label>: <value>"."""
    if reason.code is not None or reason.statement != default_statement(reason.feature, reason.value):
        return reason.statement
    label = words.label(reason.feature)
    value = words.value(reason.feature, reason.value)
    label = label[:1].upper() + label[1:]
    return label if value is None else f"{label}: {value}"


def _counterfactual(counterfactual: Any) -> CounterfactualResult | None:
    if counterfactual is None or isinstance(counterfactual, CounterfactualResult):
        return counterfactual
    if isinstance(counterfactual, CounterfactualSet) and len(counterfactual) == 1:
        return counterfactual[0]
    raise InvalidParameterError(parameter="counterfactual", expected="the applicant's CounterfactualResult (or a "
                                "CounterfactualSet of one query)", got=counterfactual)


def _changes(result: CounterfactualResult, words: Labels) -> tuple[str, ...]:
    """The changes of the cheapest valid counterfactual, as "your loan term had been 24 months instead of 48"."""
    valid = [i for i in range(result.n_found) if bool(result.valid[i])]
    if not valid:
        return ()
    table = result.changes()
    out = []
    for change in table[table["counterfactual"] == valid[0]].itertuples():
        new = words.value(str(change.feature), _plain(change.counterfactual_value))
        old = words.value(str(change.feature), _plain(change.original))
        out.append(f"your {words.label(str(change.feature))} had been {new} instead of {old}")
    return tuple(out)


def _change_section(changes: tuple[str, ...]) -> tuple[Section, ...]:
    if not changes:
        return ()
    return (Section("What could change the decision", (
        f"Our scoring system would have given a different result if {join_words(list(changes))}. This is a "
        "guide, not an offer of credit.",)),)


def _plain(value: Any) -> Any:
    return value.item() if hasattr(value, "item") and not isinstance(value, (str, bytes)) else value
