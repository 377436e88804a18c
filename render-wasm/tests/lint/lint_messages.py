#!/usr/bin/env python3
"""The message linter: reads every golden message (render-wasm/tests/golden/*/*.txt) as a customer would.

  python3 render-wasm/tests/lint/lint_messages.py

Checks, each failing with the file, the part and the word or figure at fault:
- spelling: hunspell with Debian's en_US / de_DE dictionaries over the subject, the text part and the HTML
  part (hunspell's HTML mode), plus the project's words (words-en.dic, words-de.dic: names, codes, invoice
  numbers); addresses (https://..., name@host) are facts, not words, and are left out. 0 unknown words.
- reading grade of each ladder message's prose (the paragraphs that end a sentence; facts tables,
  greetings and signatures are not prose): Flesch-Kincaid grade for English, at most 8 up to and including
  the head's personal note; the Wiener Sachtextformel (first variant) for German, printed. The figures are
  printed as a table per stage and language.
- required facts per stage, parsed from the message and compared with the fixture it was rendered from
  (render-wasm/tests/fixtures/ladder): invoice numbers, balances, totals, due dates, the due status (days
  overdue), a pay link or the bank details, the signer's contact; "if you have already paid" in the early
  stages and "if you paid in the last few days" when overdue; a deadline date (after the day the message is
  sent) in the final notice; no collections or legal wording before the final notice.

Reading grades come from textstat (PyPI; pinned in requirements.txt, with the CMU pronouncing dictionary
for English syllables and Pyphen's hyphenation patterns for German): both formulas rest on syllable counts,
and a maintained dictionary counts them better than rules written here would.

Positive controls run first, every time: a misspelt word in each language and part, a sentence past the
grade limit, a message missing an invoice number, an early message threatening collections and a final
notice without a deadline must all be caught, or the linter fails. A check that cannot run (hunspell or a dictionary missing) fails; nothing is skipped.
"""

from __future__ import annotations

import html as html_lib
import json
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import textstat

LINT = Path(__file__).resolve().parent
RENDER = LINT.parents[1]
GOLDEN = RENDER / "tests" / "golden"
LADDER = RENDER / "tests" / "fixtures" / "ladder"
TEMPLATES = RENDER / "templates"

DICTIONARIES = {"en": "en_US", "de": "de_DE"}
STAGES = (
    "upcoming_due",
    "due_today",
    "crossed_in_mail",
    "overdue_direct",
    "personal_note_from_head",
    "escalation_cc",
    "final_notice",
    "thank_you",
)
EARLY_STAGES = STAGES[:3]
# English prose at most this Flesch-Kincaid grade, for every stage up to and including the head's note.
MAX_ENGLISH_GRADE = 8.0
GRADED_STAGES = STAGES[: STAGES.index("personal_note_from_head") + 1]

ALREADY_PAID = {
    "en": re.compile(r"if you have already (paid|arranged payment|sent (the )?payment)", re.I),
    "de": re.compile(r"bereits (bezahlt|gezahlt|überwiesen|veranlasst)|Zahlung bereits", re.I),
}
PAID_LATELY = {
    "en": re.compile(r"\bpaid\b[^.]*\b(last few days|past few days|recently)\b", re.I),
    "de": re.compile(r"(in den letzten|vor wenigen) (paar )?Tagen[^.]*(bezahlt|gezahlt|überwiesen|veranlasst)", re.I),
}
# Wording that belongs to the final tone only.
COLLECTIONS = {
    "en": re.compile(r"collections?\b|debt collect|legal (action|steps|proceedings)|\bcourt\b|solicitor|lawyer", re.I),
    "de": re.compile(r"Inkasso|rechtliche Schritte|gerichtlich|Mahnbescheid|Anwalt|Rechtsanwalt", re.I),
}
MONTHS = {
    "en": ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december"],
    "de": ["januar", "februar", "märz", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "dezember"],
}
# A deadline is a date after a word that makes it one ("by 31 March 2026", "bis zum 31. März 2026").
DEADLINE_WORDS = {
    "en": r"(?:by|until|before|no later than)(?:\s+(?:monday|tuesday|wednesday|thursday|friday),?)?",
    "de": r"(?:bis zum|bis|spätestens am|spätestens)(?:\s+(?:montag|dienstag|mittwoch|donnerstag|freitag),?(?:\s+den)?)?",
}
# The offer to waive interest if paid by a date is not the final notice's deadline.
WAIVER = {"en": re.compile(r"\bwaive", re.I), "de": re.compile(r"verzicht|erlass", re.I)}
ADDRESSES = re.compile(r"(?:https?|mailto|javascript):[^\s<>\"']*|[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# Words with a digit are codes (invoice and order numbers, postcodes, IBAN and BIC), not words to spell.
CODES = re.compile(r"[\w-]*\d[\w-]*")


@dataclass
class Message:
    """One golden file: `golden/{conversation}/{template}.txt`."""

    path: Path
    conversation: str
    template: str
    language: str
    subject: str
    text: str
    html: str

    @property
    def name(self) -> str:
        return str(self.path.relative_to(RENDER.parent))


@dataclass
class Findings:
    failures: list[str] = field(default_factory=list)

    def fail(self, message: Message | str, part: str, problem: str) -> None:
        where = message.name if isinstance(message, Message) else message
        self.failures.append(f"{where} [{part}]: {problem}")


def parse(path: Path) -> Message:
    raw = path.read_text(encoding="utf-8")
    head, _, rest = raw.partition("\n\n==== text/plain ====\n")
    text, _, html = rest.partition("\n==== text/html ====\n")
    subject = head.splitlines()[0].removeprefix("Subject: ")
    lang = re.search(r'<html lang="([a-z]+)"', html)
    if not lang or not text or not subject:
        raise SystemExit(f"{path}: not a golden message (subject, text/plain and text/html parts expected)")
    return Message(path, path.parent.name, path.stem, lang.group(1), subject, text, html)


# --- spelling ---------------------------------------------------------------------------------------------

def hunspell_command(language: str, html: bool) -> list[str]:
    words = LINT / f"words-{language}.dic"
    command = ["hunspell", "-d", DICTIONARIES[language], "-p", str(words), "-l"]
    return command + (["-H"] if html else [])


def unknown_words(text: str, language: str, html: bool = False) -> list[str]:
    """The words hunspell does not know, in order of first appearance."""
    prepared = CODES.sub(" ", ADDRESSES.sub(" ", html_lib.unescape(text) if not html else text))
    result = subprocess.run(hunspell_command(language, html), input=prepared, capture_output=True, text=True)
    if result.returncode != 0 or "Can't open" in result.stderr:
        raise SystemExit(f"hunspell cannot run for {language}: {result.stderr.strip() or result.returncode}")
    # German's dictionary counts "." and "-" as word characters; a word at a sentence's end is still a word.
    seen = []
    for word in result.stdout.split():
        word = word.strip(".-–")
        if word and word not in seen:
            seen.append(word)
    return seen


def check_spelling(message: Message, findings: Findings) -> list[str]:
    """The unknown words of `message`, each once, with a failure per part it is in."""
    parts = [("subject", message.subject, False), ("text/plain", message.text, False),
             ("text/html", ADDRESSES.sub(" ", message.html), True)]
    unknown = []
    for part, content, as_html in parts:
        for word in unknown_words(content, message.language, as_html):
            findings.fail(message, part, f"unknown word {word!r} (fix it, or add a name or code to "
                                         f"render-wasm/tests/lint/words-{message.language}.dic)")
            unknown += [word] if word not in unknown else []
    return unknown


# --- reading grade ----------------------------------------------------------------------------------------

def prose(text: str) -> str:
    """The paragraphs a customer reads as sentences: unindented lines, in paragraphs ending a sentence."""
    paragraphs = []
    for block in re.split(r"\n\s*\n", text):
        lines = [line for line in block.splitlines() if line and not line[0].isspace()]
        joined = " ".join(lines).strip()
        if joined.endswith((".", "!", "?")):
            paragraphs.append(ADDRESSES.sub("", joined))
    return "\n\n".join(paragraphs)


def grade(text: str, language: str) -> float:
    """Flesch-Kincaid grade (English) or the first Wiener Sachtextformel (German) of `text`."""
    if language == "en":
        textstat.set_lang("en_US")
        return float(textstat.flesch_kincaid_grade(text))
    textstat.set_lang("de")
    return float(textstat.wiener_sachtextformel(text, 1))


def check_grade(message: Message, findings: Findings) -> float:
    text = prose(message.text)
    if not text:
        findings.fail(message, "text/plain", "no prose found to grade")
        return float("nan")
    figure = grade(text, message.language)
    if message.language == "en" and message.template in GRADED_STAGES and figure > MAX_ENGLISH_GRADE:
        findings.fail(message, "text/plain", f"Flesch-Kincaid grade {figure:.1f} > {MAX_ENGLISH_GRADE:g}")
    return figure


# --- facts ------------------------------------------------------------------------------------------------

def due_status(language: str) -> dict[str, str]:
    return json.loads((TEMPLATES / language / "_words.json").read_text(encoding="utf-8"))["due_status"]


def status_of(days: int, language: str) -> str:
    forms = due_status(language)
    if days == 0:
        return forms["due_today"]
    key = ("overdue" if days > 0 else "due_in") + ("_one" if abs(days) == 1 else "_other")
    return forms[key].replace("{n}", str(abs(days)))


def parse_dates(text: str, language: str) -> list[tuple[int, date]]:
    """Every written date in `text` as (position, date): "2 February 2026", "February 2, 2026", "2. Februar 2026"."""
    months = "|".join(MONTHS[language])
    patterns = [rf"\b(\d{{1,2}})\.? ({months}) (\d{{4}})\b", rf"\b({months}) (\d{{1,2}}), (\d{{4}})\b"]
    found = []
    for index, pattern in enumerate(patterns):
        for match in re.finditer(pattern, text, re.I):
            groups = match.groups()
            day_text, month_text, year = (groups if index == 0 else (groups[1], groups[0], groups[2]))
            month = MONTHS[language].index(month_text.lower()) + 1
            found.append((match.start(), date(int(year), month, int(day_text))))
    return sorted(found)


def deadline_after(text: str, language: str, sent: date) -> date | None:
    """A date after `sent` written as a deadline ("by …", "bis zum …") in the prose of `text`."""
    body = "\n\n".join(paragraph for paragraph in prose(text).split("\n\n")
                         if not WAIVER[language].search(paragraph))
    for position, when in parse_dates(body, language):
        before = body[max(0, position - 40):position]
        if when > sent and re.search(DEADLINE_WORDS[language] + r"\s*$", before, re.I):
            return when
    return None


def shown(message: Message, value: str) -> list[str]:
    """The parts `value` is missing from (the HTML part shows it escaped)."""
    missing = []
    if value not in message.text:
        missing.append("text/plain")
    if html_lib.escape(value, quote=True).replace("&#x27;", "&#39;") not in message.html:
        missing.append("text/html")
    return missing


def check_facts(message: Message, context: dict, findings: Findings) -> None:
    language, template = message.language, message.template
    asks_for_payment = template != "thank_you"

    def require(value: str | None, what: str) -> None:
        for part in shown(message, value or ""):
            findings.fail(message, part, f"lacks {what} {value!r}")

    for invoice in context["invoices"]:
        number = invoice["number"]
        if number not in message.subject and len(context["invoices"]) == 1:
            findings.fail(message, "subject", f"lacks the invoice number {number!r}")
        require(number, "the invoice number")
        require(invoice["total"], f"{number}'s amount")
        if asks_for_payment:
            require(invoice["due_date"], f"{number}'s due date")
            require(invoice["balance"], f"{number}'s balance")
            require(status_of(invoice["days_overdue"], language), f"{number}'s due status (days overdue)")
    if asks_for_payment:
        for total in context["totals"]:
            require(total, "the total")
        links = [invoice["payment_link"] for invoice in context["invoices"] if invoice.get("payment_link")]
        bank = [line for line in context["payment"]["lines"] if re.search(r"IBAN|account|Konto", line, re.I)]
        if not any(not shown(message, value) for value in links + bank):
            findings.fail(message, "text/plain", "neither a pay link nor the bank details")
    signature = context["signature"]
    contacts = [value for value in (signature.get("email"), signature.get("phone")) if value]
    if not any(not shown(message, value) for value in contacts):
        findings.fail(message, "text/plain", f"lacks the signer's contact ({' or '.join(contacts) or 'none given'})")

    if template in EARLY_STAGES and not ALREADY_PAID[language].search(message.text):
        findings.fail(message, "text/plain", "no 'if you have already paid, thank you'")
    if template == "overdue_direct" and not PAID_LATELY[language].search(message.text):
        findings.fail(message, "text/plain", "no 'if you have paid in the last few days, thank you'")
    if template == "final_notice":
        sent = parse_dates(context["date"], language)
        if not sent:
            findings.fail(message, "fixture", f"cannot read the message date {context['date']!r}")
        elif deadline_after(message.text, language, sent[0][1]) is None:
            findings.fail(message, "text/plain",
                          f"no deadline date after the message date {context['date']} "
                          f"({'by [weekday,] DATE' if language == 'en' else 'bis zum DATUM'} in the prose)")
    if STAGES.index(template) < STAGES.index("final_notice"):
        for part, content in (("subject", message.subject), ("text/plain", message.text)):
            for match in COLLECTIONS[language].finditer(content):
                findings.fail(message, part, f"collections or legal wording before the final notice: {match.group(0)!r}")


# --- positive controls ------------------------------------------------------------------------------------

def positive_controls(sample: Message, context: dict, final: Message, final_context: dict) -> list[str]:
    """Each control names what the linter must catch; a control not caught is returned."""
    missed = []
    if "recieve" not in unknown_words("We did not recieve your payment.", "en"):
        missed.append("English misspelling 'recieve' in text")
    if "recieve" not in unknown_words("<p>We did not recieve it.</p>", "en", html=True):
        missed.append("English misspelling 'recieve' in HTML")
    if "Rechnnung" not in unknown_words("Die Rechnnung ist offen.", "de"):
        missed.append("German misspelling 'Rechnnung'")
    if unknown_words("Thank you for your payment.", "en") or unknown_words("Vielen Dank für Ihre Zahlung.", "de"):
        missed.append("correct sentences flagged: the dictionaries do not load")
    wordy = ("Notwithstanding the aforementioned considerations, the organisation's administrative "
             "infrastructure necessitates comprehensive documentation substantiating the remittance.")
    probe = Findings()
    check_grade(Message(sample.path, "control", "upcoming_due", "en", "s", wordy + "\n", ""), probe)
    if not probe.failures:
        missed.append(f"grade {grade(wordy, 'en'):.1f} of a wordy sentence not flagged")
    number = context["invoices"][0]["number"]
    probe = Findings()
    check_facts(Message(sample.path, sample.conversation, sample.template, sample.language, sample.subject,
                        sample.text.replace(number, "INV-REDACTED"), sample.html), context, probe)
    if not any(number in failure and "text/plain" in failure for failure in probe.failures):
        missed.append(f"invoice number {number} removed from the text part")
    threat = "we will hand the account to a collections agency" if sample.language == "en" else "Inkasso"
    probe = Findings()
    check_facts(Message(sample.path, sample.conversation, sample.template, sample.language, sample.subject,
                        sample.text + threat, sample.html), context, probe)
    if not any("collections or legal wording" in failure for failure in probe.failures):
        missed.append(f"collections wording in {sample.template}")
    sent = parse_dates(final_context["date"], final.language)[0][1]
    without = re.sub(r"\d{1,2}\.? [A-Za-zä]+ \d{4}|[A-Z][a-z]+ \d{1,2}, \d{4}", "", final.text)
    if deadline_after(without, final.language, sent) is not None:
        missed.append("a final notice without any date passed the deadline check")
    # The same notice, its dates gone, with one deadline written in: that one is found.
    with_deadline = without + ("\nPlease pay by 1 January 2100.\n" if final.language == "en"
                               else "\nBitte zahlen Sie bis zum 1. Januar 2100.\n")
    if deadline_after(with_deadline, final.language, sent) != date(2100, 1, 1):
        missed.append("a deadline written into a final notice was not found")
    return missed


# --- main -------------------------------------------------------------------------------------------------

def print_grades(grades: dict[tuple[str, str], float]) -> None:
    for language, formula in (("en", f"Flesch-Kincaid grade, at most {MAX_ENGLISH_GRADE:g} up to "
                                     "personal_note_from_head"),
                              ("de", "Wiener Sachtextformel (1st variant, school grade; printed only)")):
        conversations = sorted({conversation for conversation, _ in grades if conversation.startswith(language)})
        print(f"\nreading grade, {language}: {formula}")
        print(f"  {'stage':<26}" + "".join(f"{name:>12}" for name in conversations))
        for stage in STAGES:
            row = [grades.get((name, stage)) for name in conversations]
            marks = [f"{figure:>11.1f}" + ("!" if language == "en" and stage in GRADED_STAGES
                                           and figure > MAX_ENGLISH_GRADE else " ")
                     if figure is not None else f"{'-':>12}" for figure in row]
            print(f"  {stage:<26}" + "".join(marks))


def main() -> int:
    # The figures and the failures interleave in CI's log as they were written.
    sys.stdout.reconfigure(line_buffering=True)
    if shutil.which("hunspell") is None:
        print("message lint: hunspell is not installed (scripts/test.sh installs it)", file=sys.stderr)
        return 1
    messages = [parse(path) for path in sorted(GOLDEN.glob("*/*.txt"))]
    ladder = [message for message in messages if (LADDER / message.conversation).is_dir()]
    if not ladder or len({message.language for message in ladder}) < 2:
        print(f"message lint: no ladder messages in both languages under {GOLDEN}", file=sys.stderr)
        return 1
    contexts = {
        (message.conversation, message.template): json.loads(
            (LADDER / message.conversation / f"{message.template}.json").read_text(encoding="utf-8"))
        for message in ladder
    }

    sample = ladder[0]
    final = next(message for message in ladder if message.template == "final_notice")
    missed = positive_controls(sample, contexts[(sample.conversation, sample.template)], final,
                               contexts[(final.conversation, final.template)])
    if missed:
        print("message lint: positive controls NOT caught, the linter cannot be trusted:", file=sys.stderr)
        for control in missed:
            print(f"  - {control}", file=sys.stderr)
        return 1

    findings = Findings()
    unknown: dict[tuple[str, str], int] = {}
    for message in messages:
        for word in check_spelling(message, findings):
            unknown[(message.language, word)] = unknown.get((message.language, word), 0) + 1
    grades = {}
    for message in ladder:
        grades[(message.conversation, message.template)] = check_grade(message, findings)
        check_facts(message, contexts[(message.conversation, message.template)], findings)

    print(f"message lint: {len(messages)} golden messages spell-checked, {len(ladder)} ladder messages graded "
          f"and checked for their facts; positive controls caught")
    print(f"unknown words: {len(unknown)}" + "".join(f"\n  {language} {word!r} in {count} message(s)"
                                                  for (language, word), count in sorted(unknown.items())))
    print_grades(grades)
    if findings.failures:
        print(f"\nmessage lint: {len(findings.failures)} problem(s):", file=sys.stderr)
        for failure in findings.failures:
            print(f"  {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
