"""Suggestions for drafting a claim from a passage of an article: who claims it (attribution
phrases in and around the passage), what kind of event it is (its words), when (dates in the
passage, read against the publication date), where (the place mentions in it) and the
casualties exactly as stated; and the sentences worth a claim (a place and an event named).

Pure functions of the text, the offsets and the publication date: no database, so that the
rules are tested on the gold set's articles directly. The editor sees every suggestion in an
editable form; nothing here is stored without a person.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass, field

# Types, as Incident.Type spells them, with the word stems that say them (English, Russian).
# TYPE_ORDER breaks ties: an evacuation or talks are named for themselves, while the words of
# fighting also describe their context ("the armed conflict", "the ceasefire"); the event
# before its toll.
TYPE_WORDS: dict[str, tuple[str, ...]] = {
    "gunfire": (
        "gunfire",
        "gun fire",
        "fire",
        "fired",
        "firing",
        "shot",
        "shoot",
        "shell",
        "mortar",
        "rocket",
        "sniper",
        "огонь",
        "огня",
        "обстрел",
        "стрельб",
        "перестрел",
        "выстрел",
        "минометн",
        "миномет",
    ),
    "clash": (
        "clash",
        "fight",
        "skirmish",
        "rock",
        "stone",
        "brawl",
        "confront",
        "conflict",
        "столкновен",
        "драк",
        "конфликт",
        "камн",
        "стычк",
        "потасовк",
    ),
    "evacuation": ("evacuat", "эвакуир", "эвакуац", "вывезен"),
    "negotiation": (
        "talks",
        "negotiat",
        "agree",
        "ceasefire",
        "cease-fire",
        "truce",
        "meeting",
        "met ",
        "переговор",
        "договор",
        "соглашен",
        "перемири",
        "встреч",
    ),
    "casualties": (
        "killed",
        "wounded",
        "injured",
        "dead",
        "died",
        "death",
        "casualt",
        "hurt",
        "погиб",
        "ранен",
        "ранени",
        "пострадал",
        "убит",
        "жертв",
        "смерт",
    ),
}
TYPE_ORDER = ("evacuation", "negotiation", "gunfire", "clash", "casualties")
TYPE_PHRASE = {
    "gunfire": "gunfire",
    "clash": "clash",
    "evacuation": "evacuation",
    "negotiation": "talks",
    "casualties": "casualties",
}

EN_MONTHS = {
    m: n
    for n, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for m in names
}
RU_MONTHS = {
    "января": 1, "февраля": 2, "марта": 3, "апреля": 4, "мая": 5, "июня": 6, "июля": 7,
    "августа": 8, "сентября": 9, "октября": 10, "ноября": 11, "декабря": 12,
}  # fmt: skip
EN_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
RU_WEEKDAYS = {
    "понедельник": 0, "вторник": 1, "среду": 2, "среда": 2, "четверг": 3, "пятницу": 4,
    "пятница": 4, "субботу": 5, "суббота": 5, "воскресенье": 6,
}  # fmt: skip
# Relative days, as offsets from the publication date.
RELATIVE_DAYS = {
    "yesterday": -1, "today": 0, "tonight": 0, "last night": -1, "this morning": 0,
    "the day before": -1, "вчера": -1, "сегодня": 0, "накануне": -1, "минувшей ночью": -1,
    "прошлой ночью": -1, "сегодня утром": 0,
}  # fmt: skip
FUTURE_WORDS = re.compile(
    r"\b(will|plan\w*|schedul\w*|due to|expected to|to be held|are to|is to)\b|"
    r"(планиру\w*|состоится|пройд[её]т|намечен\w*|будет|будут)",
    re.IGNORECASE,
)

_MONTH_EN = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_MONTH_RU = "|".join(RU_MONTHS)
_WEEKDAY_RU = "|".join(sorted(RU_WEEKDAYS, key=len, reverse=True))
_RELATIVE = "|".join(sorted(RELATIVE_DAYS, key=len, reverse=True))
DATE_PATTERNS = [
    # April 28-29, 2021 / Apr. 29
    re.compile(
        rf"\b(?P<month>{_MONTH_EN})\.?\s+(?P<day>\d{{1,2}})(?:\s*[-–—]\s*(?P<day2>\d{{1,2}}))?"
        r"(?:st|nd|rd|th)?(?:,?\s+(?P<year>(?:19|20)\d\d))?\b",
        re.IGNORECASE,
    ),
    # 28-29 April 2021 / 29 апреля
    re.compile(
        rf"\b(?P<day>\d{{1,2}})(?:\s*[-–—]\s*(?P<day2>\d{{1,2}}))?\s+"
        rf"(?P<month>{_MONTH_EN}|{_MONTH_RU})\b(?:\s+(?P<year>(?:19|20)\d\d))?",
        re.IGNORECASE,
    ),
    # 29.04.21, 29.04.2021 (the Russian datelines)
    re.compile(r"\b(?P<day>\d{1,2})\.(?P<monthnum>\d{1,2})\.(?P<year>(?:19|20)?\d\d)\b"),
    # on Thursday, в четверг
    re.compile(rf"\b(?P<weekday>{'|'.join(EN_WEEKDAYS)})\b", re.IGNORECASE),
    re.compile(rf"(?<![\w])(?P<weekday>{_WEEKDAY_RU})(?![\w])", re.IGNORECASE),
    re.compile(rf"(?<![\w])(?P<relative>{_RELATIVE})(?![\w])", re.IGNORECASE),
]

# Attribution: who says so. A name is a run of up to eight words without a clause's punctuation.
_WHO = r"(?P<who>[^,.;:!?\"“”«»()\n]{2,90}?)"
_WHO_AFTER = r"(?P<who>[^,.;:!?\"“”«»()\n]{2,120})"
ATTRIBUTIONS = [
    # according to X, citing X, по словам X, по данным X, по информации X
    re.compile(r"\baccording to " + _WHO_AFTER, re.IGNORECASE),
    re.compile(r"\bciting " + _WHO_AFTER, re.IGNORECASE),
    re.compile(r"(?<![\w])по (?:словам|данным|информации|сообщению) " + _WHO_AFTER, re.IGNORECASE),
    # сообщили в X, заявили в X, сообщает X
    re.compile(r"(?<![\w])(?:сообщили|заявили|рассказали|отметили) в " + _WHO_AFTER),
    re.compile(r"(?<![\w])(?:сообщает|сообщил[аио]?|заявил[аио]?|передает) " + _WHO_AFTER),
    # X said, X reported, X told, X informed, X accused
    re.compile(
        r"(?:^|[,;:—–]\s*|\b(?:while|and|but|as|when)\s+)"
        + _WHO
        + r"\s+(?:has |have |had )?(?:said|says|reported|reports|told|stated|claimed|claims|"
        r"announced|informed|confirmed|accused|blamed|denied|rejected)\b",
        re.IGNORECASE | re.MULTILINE,
    ),
    # X заявил(и), X сообщил(и)
    re.compile(
        r"(?:^|[,;:—–]\s*)"
        + _WHO
        + r"\s+(?:заявил[аи]?|сообщил[аи]?|обвинил[аи]?|подтвердил[аи]?|утверждают)(?![\w])",
        re.MULTILINE,
    ),
]
# Words an attribution's subject begins with that are not part of the name.
LEADING = re.compile(r"^(?:and|but|while|as|when|that|also|earlier)\s+", re.IGNORECASE)
# A passive ("clashes were reported") names no one.
PASSIVE = re.compile(r"\b(?:was|were|is|are|been|be|being)$", re.IGNORECASE)
TRAILING = re.compile(
    r"\s+(?:on \w+|earlier|later|also|in a statement|today|yesterday|that)$", re.IGNORECASE
)
# Pronouns and the like are no claimant.
NOT_CLAIMANTS = {"he", "she", "it", "they", "we", "i", "он", "она", "они", "мы", "this", "which"}

NUMBER_WORDS = (
    r"(?:\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|"
    r"fourteen|fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|"
    r"dozens|hundreds|several|a dozen|один|одна|двое|два|две|трое|три|четверо|четыре|пятеро|"
    r"пять|шесть|семь|восемь|девять|десять|несколько|десятки|сотни)"
)
CASUALTY_WORDS = (
    r"(?:killed|wounded|injured|dead|died|hurt|casualties|погиб\w*|ранен\w*|ранени\w*|"
    r"пострадал\w*|убит\w*|жертв\w*)"
)
CASUALTY_STATED = re.compile(
    r"(?:(?:at least|some|about|around|more than|up to|по меньшей мере|не менее|более|около)\s+)?"
    + NUMBER_WORDS
    + r"\b[^,.;:!?\n]{0,70}?"
    + CASUALTY_WORDS,
    re.IGNORECASE,
)
CASUALTY_CLAUSE = re.compile(r"[^,.;:!?\n]*" + CASUALTY_WORDS + r"[^,.;:!?\n]*", re.IGNORECASE)
# How far before a passage an attribution may stand (the rest of its sentence, the one before).
CONTEXT_CHARS = 300


@dataclass
class FoundDate:
    """A date found in the text: the day (or first day) and, for a range, the last."""

    start: int
    end: int
    text: str
    date: datetime.date
    date_end: datetime.date | None = None


@dataclass
class Suggestion:
    """What the claim form is filled with; each field can be changed by the editor."""

    claimant: str = ""
    claimant_phrase: str = ""  # the words it was read from
    type: str = ""
    date: datetime.date | None = None
    date_end: datetime.date | None = None
    date_precision: str = "day"
    date_note: str = ""  # where the date came from
    places: list[str] = field(default_factory=list)  # place keys of the mentions, in order
    casualties: str = ""
    title: str = ""


@dataclass
class Proposal:
    """A sentence that names a place and an event, with what a claim from it would say."""

    start: int
    end: int
    text: str
    suggestion: Suggestion


def event_type(passage: str) -> str:
    """The Incident type whose words the passage uses most ("" when none)."""
    lowered = passage.lower()
    counts = {kind: sum(lowered.count(w) for w in words) for kind, words in TYPE_WORDS.items()}
    events = {k: n for k, n in counts.items() if n and k != "casualties"}
    if events:
        return max(TYPE_ORDER[:-1], key=lambda k: (events.get(k, 0), -TYPE_ORDER.index(k)))
    return "casualties" if counts["casualties"] else ""


def _year_for(month: int, day: int, published: datetime.date) -> datetime.date | None:
    """The date of a day and month without a year: in the publication's year, or the year
    before when that would be well after publication (a December event told in January)."""
    for year in (published.year, published.year - 1):
        try:
            candidate = datetime.date(year, month, day)
        except ValueError:
            return None
        if candidate <= published + datetime.timedelta(days=31):
            return candidate
    return None


def _weekday(target: int, published: datetime.date) -> datetime.date:
    """The last such weekday on or before the publication date ("on Thursday")."""
    return published - datetime.timedelta(days=(published.weekday() - target) % 7)


def find_dates(text: str, published: datetime.date) -> list[FoundDate]:
    """Every date the text names, read against the publication date, in text order."""
    found: list[FoundDate] = []
    taken: list[tuple[int, int]] = []
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            groups = match.groupdict()
            day = end_day = None
            if groups.get("relative"):
                day = published + datetime.timedelta(days=RELATIVE_DAYS[groups["relative"].lower()])
            elif groups.get("weekday"):
                name = groups["weekday"].lower()
                target = EN_WEEKDAYS.index(name) if name in EN_WEEKDAYS else RU_WEEKDAYS[name]
                day = _weekday(target, published)
            else:
                if groups.get("monthnum"):
                    month = int(groups["monthnum"])
                else:
                    word = groups["month"].lower()
                    month = EN_MONTHS.get(word) or RU_MONTHS.get(word, 0)
                if not 1 <= month <= 12:
                    continue
                number = int(groups["day"])
                year = groups.get("year")
                try:
                    if year:
                        full = int(year) + (2000 if len(year) == 2 else 0)
                        day = datetime.date(full, month, number)
                    else:
                        day = _year_for(month, number, published)
                    if day is not None and groups.get("day2"):
                        end_day = day.replace(day=int(groups["day2"]))
                except ValueError:
                    continue
                if day is None:
                    continue
            taken.append((match.start(), match.end()))
            if end_day is not None and end_day <= day:
                end_day = None
            found.append(FoundDate(match.start(), match.end(), match.group(), day, end_day))
    return sorted(found, key=lambda d: d.start)


def date_of(
    passage: str, published: datetime.date, around: str = ""
) -> tuple[datetime.date, datetime.date | None, str, str]:
    """(date, date_end, precision, note) for a passage: a range when it names one or two
    days, "planned" for a day after publication in future words, else the one day it names;
    with no date in it, the sentence around it, else the publication date."""
    for where, words in (("the passage", passage), ("its sentence", around)):
        dates = [d for d in find_dates(words, published) if d.date.year >= 1990]
        if not dates:
            continue
        first = dates[0]
        phrase = ", ".join(d.text for d in dates)
        if first.date_end:
            return first.date, first.date_end, "range", f"{first.text!r} in {where}"
        days = sorted({d.date for d in dates})
        if len(days) > 1 and (days[-1] - days[0]).days <= 14:
            return days[0], days[-1], "range", f"{phrase!r} in {where}"
        if first.date > published and FUTURE_WORDS.search(words):
            return first.date, None, "planned", f"{first.text!r} in {where}, announced"
        return first.date, None, "day", f"{first.text!r} in {where}"
    return published, None, "day", "no date in the passage: the publication date"


def _clean_claimant(who: str) -> str:
    who = " ".join(who.split())
    for _ in range(3):
        who = LEADING.sub("", who)
        who = TRAILING.sub("", who)
    who = re.sub(r"\s+(?:that|who|which|as)\b.*$", "", who, flags=re.IGNORECASE)
    words = who.split()
    if len(words) > 10:
        who = " ".join(words[:10])
    if who.lower() in NOT_CLAIMANTS or PASSIVE.search(who) or not re.search(r"\w", who):
        return ""
    return who[:200]


def claimant_in(words: str) -> tuple[str, str]:
    """(claimant, the phrase it was read from) of the first attribution in the words."""
    best: tuple[int, str, str] | None = None
    for pattern in ATTRIBUTIONS:
        for match in pattern.finditer(words):
            who = _clean_claimant(match.group("who"))
            if who and (best is None or match.start() < best[0]):
                best = (match.start(), who, match.group().strip(" ,;:—–"))
                break
    return (best[1], best[2]) if best else ("", "")


def _sentence_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The sentence(s) holding the passage: back to the last sentence end before it and on to
    the next, within CONTEXT_CHARS."""
    before = text[max(0, start - CONTEXT_CHARS) : start]
    cut = max(before.rfind(". "), before.rfind("\n"), before.rfind("! "), before.rfind("? "))
    left = start - len(before) + (cut + 1 if cut >= 0 else 0)
    after = text[end : end + CONTEXT_CHARS]
    stop = re.search(r"[.!?](?=\s)|\n", after)
    right = end + (stop.end() if stop else len(after))
    return left, right


def casualties_in(passage: str) -> str:
    """The casualties exactly as the passage states them: each figure with its words ("Thirteen
    people were wounded"), or the clause that names them without a figure; never summed."""
    stated = [m.group().strip() for m in CASUALTY_STATED.finditer(passage)]
    if not stated:
        stated = [
            m.group().strip()
            for m in CASUALTY_CLAUSE.finditer(passage)
            if len(m.group().strip()) <= 120
        ]
    return "; ".join(dict.fromkeys(stated))


def suggest(
    text: str,
    start: int,
    end: int,
    published: datetime.date,
    mentions: Sequence[tuple[int, int, str]] = (),
) -> Suggestion:
    """Suggestions for a claim from text[start:end]; `mentions` are (start, end, place key) of
    the article's place mentions."""
    passage = text[start:end]
    left, right = _sentence_around(text, start, end)
    around = text[left:right]
    # The passage, its sentence, the text before it (back to CONTEXT_CHARS), then the article's
    # first attribution (a wire story's "сообщает X" covers what follows).
    claimant, phrase = claimant_in(passage)
    for words in (around, text[max(0, left - CONTEXT_CHARS) : right], text):
        if claimant:
            break
        claimant, phrase = claimant_in(words)
    kind = event_type(passage) or event_type(around)
    day, day_end, precision, note = date_of(passage, published, around)
    places = list(dict.fromkeys(key for s, e, key in mentions if start <= s and e <= end))
    if not places:
        places = list(dict.fromkeys(key for s, e, key in mentions if left <= s and e <= right))
    names = [text[s:e] for s, e, key in mentions if places and key == places[0]]
    at = f" at {names[0]}" if names else ""
    title = f"{claimant or 'Unattributed'}: {TYPE_PHRASE.get(kind, 'incident')}{at}"
    return Suggestion(
        claimant=claimant,
        claimant_phrase=phrase,
        type=kind,
        date=day,
        date_end=day_end,
        date_precision=precision,
        date_note=note,
        places=places,
        casualties=casualties_in(passage),
        title=title[:300],
    )


def propose(
    text: str,
    sentences: Sequence[tuple[int, int]],
    published: datetime.date,
    mentions: Sequence[tuple[int, int, str]] = (),
    skip: Sequence[tuple[int, int]] = (),
) -> list[Proposal]:
    """A proposal for each sentence that names a place and an event, except those overlapping
    a span in `skip` (already quoted by a claim, or discarded)."""
    proposals = []
    for start, end in sentences:
        if any(a < end and start < b for a, b in skip):
            continue
        if not any(start <= s and e <= end for s, e, _ in mentions):
            continue
        if not event_type(text[start:end]):
            continue
        suggestion = suggest(text, start, end, published, mentions)
        proposals.append(Proposal(start, end, text[start:end], suggestion))
    return proposals
